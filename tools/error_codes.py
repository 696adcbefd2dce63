#!/usr/bin/python3
"""Lists every error code the daemon can send, with the C files that raise it.

The staff pages show refusals in Vietnamese by looking the code up in
dispatch/www/errors.js; tests/api/test_error_codes.py runs this script so that a code added
in C without a Vietnamese text (or a text left for a code no longer raised) fails the tests.

Run from anywhere:  python3 tools/error_codes.py [--root DIR] [--json]
Output: one line per code, "code<TAB>file file ...", sorted by code.

What counts as raising a code (the C sources of db/, tracking/, dispatch/ and labels/ —
labels/ too because the proof-of-delivery checks reach the courier's page):
  - hoso_err_set(err, status, CODE, ...) and http_reply_fail(req, status, CODE, ...), where
    CODE is a string literal, a ?: of literals, NULL (the status's name: "internal" ...), or
    a local variable whose literal assignments in the same file are taken;
  - a hand-built error body: json_pack(... "error", "code", "literal" ...) and the 429
    helper reply_429(req, seconds, "literal", ...).
A code expression the script cannot read makes it exit 2, so that a new indirect form is
noticed rather than silently skipped. Forwarding an already-set code (e.code, why.code) is
not a new code and is ignored.
"""
import argparse
import json
import os
import re
import sys

DIRS = ("db", "tracking", "dispatch", "labels")
CALLS = ("hoso_err_set", "http_reply_fail")
# Copies of a code that some other call already set (config.c, txn.c).
FORWARDED = re.compile(r"^(?:\w+\.code|\w+->code)$")
# hoso_status_name() in common/err.c, the code a NULL code becomes.
STATUS_NAMES = {
    "HOSO_INVALID": "invalid", "HOSO_UNAUTHORIZED": "unauthorized",
    "HOSO_FORBIDDEN": "forbidden", "HOSO_NOT_FOUND": "not_found", "HOSO_CONFLICT": "conflict",
    "HOSO_TOO_LARGE": "too_large", "HOSO_UNAVAILABLE": "unavailable",
    "HOSO_INTERNAL": "internal",
}
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")


def strip_comments(src):
    """Blanks out comments (keeping newlines and string literals) so that a call named in a
    comment is not taken for a call."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call_args(src, start):
    """The top-level arguments of the call whose '(' is just before start."""
    args, cur, depth, i = [], [], 1, start
    while i < len(src) and depth:
        c = src[i]
        if c == '"':
            m = LITERAL.match(src, i)
            cur.append(m.group(0))
            i = m.end()
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if not depth:
                break
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    args.append("".join(cur).strip())
    return args


def codes_of(expr, status, src, where, problems):
    """The codes an argument expression can evaluate to."""
    if expr == "NULL":
        names = [STATUS_NAMES[s] for s in re.findall(r"HOSO_[A-Z_]+", status) if s in STATUS_NAMES]
        if not names:
            problems.append(f"{where}: NULL code with a status the script cannot read: {status}")
        return names
    if FORWARDED.match(expr):
        return []
    lits = LITERAL.findall(expr)
    rest = LITERAL.sub("", expr)
    if lits:
        # "a" / c ? "a" : "b" / why.code[0] ? why.code : "db_io"
        leftover = re.sub(r"[\w.\[\]>-]+\s*(?:==|!=|<|>|<=|>=)\s*[\w.\[\]-]+|[?:()\s]", "", rest)
        leftover = re.sub(r"\w+(?:\.|->)code(?:\[0\])?|\w+|[<>=!]", "", leftover)
        if leftover:
            problems.append(f"{where}: unreadable code expression: {expr}")
        return lits
    if re.fullmatch(r"[A-Za-z_]\w*", expr):
        # A local variable: every literal assigned to it in this file.
        found = re.findall(r"\b" + re.escape(expr) + r'\s*=\s*"([^"]*)"', src)
        if found:
            return found
    problems.append(f"{where}: unreadable code expression: {expr}")
    return []


def scan(root):
    """{code: set(files)} and a list of problems."""
    codes, problems = {}, []
    for d in DIRS:
        for dirpath, _dirs, files in os.walk(os.path.join(root, d)):
            for name in sorted(files):
                if not name.endswith(".c"):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8") as f:
                    src = strip_comments(f.read())
                found = []
                for m in re.finditer(r"\b(" + "|".join(CALLS) + r"|reply_429)\s*\(", src):
                    # Skip the definitions and prototypes ("void http_reply_fail(http_req ...").
                    before = src[src.rfind("\n", 0, m.start()) + 1:m.start()]
                    prev = re.search(r"(\w+)\s*\**\s*$", before)
                    if prev and prev.group(1) not in ("return", "else", "do"):
                        continue
                    args = call_args(src, m.end())
                    where = f"{rel}:{src.count(chr(10), 0, m.start()) + 1}"
                    if m.group(1) == "reply_429":
                        code, status = args[2] if len(args) > 2 else "", "HOSO_INVALID"
                    else:
                        if len(args) < 3:
                            problems.append(f"{where}: {m.group(1)} with too few arguments")
                            continue
                        code, status = args[2], args[1]
                    found += codes_of(code, status, src, where, problems)
                # Error bodies built by hand: {"error": {"code": "rate_limited", ...}}
                for m in re.finditer(r'"error"\s*,\s*"code"\s*,\s*"([^"]+)"', src):
                    found.append(m.group(1))
                for c in found:
                    if not CODE_SHAPE.match(c):
                        problems.append(f"{rel}: odd code {c!r}")
                        continue
                    codes.setdefault(c, set()).add(rel)
    return codes, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help="source root (default: this script's parent directory)")
    ap.add_argument("--json", action="store_true", help="print {code: [files]} as JSON")
    a = ap.parse_args()
    codes, problems = scan(a.root)
    for p in problems:
        print("error_codes.py: " + p, file=sys.stderr)
    if a.json:
        print(json.dumps({c: sorted(f) for c, f in sorted(codes.items())}, indent=1))
    else:
        for c in sorted(codes):
            print(c + "\t" + " ".join(sorted(codes[c])))
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
