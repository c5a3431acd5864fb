# Small module evaluations that pin down the parts of nixpkgs' module system the CRD modules and
# their harnesses rely on. tests/test_minilib.py evaluates each case with the tests' small lib
# and with nixpkgs' lib and expects the same value, or an error naming the same option.
{ lib }:
let
  inherit (lib) mkOption types;
  eval = modules: (lib.evalModules { inherit modules; }).config;

  point = types.submodule {
    options = {
      x = mkOption { type = types.int; };
      y = mkOption {
        type = types.nullOr types.str;
        description = "optional";
      };
    };
    config.y = lib.mkOverride 1002 null;
  };
  named = types.submodule (
    { name, ... }:
    {
      options.id = mkOption {
        type = types.str;
        default = name;
      };
    }
  );
  free = types.submodule {
    freeformType = types.attrsOf types.anything;
    options.kind = mkOption {
      type = types.nullOr types.str;
      default = null;
    };
  };
  entry = {
    options = {
      group = mkOption { type = types.str; };
      kind = mkOption { type = types.str; };
    };
  };
  # A list of entries, or entries by key (nixidy's type registry): a coercedTo written with
  # mkOptionType, since nixpkgs' own refuses a coerced type that holds submodules.
  registry =
    let
      byKey = types.attrsOf (types.submodule entry);
      asList = types.listOf (types.submodule entry);
      toAttrs =
        list:
        builtins.listToAttrs (
          map (e: {
            name = "${e.group}/${e.kind}";
            value = e;
          }) list
        );
    in
    lib.mkOptionType {
      name = "registry";
      description = "${byKey.description} or ${asList.description}";
      check = x: byKey.check x || asList.check x;
      merge =
        loc: defs:
        byKey.merge loc (
          map (d: d // { value = if builtins.isList d.value then toAttrs d.value else d.value; }) defs
        );
    };
in
{
  submoduleValues =
    (eval [
      { options.p = mkOption { type = point; }; }
      { p.x = 1; }
    ]).p;
  submoduleOverride =
    (eval [
      { options.p = mkOption { type = point; }; }
      {
        p = {
          x = 1;
          y = "a";
        };
      }
    ]).p;
  submoduleUnknownField =
    (eval [
      { options.p = mkOption { type = point; }; }
      {
        p = {
          x = 1;
          z = 2;
        };
      }
    ]).p;
  submoduleWrongType =
    (eval [
      { options.p = mkOption { type = point; }; }
      { p.x = "one"; }
    ]).p.x;
  submoduleMissingRequired =
    (eval [
      { options.p = mkOption { type = point; }; }
      { p.y = "a"; }
    ]).p.x;
  listOfSubmodules =
    (eval [
      { options.l = mkOption { type = types.listOf point; }; }
      { l = [ { x = 1; } ]; }
      {
        l = [
          (lib.mkIf false { x = 2; })
          { x = 3; }
        ];
      }
    ]).l;
  listElementUnknownField =
    builtins.deepSeq
      (eval [
        { options.l = mkOption { type = types.listOf point; }; }
        {
          l = [
            { x = 1; }
            {
              x = 2;
              w = 1;
            }
          ];
        }
      ]).l
      null;
  attrsOfNamed =
    (eval [
      {
        options.a = mkOption {
          type = types.attrsOf named;
          default = { };
        };
      }
      { a.first = { }; }
      { a.second.id = "given"; }
    ]).a;
  enumRefused =
    (eval [
      {
        options.e = mkOption {
          type = types.enum [
            "a"
            "b"
          ];
        };
      }
      { e = "c"; }
    ]).e;
  eitherIntStr = (
    eval [
      {
        options = {
          i = mkOption { type = types.either types.int types.str; };
          s = mkOption { type = types.either types.int types.str; };
        };
      }
      {
        i = 80;
        s = "http";
      }
    ]
  );
  addCheckRefused =
    (eval [
      { options.n = mkOption { type = types.addCheck types.int (x: x >= 0); }; }
      { n = -1; }
    ]).n;
  freeform =
    (eval [
      { options.f = mkOption { type = free; }; }
      {
        f = {
          kind = "K";
          spec.a = 1;
        };
      }
      { f.spec.b = [ 2 ]; }
    ]).f;
  freeformTyped =
    (eval [
      { options.f = mkOption { type = free; }; }
      { f.kind = 1; }
    ]).f.kind;
  coerced =
    (eval [
      {
        options.r = mkOption {
          type = registry;
          default = { };
        };
      }
      {
        r = [
          {
            group = "g";
            kind = "A";
          }
        ];
      }
      {
        r = [
          {
            group = "g";
            kind = "B";
          }
        ];
      }
    ]).r;
  applyAddedByASecondDeclaration =
    (eval [
      {
        options.v = mkOption {
          type = types.attrsOf types.int;
          default = { };
          description = "numbers";
        };
      }
      { options.v = mkOption { apply = v: builtins.mapAttrs (_: n: n * 10) v; }; }
      { v.a = 1; }
    ]).v;
  aliasDefinitions =
    (eval [
      (
        { options, ... }:
        {
          options = {
            target = mkOption {
              type = types.attrsOf types.int;
              default = { };
            };
            alias = mkOption {
              type = types.attrsOf types.int;
              default = { };
            };
          };
          config.target = lib.mkAliasDefinitions options.alias;
        }
      )
      { alias.a = 1; }
      { target.b = 2; }
    ]).target;
  optionDefaultLoses =
    (eval [
      {
        options.d = mkOption {
          type = types.str;
          default = "default";
        };
      }
      { d = lib.mkOptionDefault "also default"; }
      { d = lib.mkDefault "user default"; }
    ]).d;
  # An option nothing defines takes its type's empty value, if the type has one.
  emptyValues = eval [
    {
      options = {
        a = mkOption { type = types.attrsOf types.int; };
        l = mkOption { type = types.listOf types.int; };
        n = mkOption { type = types.nullOr types.int; };
        p = mkOption { type = point; };
      };
    }
    { p.x = 1; }
  ];
  submoduleEmptyValue =
    (eval [
      {
        options.s = mkOption {
          type = types.submodule {
            options.y = mkOption {
              type = types.nullOr types.str;
              default = null;
            };
          };
        };
      }
    ]).s;
  # A type made anew from another's check and merge has no empty value (and no sub-modules
  # for nixpkgs to rebuild it from).
  noEmptyValue =
    (eval [
      {
        options.s = mkOption {
          type = lib.mkOptionType {
            inherit (point)
              name
              description
              check
              merge
              ;
          };
        };
      }
    ]).s;
  # An unspecified option keeps the properties inside its value (nixidy's `defaults`).
  unspecifiedKeepsProperties =
    let
      value =
        (eval [
          { options.u = mkOption { type = types.unspecified; }; }
          { u.a = lib.mkDefault 1; }
        ]).u;
    in
    (eval [
      { options.a = mkOption { type = types.int; }; }
      { a = 2; }
      value
    ]).a;
  mkIfInsideSubmodule =
    (eval [
      { options.p = mkOption { type = point; }; }
      {
        p = lib.mkMerge [
          { x = 1; }
          (lib.mkIf false { y = "no"; })
        ];
      }
    ]).p;
}
