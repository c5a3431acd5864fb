# What the modules and harnesses use of nixpkgs' lib, probed: tests/test_minilib.py evaluates
# this with the project's small lib and with nixpkgs' own, and both must give nixpkgs' answers
# (tests/fixtures/lib-probes.json).
#
#   nix-instantiate --eval --strict --json tests/nix/lib-probes.nix --argstr libPath ""
#   (or --argstr libPath /abs/nixpkgs/lib)
{
  libPath ? "",
}:
let
  lib = if libPath == "" then import ./minilib.nix else import libPath;
  inherit (lib) mkOption types;

  # Whether evaluating `x` fully succeeds (a type error, a conflict, a throw: false).
  ok = x: (builtins.tryEval (builtins.deepSeq x x)).success;
  eval = modules: (lib.evalModules { inherit modules; }).config;

  json =
    let
      valueType =
        types.nullOr (
          types.oneOf [
            types.bool
            types.int
            types.float
            types.str
            types.path
            (types.attrsOf valueType)
            (types.listOf valueType)
          ]
        )
        // {
          description = "JSON value";
        };
    in
    valueType;
  # A free-form settings option with typed options inside, nested as plain option sets.
  settings = {
    options.s = mkOption {
      type = types.submodule {
        freeformType = json;
        options = {
          a = mkOption {
            type = types.nullOr types.bool;
            default = null;
          };
          b.c = mkOption {
            type = types.ints.between 1 10;
            default = 3;
          };
          e = mkOption {
            type = types.either types.bool (types.enum [ "yes" ]);
            default = true;
          };
        };
      };
      default = { };
    };
  };
  withSettings = defs: eval ([ settings ] ++ map (d: { config.s = d; }) defs);
  aliased =
    defs:
    eval (
      [
        settings
        (lib.mkAliasOptionModule [ "t" ] [ "s" ])
        (lib.mkAliasOptionModule [ "f" ] [ "s" "b" "c" ])
        (lib.mkRenamedOptionModule [ "old" ] [ "s" "a" ])
      ]
      ++ defs
    );
in
{
  freeform = withSettings [
    {
      x.y = [ 1 ];
      b.d = "free";
    }
  ];
  defaults = withSettings [ ];
  plainOverDefault = withSettings [ { b.c = 5; } ];
  plainOverMkDefault = withSettings [
    {
      b.c = lib.mkDefault 4;
      x = lib.mkDefault "d";
    }
    {
      b.c = 6;
      x = "plain";
    }
  ];
  mkDefaultsConflict = ok (withSettings [
    { x = lib.mkDefault "a"; }
    { x = lib.mkDefault "b"; }
  ]);
  mergedLists = withSettings [
    { l = [ 1 ]; }
    { l = [ 2 ]; }
  ];
  nullAndValue = ok (withSettings [
    { a = null; }
    { a = true; }
  ]);
  outOfRange = ok (withSettings [ { b.c = 11; } ]);
  eitherBranch = withSettings [ { e = "yes"; } ];
  eitherWrong = ok (withSettings [ { e = "no"; } ]);
  mixedKinds = ok (withSettings [
    { x = 1; }
    { x = "a"; }
  ]);
  alias = aliased [
    { config.t.x = 1; }
    { config.f = 7; }
  ];
  aliasRead = (aliased [ { config.f = 7; } ]).f;
  aliasConflict = ok (aliased [
    { config.f = 7; }
    { config.s.b.c = 8; }
  ]);
  aliasSame = ok (aliased [
    { config.f = 7; }
    { config.s.b.c = 7; }
  ]);
  aliasForced =
    (aliased [
      { config.f = 7; }
      { config.s.b.c = lib.mkForce 8; }
    ]).s.b.c;
  renamed = (aliased [ { config.old = true; } ]).s.a;
  notAnOption = ok (eval [
    settings
    { config.nope = 1; }
  ]);
  defaultInAttrsOf = eval [
    {
      options.m = mkOption {
        type = types.attrsOf types.int;
        default = { };
      };
    }
    { config.m.a = lib.mkOptionDefault 1; }
    {
      config.m.a = 2;
      config.m.b = lib.mkDefault 3;
    }
  ];
  lines = eval [
    {
      options.t = mkOption { type = types.lines; };
    }
    { config.t = "a"; }
    { config.t = "b"; }
  ];
  # The order definitions come in, which a list or `lines` merge shows: imports and later
  # modules first in nixpkgs.
  order = eval [
    {
      options.t = mkOption { type = types.lines; };
    }
    {
      imports = [
        { config.t = "i1"; }
        { config.t = "i2"; }
      ];
      config.t = "m1";
    }
    { config.t = "m2"; }
  ];
  checked =
    let
      one =
        type: value:
        ok (eval [
          { options.o = mkOption { inherit type; }; }
          { config.o = value; }
        ]);
      # A checked string, as the modules write their CIDR, host and path types.
      dotted = lib.mkOptionType {
        name = "dotted";
        description = "two numbers with a dot between";
        check = x: builtins.isString x && builtins.match "[0-9]+[.][0-9]+" x != null;
        merge = lib.mergeEqualOption;
      };
      either = types.oneOf [
        types.bool
        (types.enum [ "x" ])
        types.port
      ];
    in
    [
      (one (types.nullOr dotted) null)
      (one (types.either types.int dotted) "1.2")
      (one (types.either types.int dotted) "1")
      (one dotted "1.2")
      (one dotted "1x2")
      (one dotted " 1.2")
      (one either "x")
      (one either 65536)
      (one either false)
      (one (types.ints.between 0 5) 5)
      (one (types.ints.between 0 5) (-1))
      (one types.ints.unsigned 0)
      (one types.ints.unsigned (-1))
      (one (types.listOf dotted) [
        "1.2"
        "x"
      ])
      (one (types.attrsOf types.float) { a = 1.5; })
      (one (types.attrsOf types.float) { a = 1; })
      (one types.path "/a")
      (one types.path "a")
    ];
  split = lib.splitString "::" "fd00::1::";
  versions = [
    (lib.versionAtLeast "1.19" "1.19")
    (lib.versionOlder "1.18" "1.19")
    (lib.versionOlder "1.20" "1.19")
    (lib.versions.majorMinor "1.18.4")
  ];
  minMax = [
    (lib.min 1 2)
    (lib.max 1 2)
  ];
  filtered = lib.filterAttrsRecursive (name: value: value != null) {
    a = null;
    b.c = null;
    b.d = [ null ];
  };
}
