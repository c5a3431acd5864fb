"""Run nixfmt over generated source: `--format auto|always|never`.

nixgen's own output is already in nixfmt's layout, so nixfmt is a check of that claim and a
guard for users whose nixfmt differs; a failure is reported, never half-applied. nixfmt is not
trusted blindly: what it prints must be Nix before anything is written (it parses with
`nix-instantiate --parse` when Nix is on PATH; else it is at least non-empty with its brackets
and strings closed). nixfmt runs in a session of its own, so a time-out kills it and every
process it started, and none of them can hold nixgen's pipes open.
"""

from __future__ import annotations

import shutil

from nixgen import process
from nixgen.errors import NixgenError

TIMEOUT_SECONDS = 30.0


class FormatError(NixgenError):
    """nixfmt was required and missing, failed, did not finish, or printed no Nix."""


def format_source(text: str, mode: str, filename: str = "cilium.nix") -> str:
    if mode == "never":
        return text
    exe = shutil.which("nixfmt")
    if exe is None:
        if mode == "always":
            raise FormatError("--format always: nixfmt is not on PATH")
        return text
    try:
        code, out, err = _run([exe, f"--filename={filename}", "-"], text.encode("utf-8"))
    except process.TimedOut:
        raise FormatError(f"nixfmt did not finish within {TIMEOUT_SECONDS:g} seconds") from None
    except OSError as error:
        raise FormatError(f"nixfmt could not run: {error}") from None
    if code != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        reason = message[0] if message else "no message"
        raise FormatError(f"nixfmt failed (exit {code}): {reason}")
    try:
        formatted = out.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("nixfmt printed text that is not UTF-8") from None
    problem = not_nix(formatted)
    if problem is not None:
        raise FormatError(f"nixfmt ({exe}) exited 0 but printed {problem}; nothing was written "
                          "(--format never skips nixfmt)")  # fmt: skip
    return formatted


def _run(argv: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
    """Run `argv` with `stdin` within TIMEOUT_SECONDS (nixgen.process)."""
    return process.run(argv, stdin, TIMEOUT_SECONDS)


def not_nix(text: str) -> str | None:
    """What is wrong with `text` as a Nix file (as a short phrase), or None when it is Nix:
    judged by `unbalanced`, then parsed by `nix-instantiate --parse` when Nix is on PATH."""
    if not text.strip():
        return "nothing" if not text else "only whitespace"
    problem = unbalanced(text)
    if problem is not None:
        return f"what is not Nix ({problem})"
    exe = shutil.which("nix-instantiate")
    if exe is not None:
        # Nix's parser also refuses free variables; a document such as `nixgen values` prints
        # may name `config` or `cfg`, so it is parsed where any name may stand (`with`).
        wrapped = f"with {{ }}; (\n{text}\n)"
        try:
            code, _, err = _run([exe, "--parse", "-"], wrapped.encode("utf-8"))
        except (process.TimedOut, OSError):
            return None  # Nix cannot judge it here: the plain check above stands
        if code != 0:
            lines = [" ".join(x.split()) for x in err.decode("utf-8", "replace").splitlines()]
            first = next((x for x in lines if x), "no message")
            return f"what Nix cannot parse ({first.removeprefix('error: ')})"
    return None


_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def unbalanced(text: str) -> str | None:
    """A plain check that `text` could be Nix, for when Nix is not there to parse it: every
    bracket closed by its own kind, every string (`"..."`, `''...''`) and `/* */` comment
    closed, `${ }` inside strings followed, and something besides comments. None when it
    holds, else what breaks it."""
    stack: list[str] = []  # open brackets, and `"`/`''` for the string an interpolation is in
    i, n = 0, len(text)
    code = False  # whether anything but comments and blanks was seen
    while i < n:
        c = text[i]
        top = stack[-1] if stack else ""
        if top in ('"', "''"):
            if top == '"' and c == "\\":
                i += 2
                continue
            if top == "''" and text.startswith("''", i):
                if text.startswith(("'''", "''$", "''\\"), i):
                    i += 3
                    continue
                stack.pop()
                i += 2
                continue
            if top == '"' and c == '"':
                stack.pop()
            elif text.startswith("$$", i):  # Nix reads `$$` as two dollars: no interpolation
                i += 2
                continue
            elif text.startswith("${", i):
                stack.append("${")
                i += 2
                continue
            i += 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return "a comment is not closed"
            i = end + 2
            continue
        code = code or not c.isspace()
        if c.isalpha() or c == "_":  # an identifier, which may hold `'` (`x''` is one)
            i += 1
            while i < n and (text[i].isalnum() or text[i] in "_'-"):
                i += 1
            continue
        if c == '"':
            stack.append('"')
        elif text.startswith("''", i):
            stack.append("''")
            i += 2
            continue
        elif text.startswith("${", i):
            stack.append("${")
            i += 2
            continue
        elif c in _CLOSERS:
            stack.append(c)
        elif c in ")]}":
            want = "}" if top == "${" else _CLOSERS.get(top)
            if want != c:
                return f"an unmatched {c!r}"
            stack.pop()
        i += 1
    if stack:
        opened = stack[-1]
        return "a string is not closed" if opened in ('"', "''") else f"an unclosed {opened!r}"
    return None if code else "only comments"
