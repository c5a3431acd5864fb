# A small stand-in for nixpkgs' `lib`, written for nixgen's tests: just what the generated
# modules and the evaluation harness use, with the same semantics for those uses. Where nixpkgs'
# lib is at hand (NIXPKGS_LIB), the same tests run against it too (tests/test_minilib.py holds
# the two to the same answers).
let
  inherit (builtins)
    all
    any
    attrNames
    concatLists
    concatMap
    concatStringsSep
    elem
    elemAt
    filter
    foldl'
    functionArgs
    genList
    genericClosure
    head
    intersectAttrs
    isAttrs
    isBool
    isFloat
    isFunction
    isInt
    isList
    isPath
    isString
    length
    listToAttrs
    mapAttrs
    stringLength
    substring
    tail
    ;

  typeOf = x: if isAttrs x then x._type or null else null;
  isOption = x: typeOf x == "option";
  isStringLike = x: isString x || isPath x || (isAttrs x && (x ? outPath || x ? __toString));
  # As nixpkgs shows an option's path: names that are no Nix identifiers in quotes.
  showOption =
    path:
    concatStringsSep "." (
      map (
        part:
        if
          builtins.match "[A-Za-z_][A-Za-z0-9_'-]*" part != null
          && !(elem part [
            "if"
            "then"
            "else"
            "assert"
            "with"
            "let"
            "in"
            "rec"
            "inherit"
            "or"
          ])
          || elem part [
            "<name>"
            "<function body>"
            "*"
          ]
        then
          part
        else
          builtins.toJSON part
      ) path
    );
  # The characters a regular expression gives a meaning to (as nixpkgs' escapeRegex escapes).
  special = [
    "\\"
    "["
    "{"
    "("
    ")"
    "^"
    "$"
    "?"
    "*"
    "+"
    "|"
    "."
  ];

  lib = rec {
    inherit showOption;
    # ------------------------------------------------------------ attrsets, lists, strings
    pipe = value: functions: foldl' (x: f: f x) value functions;
    id = x: x;
    min = a: b: if a < b then a else b;
    max = a: b: if a > b then a else b;
    toList = x: if isList x then x else [ x ];
    last = list: elemAt list (length list - 1);
    reverseList =
      xs:
      let
        n = length xs;
      in
      genList (i: elemAt xs (n - i - 1)) n;
    imap1 = f: list: genList (i: f (i + 1) (elemAt list i)) (length list);
    filterAttrs =
      pred: set:
      listToAttrs (
        concatMap (
          name:
          if pred name set.${name} then
            [
              {
                inherit name;
                value = set.${name};
              }
            ]
          else
            [ ]
        ) (attrNames set)
      );
    mapAttrs' = f: set: listToAttrs (map (name: f name set.${name}) (attrNames set));
    inherit mapAttrs;
    optionalAttrs = cond: set: if cond then set else { };
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: list: if cond then list else [ ];
    hasSuffix =
      suffix: text:
      let
        lt = stringLength text;
        ls = stringLength suffix;
      in
      lt >= ls && substring (lt - ls) ls text == suffix;
    foldl' = builtins.foldl';
    filterAttrsRecursive =
      pred: set:
      listToAttrs (
        concatMap (
          name:
          let
            v = set.${name};
          in
          if pred name v then
            [
              {
                inherit name;
                value = if isAttrs v then filterAttrsRecursive pred v else v;
              }
            ]
          else
            [ ]
        ) (attrNames set)
      );
    attrByPath =
      attrPath: default: set:
      if attrPath == [ ] then
        set
      else if isAttrs set && set ? ${head attrPath} then
        attrByPath (tail attrPath) default set.${head attrPath}
      else
        default;
    getAttrFromPath =
      attrPath: set:
      attrByPath attrPath (abort "cannot find attribute `${concatStringsSep "." attrPath}'") set;
    setAttrByPath =
      attrPath: value:
      if attrPath == [ ] then value else { ${head attrPath} = setAttrByPath (tail attrPath) value; };
    hasPrefix = prefix: text: substring 0 (stringLength prefix) text == prefix;
    hasInfix = infix: text: builtins.match ".*${escapeRegex infix}.*" "${text}" != null;
    stringToCharacters = s: genList (i: substring i 1 s) (stringLength s);
    escapeRegex = builtins.replaceStrings special (map (c: "\\${c}") special);
    # The parts of `s` between the occurrences of `sep`, which is taken literally.
    splitString = sep: s: filter isString (builtins.split (escapeRegex (toString sep)) (toString s));
    # Attrsets on both sides merge key by key; anything else on the right wins.
    recursiveUpdate =
      lhs: rhs:
      lhs
      // mapAttrs (
        name: r:
        if lhs ? ${name} && isAttrs lhs.${name} && isAttrs r then recursiveUpdate lhs.${name} r else r
      ) rhs;
    versions.majorMinor =
      v:
      let
        parts = builtins.splitVersion v;
      in
      concatStringsSep "." (genList (elemAt parts) (min 2 (length parts)));
    versionOlder = v1: v2: builtins.compareVersions v2 v1 == 1;
    versionAtLeast = v1: v2: !versionOlder v1 v2;
    boolToString = b: if b then "true" else "false";
    # As nixpkgs' lib.warn before Nix 2.23 (without NIX_ABORT_ON_WARN): a trace, then the value.
    warn = msg: v: builtins.trace "evaluation warning: ${msg}" v;

    # ------------------------------------------------------------ option declarations
    mkOption = attrs: attrs // { _type = "option"; };
    mkEnableOption =
      name:
      mkOption {
        type = types.bool;
        default = false;
        example = true;
        description = "Whether to enable ${name}.";
      };
    literalExpression = text: {
      _type = "literalExpression";
      inherit text;
    };
    literalMD = text: {
      _type = "literalMD";
      inherit text;
    };

    # ------------------------------------------------------------ definitions
    mkIf = condition: content: {
      _type = "if";
      inherit condition content;
    };
    mkMerge = contents: {
      _type = "merge";
      inherit contents;
    };
    mkOverride = priority: content: {
      _type = "override";
      inherit priority content;
    };
    mkDefault = mkOverride 1000;
    mkForce = mkOverride 50;
    mkOptionDefault = mkOverride 1500;
    defaultOverridePriority = 100;

    # ------------------------------------------------------------ aliases (nixpkgs' doRename)
    # `from` is declared with `to`'s type (a submodule's where `to` lies inside one), reads as
    # `to`'s value, and its definitions become definitions of `to` at their own priority.
    doRename =
      {
        from,
        to,
        visible ? true,
        warn,
        use,
        withPriority ? true,
        condition ? true,
      }:
      { config, options, ... }:
      let
        fromOpt = getAttrFromPath from options;
        toOf = attrByPath to (abort "Renaming error: option `${showOption to}' does not exist.");
        toType = (attrByPath to { } options).type or (types.submodule { });
      in
      {
        options = setAttrByPath from (mkOption {
          inherit visible;
          description = "Alias of {option}`${showOption to}`.";
          apply = x: use (toOf config);
          type = toType;
        });
        config = mkIf condition (mkMerge [
          (optionalAttrs (options ? warnings) {
            # (nixpkgs also names the files that define `from`, which this lib does not track.)
            warnings = optional (
              warn && fromOpt.isDefined
            ) "The option `${showOption from}' has been renamed to `${showOption to}'.";
          })
          (
            if withPriority then
              mkAliasAndWrapDefsWithPriority (setAttrByPath to) fromOpt
            else
              mkAliasAndWrapDefinitions (setAttrByPath to) fromOpt
          )
        ]);
      };
    mkAliasOptionModule =
      from: to:
      doRename {
        inherit from to;
        visible = true;
        warn = false;
        use = id;
      };
    mkRenamedOptionModule =
      from: to:
      doRename {
        inherit from to;
        visible = false;
        warn = true;
        use = builtins.trace "Obsolete option `${showOption from}' is used. It was renamed to `${showOption to}'.";
      };
    # As nixpkgs: the option's definitions, merged, when it has any (with their priority).
    mkAliasDefinitions = mkAliasAndWrapDefinitions id;
    mkAliasAndWrapDefinitions = wrap: option: mkIf option.isDefined (wrap (mkMerge option.definitions));
    mkAliasAndWrapDefsWithPriority =
      wrap: option:
      mkIf option.isDefined (
        wrap (mkMerge (map (mkOverride (option.highestPrio or defaultOverridePriority)) option.definitions))
      );

    # ------------------------------------------------------------ types
    # As nixpkgs' lib.types, for the types the generated modules and the harnesses use: the
    # same checks, the same merges (each definition checked, then merged), the same messages.
    # `emptyValue.value`, where a type has one, is an option's value when nothing defines it
    # (nixpkgs: an attrset {}, a list [], null, a submodule's own config).
    mkOptionType =
      {
        name,
        description ? name,
        check ? (_: true),
        merge ? mergeDefaultOption,
        emptyValue ? { },
        getSubOptions ? (prefix: { }),
        ...
      }@attrs:
      attrs
      // {
        _type = "option-type";
        inherit
          name
          description
          check
          merge
          emptyValue
          getSubOptions
          ;
      };
    mergeEqualOption =
      loc: defs:
      let
        first = (head defs).value;
      in
      if length defs == 1 then
        first
      else if all (d: d.value == first) defs then
        first
      else
        throw "The option `${showOption loc}' has conflicting definition values.";
    # As nixpkgs: one definition as it is; several lists concatenated, attrsets merged
    # shallowly (their values untouched: an mkDefault inside stays one), booleans or'ed,
    # strings concatenated, equal ints one.
    mergeDefaultOption =
      loc: defs:
      let
        values = map (d: d.value) defs;
      in
      if length values == 1 then
        head values
      else if all isFunction values then
        x: mergeDefaultOption loc (map (f: { value = f x; }) values)
      else if all isList values then
        concatLists values
      else if all isAttrs values then
        foldl' (a: b: a // b) { } values
      else if all isBool values then
        any (x: x) values
      else if all isString values then
        concatStringsSep "" values
      else if all isInt values && all (x: x == head values) values then
        head values
      else
        throw "Cannot merge definitions of `${showOption loc}'.";
    types = rec {
      str = mkOptionType {
        name = "str";
        description = "string";
        check = isString;
        merge = mergeEqualOption;
      };
      # Definitions join, one a line.
      lines = mkOptionType {
        name = "separatedString";
        description = "strings concatenated with \"\\n\"";
        check = isString;
        merge = loc: defs: concatStringsSep "\n" (map (d: d.value) defs);
      };
      bool = mkOptionType {
        name = "bool";
        description = "boolean";
        check = isBool;
        merge = mergeEqualOption;
      };
      int = mkOptionType {
        name = "int";
        description = "signed integer";
        check = isInt;
        merge = mergeEqualOption;
      };
      float = mkOptionType {
        name = "float";
        description = "floating point number";
        check = isFloat;
        merge = mergeEqualOption;
      };
      path = mkOptionType {
        name = "path";
        description = "path";
        check = x: isStringLike x && substring 0 1 (toString x) == "/";
        merge = mergeEqualOption;
      };
      attrs = mkOptionType {
        name = "attrs";
        description = "attribute set";
        check = isAttrs;
        merge = loc: foldl' (res: def: res // def.value) { };
        emptyValue.value = { };
      };
      enum =
        values:
        let
          show = v: if isBool v then boolToString v else builtins.toJSON v;
        in
        mkOptionType {
          name = "enum";
          description =
            if values == [ ] then
              "impossible (empty enum)"
            else if length values == 1 then
              "value ${show (head values)} (singular enum)"
            else
              "one of ${concatStringsSep ", " (map show values)}";
          check = x: elem x values;
          merge = mergeEqualOption;
        };
      nullOr =
        t:
        mkOptionType {
          name = "nullOr";
          description = "null or ${t.description}";
          check = x: x == null || t.check x;
          merge =
            loc: defs:
            if all (d: d.value == null) defs then
              null
            else if all (d: d.value != null) defs then
              t.merge loc defs
            else
              throw "The option `${showOption loc}' is defined both null and not null.";
          emptyValue.value = null;
          getSubOptions = t.getSubOptions;
        };
      ints = {
        between =
          lowest: highest:
          addCheck int (x: x >= lowest && x <= highest)
          // {
            name = "intBetween";
            description = "integer between ${toString lowest} and ${toString highest} (both inclusive)";
          };
        # As nixpkgs' ints.u16, which types.port is.
        u16 = ints.between 0 65535 // {
          name = "unsignedInt16";
          description = "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
        };
        unsigned = addCheck int (x: x >= 0) // {
          name = "unsignedInt";
          description = "unsigned integer, meaning >=0";
        };
      };
      port = ints.u16;
      # A derivation or a store path (nixpkgs' merge also wraps a store path in a derivation).
      package = mkOptionType {
        name = "package";
        check =
          x:
          isAttrs x && x.type or null == "derivation"
          || isStringLike x && builtins.dirOf (toString x) == builtins.storeDir;
        merge = mergeEqualOption;
      };
      # Definitions that all have one branch's type merge by that type; a mix is a type error
      # (nixpkgs' lib since its checked merges; older ones took a single definition as is).
      either =
        t1: t2:
        mkOptionType {
          name = "either";
          description = "${t1.description} or ${t2.description}";
          check = x: t1.check x || t2.check x;
          merge =
            loc: defs:
            if all (d: t1.check d.value) defs then
              t1.merge loc defs
            else if all (d: t2.check d.value) defs then
              t2.merge loc defs
            else
              throw "A definition for option `${showOption loc}' is not of type `${t1.description} or ${t2.description}'.";
        };
      oneOf = ts: foldl' either (head ts) (tail ts);
      addCheck = t: extra: t // { check = x: t.check x && extra x; };
      # A value of `from` is turned into `to` by `f` before merging.
      coercedTo =
        from: f: to:
        mkOptionType {
          name = "coercedTo";
          description = "${to.description} or ${from.description} convertible to it";
          check = x: (from.check x && to.check (f x)) || to.check x;
          merge =
            loc: defs:
            to.merge loc (map (d: d // { value = if from.check d.value then f d.value else d.value; }) defs);
          inherit (to) emptyValue getSubOptions;
        };
      functionTo =
        t:
        mkOptionType {
          name = "functionTo";
          description = "function that evaluates to a(n) ${t.description}";
          check = isFunction;
          merge =
            loc: defs: fnArgs:
            (mergeValues (loc ++ [ "<function body>" ]) t (map (d: d.value fnArgs) defs)).value;
          getSubOptions = prefix: t.getSubOptions (prefix ++ [ "<function body>" ]);
        };
      # Each element is merged (and checked) as an option of its own, named after its place.
      listOf =
        t:
        mkOptionType {
          name = "listOf";
          description = "list of ${t.description}";
          check = isList;
          merge =
            loc: defs:
            concatLists (
              imap1 (
                n: d:
                concatLists (
                  imap1 (
                    m: x:
                    let
                      merged = mergeValues (loc ++ [ "[definition ${toString n}-entry ${toString m}]" ]) t [ x ];
                    in
                    if merged.isDefined then [ merged.value ] else [ ]
                  ) d.value
                )
              ) defs
            );
          emptyValue.value = [ ];
          getSubOptions = prefix: t.getSubOptions (prefix ++ [ "*" ]);
        };
      attrsOf =
        t:
        mkOptionType {
          name = "attrsOf";
          description = "attribute set of ${t.description}";
          check = isAttrs;
          merge =
            loc: defs:
            let
              names = foldl' (acc: d: acc // mapAttrs (_: _: null) d.value) { } defs;
              merged = mapAttrs (
                name: _:
                mergeValues (loc ++ [ name ]) t (
                  concatMap (d: if d.value ? ${name} then [ d.value.${name} ] else [ ]) defs
                )
              ) names;
            in
            mapAttrs (_: m: m.value) (filterAttrs (_: m: m.isDefined) merged);
          emptyValue.value = { };
          getSubOptions = prefix: t.getSubOptions (prefix ++ [ "<name>" ]);
        };
      anything = mkOptionType {
        name = "anything";
        description = "anything";
        merge =
          loc: defs:
          if all (d: isAttrs d.value && !isStringLike d.value) defs then
            (attrsOf anything).merge loc defs
          else
            mergeEqualOption loc defs;
      };
      # As nixpkgs: one definition as it is; several lists concatenated, attrsets merged
      # shallowly (their values untouched: an mkDefault inside stays one), equal ints one.
      unspecified = mkOptionType {
        name = "unspecified";
        description = "unspecified value";
      };
      # A module evaluation per value: the type's modules and each definition (an attrset is
      # that module's config, with `submodule`; else a module), `name` being the value's
      # attribute name. A `freeformType` among the modules types what they define beyond the
      # options they declare.
      submoduleWith =
        {
          modules,
          specialArgs ? { },
          shorthandOnlyDefinesConfig ? false,
          description ? null,
          ...
        }:
        let
          # The modules alone, as nixpkgs evaluates them for the empty value, the documentation
          # and the free-form type.
          base =
            prefix:
            evalModules {
              inherit modules prefix;
              specialArgs = {
                name = "‹name›";
              }
              // specialArgs;
            };
          freeformType = (base [ ]).freeformType;
        in
        mkOptionType {
          name = "submodule";
          description =
            if description != null then
              description
            else if freeformType != null then
              "open submodule of ${freeformType.description}"
            else
              "submodule";
          check = x: isAttrs x || isFunction x || types.path.check x;
          merge =
            loc: defs:
            (evalModules {
              modules =
                modules
                ++ map (
                  d: if isAttrs d.value && shorthandOnlyDefinesConfig then { config = d.value; } else d.value
                ) defs;
              specialArgs = {
                name = last loc;
              }
              // specialArgs;
              prefix = loc;
            }).config;
          emptyValue.value = (base [ ]).config;
          getSubOptions = prefix: (base prefix).options;
        };
      submodule =
        modules:
        submoduleWith {
          shorthandOnlyDefinesConfig = true;
          modules = toList modules;
        };
    };

    # nixpkgs' lib.mergeDefinitions: definitions { file; value; } in, the merge's outcome out.
    mergeDefinitions =
      loc: type: defs:
      let
        merged = mergeValues loc type (map (d: d.value) defs);
      in
      {
        inherit (merged) isDefined;
        defsFinal = map (value: { inherit value; }) merged.definitions;
        mergedValue = merged.value;
        optionalValue = if merged.isDefined then { inherit (merged) value; } else { };
      };
    modules = {
      inherit
        mergeDefinitions
        evalModules
        doRename
        mkAliasOptionModule
        mkRenamedOptionModule
        mkAliasDefinitions
        ;
    };
    # The definitions of an option (which may still be wrapped in mkIf, mkMerge and
    # mkOverride): those of the highest priority, each checked against the type, then merged;
    # as nixpkgs' option records give them (`value`, `definitions`, `highestPrio`,
    # `isDefined`).
    mergeValues =
      loc: type: values:
      let
        expanded = concatMap discharge values;
        priority = v: if typeOf v == "override" then v.priority else defaultOverridePriority;
        best = foldl' (acc: v: min acc (priority v)) 9999 expanded;
        kept = concatMap (v: if typeOf v == "override" then discharge v.content else [ v ]) (
          filter (v: priority v == best) expanded
        );
        isDefined = kept != [ ];
        merged =
          if all type.check kept then
            type.merge loc (map (value: { inherit value; }) kept)
          else
            throw "A definition for option `${showOption loc}' is not of type `${type.description}'.";
      in
      {
        inherit isDefined;
        definitions = kept;
        highestPrio = best;
        value =
          if isDefined then
            merged
          else if type.emptyValue ? value then
            type.emptyValue.value
          else
            throw "The option `${showOption loc}' is used but not defined.";
      };

    # mkIf/mkMerge at the top of a definition: the definitions they stand for.
    discharge =
      v:
      let
        t = typeOf v;
      in
      if t == "if" then
        (
          if !isBool v.condition then
            throw "mkIf called with a non-Boolean condition"
          else if v.condition then
            discharge v.content
          else
            [ ]
        )
      else if t == "merge" then
        concatMap discharge v.contents
      else
        # An override stays whole: its content is looked at only if its priority wins, so an
        # unused default (say, a fetchTree) is never evaluated.
        [ v ];

    # ------------------------------------------------------------ evaluation
    evalModules =
      {
        modules,
        specialArgs ? { },
        prefix ? [ ],
      }:
      let
        args = {
          inherit lib;
          options = optionsTree;
          config = configTree;
        }
        // specialArgs;
        call = f: if functionArgs f == { } then f args else f (intersectAttrs (functionArgs f) args);
        # A module as nixpkgs reads it, with the modules it imports (a path is known by its
        # name): an attrset with `options` or `config` is structured, any other is config (a
        # shorthand); `imports` and `freeformType` in either.
        load =
          key: m:
          if isPath m || isString m then
            load (toString m) (import m)
          else if isFunction m then
            load key (call m)
          else
            let
              structured = m ? options || m ? config;
            in
            {
              key = toString (m.key or key);
              options = m.options or { };
              config =
                if structured then
                  m.config or { }
                else
                  removeAttrs m [
                    "_class"
                    "_file"
                    "key"
                    "disabledModules"
                    "imports"
                    "freeformType"
                  ];
              freeformType = m.freeformType or null;
              imports = m.imports or [ ];
            };
        loadAll = key: ms: genList (n: load "${key}:anon-${toString (n + 1)}" (elemAt ms n)) (length ms);
        # In nixpkgs' order: breadth first, each module once, then reversed, so that a later
        # module's definitions come first (what a list or `lines` option's merge shows).
        loaded = reverseList (genericClosure {
          startSet = loadAll "" modules;
          operator = m: loadAll m.key m.imports;
        });
        freeformType = foldl' (found: m: if found == null then m.freeformType else found) null loaded;

        # Declarations of one option in several modules merge; each of type, default,
        # description and apply may come from one of them only.
        mergeDecls =
          path: a: b:
          a
          // mapAttrs (
            name: decl:
            if !(a ? ${name}) then
              decl
            else if isOption decl && isOption a.${name} then
              mergeOption (path ++ [ name ]) a.${name} decl
            else if isOption decl || isOption a.${name} then
              throw "The option `${
                showOption (prefix ++ path ++ [ name ])
              }' is declared as an option and as a set of options."
            else
              mergeDecls (path ++ [ name ]) a.${name} decl
          ) b;
        mergeOption =
          path: a: b:
          if
            any (k: a ? ${k} && b ? ${k}) [
              "type"
              "default"
              "description"
              "apply"
              "example"
            ]
          then
            throw "The option `${showOption (prefix ++ path)}' is already declared."
          else
            a // b;
        declarations = foldl' (mergeDecls [ ]) { } (map (m: m.options) loaded);

        # Definitions of `path` in one module's config. mkIf and mkOverride are pushed down
        # without looking at a condition, so an option's own value never depends on a condition
        # over it.
        defsAt =
          path: v:
          let
            t = typeOf v;
          in
          if t == "if" then
            map (mkIf v.condition) (defsAt path v.content)
          else if t == "merge" then
            concatMap (defsAt path) v.contents
          else if path == [ ] then
            [ v ]
          else if t == "override" then
            map (mkOverride v.priority) (defsAt path v.content)
          else if isAttrs v && v ? ${head path} then
            defsAt (tail path) v.${head path}
          else
            [ ];

        # An option's record: its declaration, and what its definitions (the default at the
        # lowest priority) make of it.
        evalOption =
          path: decl:
          let
            loc = prefix ++ path;
            merged = mergeValues loc (decl.type or types.unspecified) (
              concatMap (m: defsAt path m.config) loaded
              ++ (if decl ? default then [ (mkOptionDefault decl.default) ] else [ ])
            );
          in
          decl
          // {
            inherit loc;
            inherit (merged) isDefined definitions highestPrio;
            value = if decl ? apply then decl.apply merged.value else merged.value;
          };
        evalTree =
          path: tree:
          if isOption tree then evalOption path tree else mapAttrs (name: evalTree (path ++ [ name ])) tree;
        optionsTree = evalTree [ ] declarations;
        valuesOf = tree: if isOption tree then tree.value else mapAttrs (_: valuesOf) tree;
        declaredConfig = valuesOf optionsTree;

        # Definitions that land on no declared option: the freeform type's, else an error.
        unmatched =
          path: decls: v:
          let
            t = typeOf v;
          in
          if isOption decls then
            [ ]
          else if t == "if" || t == "override" then
            map (
              u:
              u
              // {
                value = if t == "if" then mkIf v.condition u.value else mkOverride v.priority u.value;
              }
            ) (unmatched path decls v.content)
          else if t == "merge" then
            concatMap (unmatched path decls) v.contents
          else if isAttrs v then
            concatMap (
              name:
              if decls ? ${name} then
                unmatched (path ++ [ name ]) decls.${name} v.${name}
              else if freeformType == null then
                throw "The option `${showOption (prefix ++ path ++ [ name ])}' does not exist."
              else
                [
                  {
                    path = path ++ [ name ];
                    value = v.${name};
                  }
                ]
            ) (attrNames v)
          else
            throw "The option `${showOption (prefix ++ path)}' is not an option but was given a value.";
        freeDefs = concatMap (m: unmatched [ ] declarations m.config) loaded;
        # What the modules see; the configuration's `config` is checked first (below), as
        # nixpkgs checks it: a module may read its own config while its definitions are walked.
        configTree =
          if freeformType == null || freeDefs == [ ] then
            declaredConfig
          else
            recursiveUpdate (freeformType.merge prefix (
              map (u: { value = setAttrByPath u.path u.value; }) freeDefs
            )) declaredConfig;
      in
      {
        options = optionsTree;
        inherit freeformType;
        config = builtins.seq (length freeDefs) configTree;
      };
  };
in
lib
