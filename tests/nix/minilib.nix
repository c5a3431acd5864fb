# A small stand-in for nixpkgs' `lib`, written for nixgen's tests: just what the generated
# modules and the evaluation harness use, with the same semantics for those uses. Where nixpkgs'
# lib is at hand (NIXPKGS_LIB), the same tests run against it too (tests/test_minilib.py holds
# the two to the same answers).
let
  inherit (builtins)
    all
    attrNames
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
  showOption = path: concatStringsSep "." path;
  # The characters a regular expression gives a meaning to.
  special = [
    "\\"
    "["
    "]"
    "{"
    "}"
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
    # ------------------------------------------------------------ attrsets, lists, strings
    pipe = value: functions: foldl' (x: f: f x) value functions;
    id = x: x;
    min = a: b: if a < b then a else b;
    max = a: b: if a > b then a else b;
    toList = x: if isList x then x else [ x ];
    reverseList =
      xs:
      let
        n = length xs;
      in
      genList (i: elemAt xs (n - i - 1)) n;
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
      attrPath: set: attrByPath attrPath (throw "cannot find attribute `${showOption attrPath}'") set;
    setAttrByPath =
      attrPath: value:
      if attrPath == [ ] then value else { ${head attrPath} = setAttrByPath (tail attrPath) value; };
    hasPrefix = prefix: text: substring 0 (stringLength prefix) text == prefix;
    stringToCharacters = s: genList (i: substring i 1 s) (stringLength s);
    escapeRegex = builtins.replaceStrings special (map (c: "\\${c}") special);
    # The parts of `s` between the occurrences of `sep`, which is taken literally.
    splitString = sep: s: filter isString (builtins.split (escapeRegex sep) s);
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
        warn,
        use,
      }:
      { config, options, ... }:
      let
        fromOpt = getAttrFromPath from options;
        toOf = attrByPath to (throw "Renaming error: option `${showOption to}' does not exist.");
        toType = (attrByPath to { } options).type or (types.submodule { });
      in
      {
        options = setAttrByPath from (mkOption {
          description = "Alias of `${showOption to}'.";
          apply = x: use (toOf config);
          type = toType;
        });
        config = mkMerge [
          (optionalAttrs (options ? warnings) {
            warnings = optional (
              warn && fromOpt.isDefined
            ) "The option `${showOption from}' has been renamed to `${showOption to}'.";
          })
          (mkIf fromOpt.isDefined (
            setAttrByPath to (mkMerge (map (mkOverride fromOpt.highestPrio) fromOpt.definitions))
          ))
        ];
      };
    mkAliasOptionModule =
      from: to:
      doRename {
        inherit from to;
        warn = false;
        use = x: x;
      };
    mkRenamedOptionModule =
      from: to:
      doRename {
        inherit from to;
        warn = true;
        use = builtins.trace "Obsolete option `${showOption from}' is used. It was renamed to `${showOption to}'.";
      };

    # ------------------------------------------------------------ types
    mkOptionType =
      {
        name,
        description ? name,
        check ? (_: true),
        merge ? mergeEqualOption,
      }:
      {
        _type = "option-type";
        inherit
          name
          description
          check
          merge
          ;
      };
    mergeEqualOption =
      loc: defs:
      let
        first = (head defs).value;
      in
      if all (d: d.value == first) defs then
        first
      else
        throw "The option `${showOption loc}' has conflicting definition values.";

    types = rec {
      str = mkOptionType {
        name = "str";
        description = "string";
        check = isString;
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
      };
      int = mkOptionType {
        name = "int";
        description = "signed integer";
        check = isInt;
      };
      float = mkOptionType {
        name = "float";
        description = "floating point number";
        check = isFloat;
      };
      path = mkOptionType {
        name = "path";
        description = "path";
        check = x: isStringLike x && substring 0 1 (toString x) == "/";
      };
      enum =
        values:
        mkOptionType {
          name = "enum";
          description = "one of ${concatStringsSep ", " (map builtins.toJSON values)}";
          check = x: elem x values;
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
        };
      ints = {
        between =
          lowest: highest:
          mkOptionType {
            name = "intBetween";
            description = "integer between ${toString lowest} and ${toString highest} (both inclusive)";
            check = x: isInt x && x >= lowest && x <= highest;
          };
        # As nixpkgs' ints.u16, which types.port is.
        u16 = mkOptionType {
          name = "unsignedInt16";
          description = "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
          check = x: isInt x && x >= 0 && x <= 65535;
        };
        unsigned = mkOptionType {
          name = "unsignedInt";
          description = "unsigned integer, meaning >=0";
          check = x: isInt x && x >= 0;
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
      };
      # Definitions that all have one branch's type merge by that type; a mix is a type error.
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
      # Definitions concatenate; each element must have the element type.
      listOf =
        t:
        mkOptionType {
          name = "listOf";
          description = "list of ${t.description}";
          check = isList;
          merge =
            loc: defs:
            concatMap (
              d:
              map (
                x:
                if t.check x then
                  x
                else
                  throw "A definition for option `${showOption loc}' is not of type `list of ${t.description}'."
              ) d.value
            ) defs;
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
              # Each definition may carry mkIf/mkMerge/mkOverride inside its attributes.
              expanded = concatMap (d: map (value: { inherit value; }) (discharge d.value)) defs;
              names = foldl' (acc: d: acc // mapAttrs (_: _: null) d.value) { } expanded;
            in
            mapAttrs (
              name: _:
              mergeDefinitions (loc ++ [ name ]) t (
                concatMap (d: if d.value ? ${name} then [ d.value.${name} ] else [ ]) expanded
              )
            ) names;
        };
      anything = mkOptionType {
        name = "anything";
        merge =
          loc: defs:
          if all (d: isAttrs d.value && !isStringLike d.value) defs then
            (attrsOf anything).merge loc defs
          else
            mergeEqualOption loc defs;
      };
      unspecified = anything;
      # Its definitions are the modules (each a definition's value as `config`) that evaluate,
      # with `modules`, to its value; a `freeformType` among them types what they define beyond
      # the options they declare.
      submodule =
        modules:
        let
          freeform = (evalModules { modules = toList modules; }).freeformType;
        in
        mkOptionType {
          name = "submodule";
          description = if freeform == null then "submodule" else "open submodule of ${freeform.description}";
          check = x: isAttrs x || isFunction x;
          merge =
            loc: defs:
            (evalModules {
              modules = toList modules ++ map (d: { config = d.value; }) defs;
              prefix = loc;
            }).config;
        }
        // {
          getSubOptions = prefix: (evalModules { modules = toList modules; }).options;
        };
    };

    # An option's definitions (which may still be wrapped in mkIf, mkMerge and mkOverride):
    # those of the highest priority, their value merged by the type and checked, as nixpkgs'
    # option records give them (`value`, `definitions`, `highestPrio`, `isDefined`).
    mergeDefinitions' =
      loc: type: values:
      let
        expanded = concatMap discharge values;
        priority = v: if typeOf v == "override" then v.priority else defaultOverridePriority;
        best = foldl' (acc: v: min acc (priority v)) 9999 expanded;
        kept = concatMap (v: if typeOf v == "override" then discharge v.content else [ v ]) (
          filter (v: priority v == best) expanded
        );
        merged = type.merge loc (map (value: { inherit value; }) kept);
      in
      {
        definitions = kept;
        highestPrio = best;
        isDefined = kept != [ ];
        value =
          if kept == [ ] then
            throw "The option `${showOption loc}' is used but not defined."
          else if type.check merged then
            merged
          else
            throw "A definition for option `${showOption loc}' is not of type `${type.description}'.";
      };
    mergeDefinitions =
      loc: type: values:
      (mergeDefinitions' loc type values).value;

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
          inherit lib options;
          config = configTree;
        }
        // specialArgs;
        call = f: if functionArgs f == { } then f args else f (intersectAttrs (functionArgs f) args);
        # A module as its parts, and the modules it imports (a path is known by its name).
        load =
          key: m:
          if isPath m || isString m then
            load (toString m) (import m)
          else if isFunction m then
            load key (call m)
          else
            let
              structured = m ? options || m ? config || m ? freeformType;
            in
            {
              inherit key;
              options = m.options or { };
              config = if structured then m.config or { } else removeAttrs m [ "imports" ];
              freeformType = m.freeformType or null;
              imports = m.imports or [ ];
            };
        loadAll = key: ms: genList (n: load "${key}:${toString n}" (elemAt ms n)) (length ms);
        # In nixpkgs' order: breadth first, each module once, then reversed, so that a later
        # module's definitions come first (what a list or `lines` option's merge shows).
        loaded = reverseList (genericClosure {
          startSet = loadAll "" modules;
          operator = m: loadAll m.key m.imports;
        });
        freeformType = foldl' (found: m: if found == null then m.freeformType else found) null loaded;

        mergeDecls =
          path: a: b:
          a
          // mapAttrs (
            name: decl:
            if !(a ? ${name}) then
              decl
            else if isOption decl || isOption a.${name} then
              throw "The option `${showOption (path ++ [ name ])}' is declared twice."
            else
              mergeDecls (path ++ [ name ]) a.${name} decl
          ) b;
        declarations = foldl' (mergeDecls prefix) { } (map (m: m.options) loaded);

        # Definitions of `path` in one module's config. mkIf is pushed down without looking at
        # its condition, so an option's own value never depends on a condition over it.
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
          else if isAttrs v && v ? ${head path} then
            defsAt (tail path) v.${head path}
          else
            [ ];

        # An option's record: its declaration, and what its definitions (the default at the
        # lowest priority) make of it.
        record =
          path: decl:
          let
            merged = mergeDefinitions' (prefix ++ path) (decl.type or types.unspecified) (
              concatMap (m: defsAt path m.config) loaded
              ++ (if decl ? default then [ (mkOptionDefault decl.default) ] else [ ])
            );
          in
          decl
          // {
            inherit (merged) definitions highestPrio isDefined;
            value = if decl ? apply then decl.apply merged.value else merged.value;
          };
        recordTree =
          path: tree:
          if isOption tree then record path tree else mapAttrs (name: recordTree (path ++ [ name ])) tree;
        options = recordTree [ ] declarations;
        valueTree = tree: if isOption tree then tree.value else mapAttrs (name: valueTree) tree;
        declared = valueTree options;

        # Definitions beyond the declared options, each with the path it stands at: the
        # free-form type's to merge (without one, there must be none).
        unmatched =
          path: decls: v:
          let
            t = typeOf v;
          in
          if isOption decls then
            [ ]
          else if t == "if" then
            map (d: d // { value = mkIf v.condition d.value; }) (unmatched path decls v.content)
          else if t == "merge" then
            concatMap (unmatched path decls) v.contents
          else if isAttrs v && t == null then
            concatMap (
              name:
              if decls ? ${name} then
                unmatched (path ++ [ name ]) decls.${name} v.${name}
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
        extra = concatMap (m: unmatched [ ] declarations m.config) loaded;
        configTree =
          if freeformType == null then
            if extra == [ ] then
              declared
            else
              throw "The option `${showOption (prefix ++ (head extra).path)}' does not exist."
          else if extra == [ ] then
            declared
          else
            recursiveUpdate (freeformType.merge prefix (
              map (d: { value = setAttrByPath d.path d.value; }) extra
            )) declared;
      in
      {
        inherit options freeformType;
        config = configTree;
      };
  };
in
lib
