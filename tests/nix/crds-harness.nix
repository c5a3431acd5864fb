# Evaluates a CRD module (nixgen crds) with the framework it is for, modelled on the framework's
# sources (easykubenix.nix, nixidy.nix), and a user's module of objects; returns the manifests
# the framework would write, or fails as the framework's evaluation would.
#
#   nix-instantiate --eval --strict --json tests/nix/crds-harness.nix \
#     --argstr flavor hetzkube --argstr crdsPath /abs/crds.nix --argstr userPath /abs/user.nix \
#     [--argstr generation current] [--argstr libPath /abs/nixpkgs/lib] \
#     [--argstr modulePath /abs/cilium.nix --argstr src /abs/fake-cilium-tree]
#
# With modulePath, nixgen's cluster module is evaluated beside it (production profile), as a
# hetzkube or nixidy configuration holds both. With `--arg judge true`, userPath holds a list
# of user modules, each evaluated on its own: the result says of each whether the framework's
# evaluation succeeds (builtins.tryEval: what a refusal throws).
{
  flavor,
  crdsPath,
  userPath,
  libPath ? "",
  generation ? "hetzkube-pin",
  modulePath ? "",
  src ? "",
  clusterHost ? "api.cluster.test",
  # nixidy: the application the objects are rendered for.
  app ? "cilium",
  judge ? false,
  # "objects", or (nixidy) "types": the application's type registry, by group/version/kind,
  # or "docs": the options' documentation as nixpkgs' optionAttrSetToDocList lists it.
  part ? "objects",
}:
let
  lib = if libPath == "" then import ./minilib.nix else import libPath;
  inherit (lib) mkOption types;

  fakeBuiltins = builtins // {
    fetchTree = args: {
      outPath = src;
      fetchArgs = args;
    };
  };
  cluster = lib.optionals (modulePath != "") [
    (scopedImport { builtins = fakeBuiltins; } (/. + modulePath))
    { cilium.enable = true; }
  ];
  # hetzkube's own modules, which nixgen's cluster module relies on.
  hetzkube = {
    options = {
      clusterHost = mkOption { type = types.str; };
      gateway-api.enable = mkOption {
        type = types.bool;
        default = false;
      };
      gateway-api.version = mkOption { type = types.nullOr types.str; };
    };
    config.clusterHost = clusterHost;
  };

  evaluate =
    user:
    let
      evaluated =
        if flavor == "hetzkube" then
          lib.evalModules {
            modules = [
              (import ./easykubenix.nix { inherit generation; })
              (/. + crdsPath)
              user
            ]
            ++ lib.optionals (modulePath != "") (cluster ++ [ hetzkube ]);
          }
        else
          lib.evalModules {
            modules = [
              ./nixidy.nix
              { nixidy.applicationImports = [ (/. + crdsPath) ]; }
              user
            ]
            ++ cluster;
            specialArgs.charts.cilium.cilium = "${src}/install/kubernetes/cilium";
          };
    in
    if flavor == "hetzkube" then
      evaluated.config.kubernetes.generated
    else if part == "types" then
      builtins.attrNames evaluated.config.applications.${app}.types
    else if part == "docs" then
      map (o: { inherit (o) name description type; }) (
        builtins.filter (o: lib.hasInfix "cilium.io" o.name || lib.hasInfix "ciliumNetwork" o.name) (
          lib.optionAttrSetToDocList evaluated.options
        )
      )
    else
      evaluated.config.applications.${app}.objects;
in
if judge then
  map (user: (builtins.tryEval (builtins.deepSeq (evaluate user) true)).success) (
    import (/. + userPath)
  )
else
  evaluate (/. + userPath)
