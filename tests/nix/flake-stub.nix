# Evaluates flake.nix's outputs against a stub nixpkgs (no network, no builds), returning what
# the tests check of their structure. Nothing here forces a path into the store.
{ flakePath }:
let
  base = import ./minilib.nix;
  lib = base // {
    genAttrs =
      names: f:
      builtins.listToAttrs (
        map (name: {
          inherit name;
          value = f name;
        }) names
      );
    makeBinPath = paths: builtins.concatStringsSep ":" (map (p: "${p}/bin") paths);
    escapeShellArgs = args: builtins.concatStringsSep " " (map (a: "'${a}'") args);
  };
  drv =
    name: attrs:
    attrs
    // {
      type = "derivation";
      inherit name;
      outPath = "/nix/store/00000000000000000000000000000000-${name}";
    };
  pythonPackages =
    builtins.listToAttrs (
      map
        (n: {
          name = n;
          value = drv "py-${n}" { };
        })
        [
          "click"
          "jinja2"
          "pydantic"
          "pyyaml"
          "pytest"
          "hypothesis"
          "setuptools"
          "pip"
        ]
    )
    // {
      buildPythonApplication = args: drv "${args.pname}-${args.version}" { inherit args; };
    };
  pkgsFor = system: {
    inherit lib;
    stdenv.hostPlatform.system = system;
    python3 = drv "python3" {
      sitePackages = "lib/python3/site-packages";
      withPackages = f: drv "python3-env" { packages = map (p: p.name) (f pythonPackages); };
    };
    python3Packages = pythonPackages;
    nix = drv "nix" { };
    nixfmt = drv "nixfmt" { };
    runCommand =
      name: env: script:
      drv name { inherit env script; };
    mkShell = args: drv "shell" { inherit args; };
  };
  systems = [
    "x86_64-linux"
    "aarch64-linux"
    "x86_64-darwin"
    "aarch64-darwin"
  ];
  nixpkgs = {
    inherit lib;
    outPath = "/nix/store/00000000000000000000000000000000-nixpkgs";
    legacyPackages = lib.genAttrs systems pkgsFor;
  };
  flake = import (/. + flakePath);
  outputs = flake.outputs { inherit self nixpkgs; };
  self = outputs // {
    outPath = "/nix/store/00000000000000000000000000000000-source";
  };
  pkgs = nixpkgs.legacyPackages.x86_64-linux;
  package = outputs.packages.x86_64-linux.default;
  drift = outputs.lib.mkDriftCheck;
in
{
  inherit (flake) description;
  nixpkgsUrl = flake.inputs.nixpkgs.url;
  outputs = builtins.attrNames outputs;
  systems = map builtins.attrNames [
    outputs.packages
    outputs.apps
    outputs.checks
    outputs.devShells
  ];
  package = {
    inherit (package) name;
    inherit (package.args) pname version makeWrapperArgs;
    dependencies = map (d: d.name) package.args.dependencies;
  };
  app = outputs.apps.x86_64-linux.default;
  checks = builtins.attrNames outputs.checks.x86_64-linux;
  devShell = outputs.devShells.x86_64-linux.default.args.shellHook;
  devShellPackages = map (p: p.name) outputs.devShells.x86_64-linux.default.args.packages;
  testEnv = outputs.devShells.x86_64-linux.default.args.packages;
  driftWithConfig =
    (drift {
      inherit pkgs;
      file = "/work/cilium.nix";
      config = "/work/nixgen.toml";
      args = [
        "--flavor"
        "nixidy"
      ];
    }).script;
  driftFromHeader =
    (drift {
      inherit pkgs;
      file = "/work/cilium.nix";
    }).script;
}
