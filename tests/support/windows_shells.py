"""How a Command Prompt and PowerShell hand a typed word to a program, as esp's hints must
be typed there: a Windows runner is not at hand, so the rules are reproduced here."""

from __future__ import annotations

import re


def program_args(line: str) -> list[str]:
    """The arguments a program (Python's, the C runtime's rules) reads from a command line
    typed in a Command Prompt, which hands the line on as typed: spaces part arguments
    outside double quotes; 2n backslashes before a " are n and the " quotes, 2n+1 are n and
    a " typed; "" inside quotes is a "; a ' is a character like any other."""
    args: list[str] = []
    cur: list[str] = []
    quoted = have = False
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\":
            n = 0
            while i < len(line) and line[i] == "\\":
                n, i = n + 1, i + 1
            have = True
            if i < len(line) and line[i] == '"':
                cur.append("\\" * (n // 2))
                if n % 2:
                    cur.append('"')
                    i += 1
            else:
                cur.append("\\" * n)
            continue
        if c == '"':
            if quoted and line[i + 1 : i + 2] == '"':
                cur.append('"')
                i += 2
                continue
            quoted, have, i = not quoted, True, i + 1
            continue
        if c in " \t" and not quoted:
            if have:
                args.append("".join(cur))
                cur, have = [], False
            i += 1
            continue
        cur.append(c)
        have, i = True, i + 1
    if have:
        args.append("".join(cur))
    return args


_EXPANDS = re.compile(r"\$(?=[\w{(?^$:])")


def powershell_word(word: str) -> str | None:
    """The text PowerShell makes of one quoted word: '...' as typed (a '' is a '); "..."
    with a backtick escaping the next character and "" a " — None when a $ in it would
    be read as a variable or an expression (the text would not be the one typed)."""
    if len(word) >= 2 and word[0] == word[-1] == "'":
        inner = word[1:-1]
        if "'" in inner.replace("''", ""):
            return None  # the word ends at the lone '

        return inner.replace("''", "'")
    if len(word) >= 2 and word[0] == word[-1] == '"':
        inner = word[1:-1]
        if _EXPANDS.search(inner):
            return None
        out, i = [], 0
        while i < len(inner):
            c = inner[i]
            if c == "`" and i + 1 < len(inner):
                out.append(inner[i + 1])
                i += 2
            elif c == '"' and inner[i + 1 : i + 2] == '"':
                out.append('"')
                i += 2
            elif c == '"':
                return None  # the word ends here
            else:
                out.append(c)
                i += 1
        return "".join(out)
    return None
