# Evaluates one generated cilium.nix the way its framework would, with stub declarations of the
# framework's own options, and returns what the tests compare with the Python side.
#
#   nix-instantiate --eval --strict --json tests/nix/harness.nix \
#     --argstr modulePath /abs/cilium.nix --argstr flavor hetzkube --arg isLocal true \
#     --argstr src /abs/fake-cilium-tree [--argstr libPath /abs/nixpkgs/lib] \
#     [--argstr settingsJSON '{"k8sServiceHost": "10.0.0.1"}'] [--argstr clusterHost 10.0.0.1]
#     [--argstr chartName helm-chart-https-helm.cilium.io--cilium-1.18.4]
{
  modulePath,
  flavor,
  isLocal,
  src,
  libPath ? "",
  settingsJSON ? "{}",
  # Definitions of another module of the user's, beside the generated one.
  otherJSON ? "{}",
  clusterHost ? "api.cluster.test",
  part ? "all",
  # hetzkube flavour: which easykubenix (and hetzkube modules) the stubs stand for.
  generation ? "hetzkube-pin",
  # nixidy's typed resources: attribute (`secrets`) → { kind; namespaced; }.
  nixidyKindsJSON ? "{}",
  # nixidy's `charts.cilium.cilium`: the fake tree's chart folder as a path string, or (when
  # given) a derivation-like attrset of this name, as nixhelm's downloadHelmChart names one
  # (helm-chart-https-helm.cilium.io--cilium-1.19.6).
  chartName ? "",
  # The `pkgs` module argument, for a module whose Nix expressions read it.
  pkgsJSON ? "{}",
  # part = "accepted": the settings to evaluate the module with, one evaluation each.
  batchJSON ? "[]",
}:
let
  lib = if libPath == "" then import ./minilib.nix else import libPath;
  inherit (lib) mkOption types;

  # The module sees a fetchTree that fetches nothing: it records its arguments and returns the
  # fake tree, so the module's own `cilium.src` default is what the tests evaluate.
  fakeBuiltins = builtins // {
    fetchTree = args: {
      outPath = src;
      fetchArgs = args;
    };
  };
  module = scopedImport { builtins = fakeBuiltins; } (/. + modulePath);
  hetzkubeModules = generation != "standalone";
  namespaced = generation == "hetzkube-pin";

  # The framework options a generated module sets, declared as the frameworks declare them
  # (easykubenix/kubenix with hetzkube's modules; nixidy).
  frameworks = {
    hetzkube = {
      options = {
        helm.releases = mkOption {
          type = types.attrsOf types.anything;
          default = { };
        };
        importyaml = mkOption {
          type = types.attrsOf types.anything;
          default = { };
        };
        kubernetes.apiMappings = mkOption {
          type = types.attrsOf types.str;
          default = { };
        };
        kubernetes.resources = mkOption {
          type = types.attrsOf types.anything;
          default = { };
        };
      };
    };
    # easykubenix as hetzkube pins it still has this option.
    namespacedMappings.options.kubernetes.namespacedMappings = mkOption {
      type = types.attrsOf types.bool;
      default = { };
    };
    # hetzkube's own modules.
    hetzkubeModules = {
      options = {
        clusterHost = mkOption { type = types.str; };
        clusterName = mkOption { type = types.str; };
        gateway-api.enable = mkOption {
          type = types.bool;
          default = false;
        };
        gateway-api.version = mkOption { type = types.nullOr types.str; };
      };
      config = {
        inherit clusterHost;
        clusterName = "hetzkube-test";
      };
    };
    nixidy = {
      options.applications.cilium = {
        namespace = mkOption { type = types.str; };
        helm.releases = mkOption {
          type = types.attrsOf types.anything;
          default = { };
        };
        yamls = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        # Typed resources, keyed by attribute and name: definitions (the chart's object, a
        # patch) merge key by key.
        resources = mkOption {
          type = types.attrsOf (types.attrsOf types.anything);
          default = { };
        };
      };
    };
  };
  nixidyKinds = builtins.fromJSON nixidyKindsJSON;
  chartFolder = "${src}/install/kubernetes/cilium";

  userWith = settings: {
    config.cilium = {
      enable = true;
      inherit isLocal;
    }
    // settings;
  };

  other.config = builtins.fromJSON otherJSON;

  evaluated = evaluate (builtins.fromJSON settingsJSON);
  evaluate =
    settings:
    lib.evalModules {
      modules = [
        module
        frameworks.${flavor}
        (userWith settings)
        other
      ]
      ++ lib.optional (flavor == "hetzkube" && namespaced) frameworks.namespacedMappings
      ++ lib.optional (flavor == "hetzkube" && hetzkubeModules) frameworks.hetzkubeModules;
      specialArgs.pkgs = builtins.fromJSON pkgsJSON;
      specialArgs.charts.cilium.cilium =
        if chartName == "" then
          chartFolder
        else
          {
            name = chartName;
            outPath = chartFolder;
          };
    };
  c = evaluated.config;

  releaseOf =
    c:
    if flavor == "hetzkube" then c.helm.releases.cilium else c.applications.cilium.helm.releases.cilium;
  release = releaseOf c;
  # Whether the Helm values evaluate with each of a list of settings (an evaluation each): a
  # type error, a broken rule or a conflict fails one without failing the others.
  accepted = map (
    settings:
    let
      values = (releaseOf (evaluate settings).config).values;
    in
    (builtins.tryEval (builtins.deepSeq values values)).success
  ) (builtins.fromJSON batchJSON);

  parts = {
    inherit accepted;
    present =
      if flavor == "hetzkube" then
        c.helm.releases ? cilium
      else
        c.applications.cilium.helm.releases ? cilium;
    values = release.values;
    chart = release.chart;
    namespace = if flavor == "hetzkube" then release.namespace else c.applications.cilium.namespace;
    gatewayApi = {
      inherit (c.gateway-api) enable version;
    };
    fetchArgs = c.cilium.src.fetchArgs or null;
    importyaml = c.importyaml;
    # Every Kubernetes object the module adds, as a list of manifests. Like easykubenix, an
    # object takes its kind, name and namespace from where it is defined unless it sets them;
    # like nixidy, a typed resource takes its kind from the attribute and the app's namespace.
    objects =
      if flavor == "hetzkube" then
        let
          byNamespace = c.kubernetes.resources;
          complete =
            ns: kind: name: obj:
            {
              inherit kind;
            }
            // obj
            // {
              metadata = {
                inherit name;
              }
              // lib.optionalAttrs (ns != "none") { namespace = ns; }
              // obj.metadata or { };
            };
        in
        builtins.concatMap (
          ns:
          builtins.concatMap (
            kind:
            map (name: complete ns kind name byNamespace.${ns}.${kind}.${name}) (
              builtins.attrNames byNamespace.${ns}.${kind}
            )
          ) (builtins.attrNames byNamespace.${ns})
        ) (builtins.attrNames byNamespace)
      else
        let
          app = c.applications.cilium;
          typed =
            attr: name: obj:
            {
              inherit (nixidyKinds.${attr}) kind;
            }
            // obj
            // {
              metadata = {
                inherit name;
              }
              // lib.optionalAttrs nixidyKinds.${attr}.namespaced { inherit (app) namespace; }
              // obj.metadata or { };
            };
        in
        map builtins.fromJSON app.yamls
        ++ builtins.concatMap (
          attr:
          map (name: typed attr name app.resources.${attr}.${name}) (builtins.attrNames app.resources.${attr})
        ) (builtins.attrNames app.resources);
    apiMappings = c.kubernetes.apiMappings;
    namespacedMappings = c.kubernetes.namespacedMappings;
  };
  selected =
    if part != "all" then
      parts.${part}
    else if flavor == "hetzkube" then
      removeAttrs parts (
        [ "accepted" ]
        ++ lib.optional (!namespaced) "namespacedMappings"
        ++ lib.optional (!hetzkubeModules) "gatewayApi"
      )
    else
      {
        inherit (parts)
          present
          objects
          values
          chart
          namespace
          ;
      };
in
selected
