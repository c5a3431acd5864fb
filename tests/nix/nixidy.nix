# nixidy's applications and their typed resources, declared and written as nixidy's sources do
# (modules/applications.nix, modules/applications/{default,objects,yamls,lib}.nix; see
# /work/notes/frameworks.md, section 3):
#
# - `applications.<app>` is a submodule of nixidy's application module plus every module in
#   `nixidy.applicationImports` (nixidy v0.9.0 calls the list `nixidy.resourceImports`);
# - typed resources are options `resources.<group>.<version>.<Kind>` that generated modules
#   declare, registered in the application's `types` (a list of { name group version kind
#   attrName }, keyed by "group/version/kind"), with per-kind `defaults`;
# - `yamls` objects of a registered group/version/kind go into those typed resources, the
#   others stay untyped; `objects` are the typed resources, nulls dropped, then the untyped.
#
# The stand-in for nixidy's generated Kubernetes module declares just the kinds nixgen's
# cluster module touches (Secret, as `secrets`). helm.releases stands for nixidy's own.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;

  registryEntry = {
    options = {
      group = mkOption { type = types.str; };
      version = mkOption { type = types.str; };
      kind = mkOption { type = types.str; };
      name = mkOption { type = types.nullOr types.str; };
      attrName = mkOption { type = types.str; };
    };
  };
  # A list of entries, coerced to entries by "group/version/kind" (nixidy builds this coercion
  # from mkOptionType: nixpkgs' coercedTo refuses a coerced type holding submodules).
  registry =
    let
      byKey = types.attrsOf (types.submodule registryEntry);
      asList = types.listOf (types.submodule registryEntry);
      key = e: "${e.group}/${e.version}/${e.kind}";
    in
    lib.mkOptionType {
      name = "coercedTo";
      description = "${byKey.description} or ${asList.description}";
      check = x: byKey.check x || asList.check x;
      merge =
        loc: defs:
        byKey.merge loc (
          map (
            d:
            d
            // {
              value =
                if builtins.isList d.value then
                  builtins.listToAttrs (
                    map (e: {
                      name = key e;
                      value = e;
                    }) d.value
                  )
                else
                  d.value;
            }
          ) defs
        );
    };
  defaultEntry = {
    options = {
      group = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      version = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      kind = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      resource = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      propagate = mkOption {
        type = types.bool;
        default = false;
      };
      default = mkOption {
        type = types.unspecified;
        default = { };
      };
    };
  };

  # An object as nixidy writes it: attributes whose value is null (or named _priority*) left
  # out, at any depth; list items kept.
  toAttrs =
    value:
    if builtins.isAttrs value then
      builtins.mapAttrs (_: toAttrs) (
        lib.filterAttrs (n: v: v != null && !(lib.hasPrefix "_priority" n)) value
      )
    else if builtins.isList value then
      map toAttrs value
    else
      value;
  gvk =
    object:
    let
      parts = builtins.match "(.*)/(.*)" object.apiVersion;
    in
    {
      inherit (object) kind;
      group = if parts == null then "core" else builtins.elemAt parts 0;
      version = if parts == null then object.apiVersion else builtins.elemAt parts 1;
    };

  application =
    { name, config, ... }:
    let
      parsed = map builtins.fromJSON config.yamls;
      registered = o: config.types ? "${(gvk o).group}/${(gvk o).version}/${(gvk o).kind}";
    in
    {
      options = {
        name = mkOption {
          type = types.str;
          default = name;
        };
        namespace = mkOption {
          type = types.str;
          default = config.name;
        };
        yamls = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        helm.releases = mkOption {
          type = types.attrsOf types.anything;
          default = { };
        };
        definitions = mkOption {
          type = types.unspecified;
          default = { };
        };
        defaults = mkOption {
          type = types.listOf (types.submodule defaultEntry);
          default = [ ];
        };
        types = mkOption {
          type = registry;
          default = { };
        };
        objects = mkOption {
          type = types.listOf types.attrs;
          default = [ ];
        };
      };
      config = {
        # yamls.nix: registered objects become typed resources (patchable), others stay as they are.
        resources = lib.mkMerge (
          map (
            o:
            let
              t = gvk o;
            in
            {
              ${t.group}.${t.version}.${t.kind}.${o.metadata.name} = o;
            }
          ) (builtins.filter registered parsed)
        );
        # objects.nix: every typed resource of every registered type, as nixidy writes it.
        objects =
          builtins.concatMap (
            key:
            let
              t = config.types.${key};
            in
            map toAttrs (builtins.attrValues config.resources.${t.group}.${t.version}.${t.kind})
          ) (builtins.attrNames config.types)
          ++ builtins.filter (o: !(registered o)) parsed;
      };
    };

  # The generated Kubernetes module's part nixgen's cluster module uses: Secrets.
  core =
    { options, ... }:
    let
      secret = mkOption {
        type = types.attrsOf (
          types.submodule (
            { name, ... }:
            {
              freeformType = types.attrsOf types.anything;
              options = {
                apiVersion = mkOption {
                  type = types.str;
                  default = "v1";
                };
                kind = mkOption {
                  type = types.str;
                  default = "Secret";
                };
                metadata = mkOption {
                  type = types.attrsOf types.anything;
                  default = { };
                };
              };
              config.metadata.name = lib.mkDefault name;
            }
          )
        );
        default = { };
      };
    in
    {
      options.resources = {
        core.v1.Secret = secret;
        secrets = secret;
      };
      config = {
        types = [
          {
            name = "secrets";
            group = "core";
            version = "v1";
            kind = "Secret";
            attrName = "secrets";
          }
        ];
        resources.core.v1.Secret = lib.mkAliasDefinitions options.resources.secrets;
      };
    };
in
{
  options = {
    nixidy.applicationImports = mkOption {
      type = types.listOf (
        types.oneOf [
          types.package
          types.path
          (types.functionTo types.attrs)
        ]
      );
      default = [ ];
    };
    applications = mkOption {
      type = types.attrsOf (
        types.submoduleWith {
          modules = [
            application
            core
          ]
          ++ config.nixidy.applicationImports;
        }
      );
      default = { };
    };
  };
}
