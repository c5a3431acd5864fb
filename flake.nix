{
  description = "nixgen: generate Nix modules that deploy Cilium into k3s";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      systemOf = pkgs: pkgs.stdenv.hostPlatform.system;

      # Version and dependencies come from pyproject.toml, the one place they are written.
      pyproject = builtins.fromTOML (builtins.readFile ./pyproject.toml);
      depName = spec: builtins.head (builtins.match "([A-Za-z0-9_.-]+).*" spec);
      pythonDeps = specs: ps: map (spec: ps.${depName spec}) specs;
      runtimeDeps = pythonDeps pyproject.project.dependencies;
      testDeps = pythonDeps pyproject.project.optional-dependencies.test;

      testEnv = pkgs: pkgs.python3.withPackages (ps: runtimeDeps ps ++ testDeps ps ++ [ ps.pip ]);

      # The test suite, with every module also evaluated by the real nixpkgs lib.
      runTests =
        pkgs: name: pytestArgs:
        pkgs.runCommand name
          {
            nativeBuildInputs = [
              (testEnv pkgs)
              pkgs.nix
            ];
          }
          ''
            cp -r ${./.} source
            chmod -R u+w source
            cd source
            export HOME=$TMPDIR NIX_STATE_DIR=$TMPDIR/nix-state NIX_LOG_DIR=$TMPDIR/nix-log
            export NIXPKGS_LIB=${nixpkgs}/lib
            python -m pip install --no-deps --no-build-isolation --no-index --prefix $TMPDIR/prefix .
            export PYTHONPATH=$TMPDIR/prefix/${pkgs.python3.sitePackages}:$PYTHONPATH
            python -m pytest -p no:cacheprovider ${pytestArgs}
            touch $out
          '';
    in
    {
      packages = forAllSystems (pkgs: {
        default = pkgs.python3Packages.buildPythonApplication {
          pname = "nixgen";
          inherit (pyproject.project) version;
          pyproject = true;
          src = ./.;
          build-system = [ pkgs.python3Packages.setuptools ];
          dependencies = runtimeDeps pkgs.python3Packages;
          makeWrapperArgs = [
            "--prefix"
            "PATH"
            ":"
            (lib.makeBinPath [ pkgs.nixfmt ])
          ];
        };
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${systemOf pkgs}.default}/bin/nixgen";
        };
      });

      checks = forAllSystems (pkgs: {
        tests = runTests pkgs "nixgen-tests" "";
        goldens = runTests pkgs "nixgen-goldens" "tests/test_golden.py -k nixpkgs-lib";
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            (testEnv pkgs)
            pkgs.nix
            pkgs.nixfmt
          ];
          shellHook = ''
            export NIXPKGS_LIB=${nixpkgs}/lib
          '';
        };
      });

      # A check for your own flake: fails when the committed module is not what nixgen
      # generates. With `config`, from that config file (and `args`); without, from the spec in
      # the file's own header (so it catches a nixgen upgrade that changes the output).
      #   checks.x86_64-linux.cilium = nixgen.lib.mkDriftCheck {
      #     pkgs = nixpkgs.legacyPackages.x86_64-linux;
      #     file = ./cilium.nix;
      #     config = ./nixgen.toml;
      #   };
      lib.mkDriftCheck =
        {
          pkgs,
          file,
          config ? null,
          args ? [ ],
        }:
        let
          command =
            if config == null then
              [
                "regen"
                "cilium.nix"
              ]
            else
              [
                "module"
                "--config"
                "${config}"
              ]
              ++ args
              ++ [
                "-o"
                "cilium.nix"
              ];
        in
        pkgs.runCommand "cilium-nix-drift-check"
          { nativeBuildInputs = [ self.packages.${systemOf pkgs}.default ]; }
          ''
            cp ${file} cilium.nix
            nixgen ${lib.escapeShellArgs command} --check --format never
            touch $out
          '';
    };
}
