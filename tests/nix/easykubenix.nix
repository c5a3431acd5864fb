# easykubenix's Kubernetes objects, declared and written as its sources do, for the two
# generations nixgen's CRD module targets (see /work/notes/frameworks.md, section 2):
#
# - "hetzkube-pin" (f6ac33b, the one hetzkube pins): `kubernetes.resources` is namespace →
#   kind → name → a free-form JSON object whose apiVersion and kind default to null and whose
#   metadata.name defaults to the name; `kubernetes.generated` drops nulls, fills in apiVersion
#   (else kubernetes.apiMappings'), kind, name and namespace, and turns `_namedlist` and
#   `_numberedlist` sets back into lists.
# - "current" (88a025f): `kubernetes.objects`, each level a submodule with a free-form type,
#   an object's apiVersion defaulting to kubernetes.apiMappings', and `kubernetes.resources` an
#   alias of it (mkAliasOptionModule); `kubernetes.generated` keeps nulls.
#
# Both declare `assertions` and evaluate them nowhere. helm.releases and importyaml stand for
# easykubenix's own, which nixgen's cluster module sets: they are not under test here.
{ generation }:
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.kubernetes;
  pin = generation == "hetzkube-pin";

  # pkgs.formats.json { }'s type, built from lib.types as nixpkgs' formats.nix builds it.
  json =
    types.nullOr (
      types.oneOf [
        types.bool
        types.int
        types.float
        types.str
        types.path
        (types.attrsOf json)
        (types.listOf json)
      ]
    )
    // {
      description = "JSON value";
    };

  resourceBody = types.submodule (
    { name, ... }:
    {
      freeformType = json;
      options = {
        apiVersion = mkOption {
          type = types.nullOr types.str;
          default = null;
        };
        kind = mkOption {
          type = types.nullOr types.str;
          default = null;
        };
        metadata = mkOption {
          type = types.submodule {
            freeformType = json;
            options.name = mkOption {
              type = types.str;
              default = name;
            };
          };
          default = { };
        };
      };
    }
  );

  objectsType = types.attrsOf (
    types.submodule (
      { name, ... }:
      let
        namespace = name;
      in
      {
        freeformType = types.attrsOf (
          types.submodule (
            { name, ... }:
            let
              kind = name;
            in
            {
              freeformType = types.attrsOf (
                types.submodule (
                  { name, ... }:
                  {
                    freeformType = json;
                    options = {
                      apiVersion = mkOption {
                        type = types.str;
                        default = cfg.apiMappings.${kind} or (throw "No apiMapping for ${kind}");
                      };
                      kind = mkOption {
                        type = types.str;
                        default = kind;
                      };
                      metadata = mkOption {
                        type = types.submodule {
                          freeformType = json;
                          options.name = mkOption {
                            type = types.str;
                            default = name;
                          };
                        };
                        default = { };
                      };
                    };
                    config = lib.mkIf (namespace != "none") { metadata.namespace = lib.mkDefault namespace; };
                  }
                )
              );
            }
          )
        );
      }
    )
  );

  # easykubenix's lib: kubeAttrsToLists, applied to every value (walkWithPath).
  asLists =
    v:
    let
      v' =
        if builtins.isAttrs v && (v._namedlist or false) == true then
          map (name: v.${name} // { inherit name; }) (builtins.attrNames (removeAttrs v [ "_namedlist" ]))
        else if builtins.isAttrs v && (v._numberedlist or false) == true then
          let
            items = removeAttrs v [ "_numberedlist" ];
          in
          map (n: items.${n}) (
            builtins.sort (a: b: builtins.fromJSON a < builtins.fromJSON b) (builtins.attrNames items)
          )
        else
          v;
    in
    if builtins.isAttrs v' then
      builtins.mapAttrs (_: asLists) v'
    else if builtins.isList v' then
      map asLists v'
    else
      v';
  withoutNulls =
    set:
    builtins.mapAttrs (_: v: if builtins.isAttrs v then withoutNulls v else v) (
      lib.filterAttrs (_: v: v != null) set
    );
  each =
    f: set:
    builtins.concatMap (
      namespace:
      builtins.concatMap (
        kind:
        map (name: f namespace kind name set.${namespace}.${kind}.${name}) (
          builtins.attrNames set.${namespace}.${kind}
        )
      ) (builtins.attrNames set.${namespace})
    ) (builtins.attrNames set);
in
{
  imports = lib.optional (!pin) (
    lib.mkAliasOptionModule [ "kubernetes" "resources" ] [ "kubernetes" "objects" ]
  );

  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      internal = true;
      default = [ ];
    };
    helm.releases = mkOption {
      type = types.attrsOf types.anything;
      default = { };
    };
    importyaml = mkOption {
      type = types.attrsOf types.anything;
      default = { };
    };
    kubernetes = {
      apiMappings = mkOption {
        type = types.attrsOf types.str;
        default = { };
      };
      generated = mkOption {
        type = json;
        internal = true;
      };
    }
    // (
      if pin then
        {
          resources = mkOption {
            type = types.attrsOf (types.attrsOf (types.attrsOf resourceBody));
            default = { };
            description = "Kubernetes resources, grouped by namespace, then kind.";
          };
          namespacedMappings = mkOption {
            type = types.attrsOf types.bool;
            default = { };
          };
        }
      else
        {
          objects = mkOption {
            type = objectsType;
            default = { };
            description = "Kubernetes objects, grouped by namespace, then kind.";
          };
        }
    );
  };

  # easykubenix fills apiMappings from `kubectl api-resources` of Kubernetes 1.33
  # (apiResources/v1.33.json); the kinds nixgen's cluster module writes without an apiVersion.
  config.kubernetes.apiMappings = {
    ConfigMap = "v1";
    Namespace = "v1";
    Secret = "v1";
    Service = "v1";
    ServiceAccount = "v1";
    DaemonSet = "apps/v1";
    Deployment = "apps/v1";
    NetworkPolicy = "networking.k8s.io/v1";
  };
  config.kubernetes.generated =
    if pin then
      each (
        namespace: kind: name: attrs:
        asLists (
          lib.recursiveUpdate (
            {
              apiVersion =
                attrs.apiVersion or cfg.apiMappings.${kind}
                  or (throw "Resource kind: ${kind} name: ${name} has no apiVersion set and not apiMappings");
              inherit kind;
              metadata.name = name;
            }
            // lib.optionalAttrs (namespace != "none") { metadata.namespace = namespace; }
          ) attrs
        )
      ) (withoutNulls cfg.resources)
    else
      each (
        namespace: kind: name: object:
        asLists object
      ) cfg.objects;
}
