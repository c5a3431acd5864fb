# A small stand-in for nixpkgs' `lib`, written for nixgen's tests: just what the generated
# modules and the evaluation harness use, with the same semantics for those uses. Where nixpkgs'
# lib is at hand (NIXPKGS_LIB), the same tests run against it too.
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
    head
    intersectAttrs
    isAttrs
    isBool
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

  min = a: b: if a < b then a else b;
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
  last = list: elemAt list (length list - 1);
  reverseList = list: genList (i: elemAt list (length list - 1 - i)) (length list);
  imap1 = f: list: genList (i: f (i + 1) (elemAt list i)) (length list);

  lib = rec {
    inherit showOption last;
    # ------------------------------------------------------------ attrsets, lists, strings
    pipe = value: functions: foldl' (x: f: f x) value functions;
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
    hasPrefix = prefix: text: substring 0 (stringLength prefix) text == prefix;
    setAttrByPath =
      attrPath: value:
      if attrPath == [ ] then value else { ${head attrPath} = setAttrByPath (tail attrPath) value; };
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
        merge ? mergeEqualOption,
        emptyValue ? { },
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
    types = rec {
      str = mkOptionType {
        name = "str";
        description = "string";
        check = isString;
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
        check = builtins.isFloat;
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
          emptyValue.value = null;
        };
      # As nixpkgs' ints.u16, which types.port is.
      ints.u16 = mkOptionType {
        name = "unsignedInt16";
        description = "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
        check = x: isInt x && x >= 0 && x <= 65535;
      };
      port = ints.u16;
      ints.unsigned = mkOptionType {
        name = "unsignedInt";
        description = "unsigned integer, meaning >=0";
        check = x: isInt x && x >= 0;
      };
      # A derivation or a store path (nixpkgs' merge also wraps a store path in a derivation).
      package = mkOptionType {
        name = "package";
        check =
          x:
          isAttrs x && x.type or null == "derivation"
          || isStringLike x && builtins.dirOf (toString x) == builtins.storeDir;
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
        merge =
          loc: defs:
          let
            values = map (d: d.value) defs;
          in
          if length values == 1 then
            head values
          else if all isList values then
            concatLists values
          else if all isAttrs values then
            foldl' (a: b: a // b) { } values
          else if all isInt values && all (x: x == head values) values then
            head values
          else
            throw "Cannot merge definitions of `${showOption loc}'.";
      };
      # A module evaluation per value: the type's modules and each definition (an attrset is
      # that module's config, a function a module), `name` being the value's attribute name.
      submoduleWith =
        {
          modules,
          specialArgs ? { },
          ...
        }:
        mkOptionType rec {
          name = "submodule";
          description = "submodule";
          check = x: isAttrs x || isFunction x || isPath x;
          merge =
            loc: defs:
            (evalModules {
              modules = modules ++ map (d: if isAttrs d.value then { config = d.value; } else d.value) defs;
              specialArgs = specialArgs // {
                name = last loc;
              };
              prefix = loc;
            }).config;
          emptyValue.value = merge [ "<name>" ] [ ];
        };
      submodule = m: submoduleWith { modules = if isList m then m else [ m ]; };
    };

    # The definitions of an option (which may still be wrapped in mkIf, mkMerge and
    # mkOverride): those of the highest priority, each checked against the type, then merged.
    # `definitions` are their values (as `options.<path>.definitions` shows them).
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
    modules = { inherit mergeDefinitions; };
    mergeValues =
      loc: type: values:
      let
        expanded = concatMap discharge values;
        priority = v: if typeOf v == "override" then v.priority else 100;
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

    # As nixpkgs' mkAliasOptionModule: `from` is another name for `to`. Its definitions
    # become `to`'s, and reading it reads `to`.
    mkAliasOptionModule =
      from: to:
      { config, options, ... }:
      let
        fromOpt = attrByPath from { } options;
      in
      {
        options = setAttrByPath from (mkOption {
          type = (attrByPath to { } options).type;
          apply = _: attrByPath to null config;
        });
        config = mkIf (fromOpt.isDefined or false) (setAttrByPath to (mkMerge fromOpt.definitions));
      };
    # As nixpkgs: the option's definitions, merged, when it has any.
    mkAliasDefinitions =
      option: mkIf (isOption option && option.isDefined) (mkMerge option.definitions);

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
        # Modules as nixpkgs reads them: an attrset with `options` or `config` is structured,
        # any other is config (a shorthand); `imports` and `freeformType` in either.
        load =
          m:
          if isPath m || isString m then
            load (import m)
          else if isFunction m then
            load (call m)
          else
            let
              structured = m ? options || m ? config;
            in
            [
              {
                options = m.options or { };
                config =
                  if structured then
                    m.config or { }
                  else
                    removeAttrs m [
                      "imports"
                      "freeformType"
                      "_file"
                      "key"
                    ];
                freeformType = m.freeformType or null;
              }
            ]
            ++ concatMap load (m.imports or [ ]);
        loaded = concatMap load modules;

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
        freeforms = filter (t: t != null) (map (m: m.freeformType) loaded);
        freeformType = if freeforms == [ ] then null else head freeforms;

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

        evalOption =
          path: decl:
          let
            loc = prefix ++ path;
            # Later modules' definitions first, as nixpkgs collects them (a list option
            # lists the last module's elements first).
            merged = mergeValues loc (decl.type or types.unspecified) (
              concatMap (m: defsAt path m.config) (reverseList loaded)
              ++ (if decl ? default then [ (mkOptionDefault decl.default) ] else [ ])
            );
          in
          decl
          // {
            inherit loc;
            inherit (merged) isDefined definitions;
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
        config = builtins.seq (length freeDefs) configTree;
      };
  };
in
lib
