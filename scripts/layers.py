#!/usr/bin/env python3
"""The floors of src/ hold: who may import whom (docs/ARCHITECTURE.md).

Reads every Rust file of src/, finds the crate paths it names (`use crate::...`, `super::...`
and paths written inline such as `crate::db::begin(...)`), and checks three rules:

1. nothing but `main` (and the tests, which live outside src/) imports the composition root;
2. no domain or foundation module names `actix_web` or the HTTP layer;
3. no two files import each other, directly or round a circle, and no file imports a module
   on a higher floor.

    scripts/layers.py              report and exit 1 on a broken rule
    scripts/layers.py --stats      also print the counts: files, import circles, upward imports
    scripts/layers.py --self-test  first prove on small made-up trees that each rule is caught
    scripts/layers.py --src DIR    check another tree (e.g. an old checkout's src/)

Edges are the `use` paths and the `crate::`/`super::` paths in code (comments, strings and
`#[cfg(test)]` modules left out); a parent file naming its own children is not an import.

Only the standard library: it runs wherever python3 does.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# From the bottom. A module may import from its own floor (if no circle forms) and below.
FLOORS = [
    ("base", ["config", "telemetry", "iso8601"]),
    ("foundation", ["db", "tenant", "audit", "outbox", "mail"]),
    # The wire format and the domain share a floor: within it only circles are forbidden.
    ("domain", ["ooapi", "catalog", "case", "planning", "assessment", "report", "intake", "evidence",
                "auth", "demo"]),
    ("workers", ["delivery", "pull", "mailer"]),
    ("http", ["http"]),
    ("handlers", ["sis", "api", "web", "demo_sis"]),
    ("root", ["startup", "cli", "main", "lib"]),
]
FLOOR_OF = {m: i for i, (_, ms) in enumerate(FLOORS) for m in ms}
ROOT_MODULES = {"startup", "cli"}
# Modules that must not see actix_web nor the HTTP layer: every floor below it.
PURE = {m for _, ms in FLOORS[:4] for m in ms}
HTTP_MODULES = {"http", "sis", "api", "web", "demo_sis"}
# Crates that are HTTP serving; below the HTTP floor none of them is named.
HTTP_CRATES = ["actix_web", "actix_http", "actix_service", "tracing_actix_web"]


def module_of(src: Path, path: Path) -> list[str]:
    rel = path.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod":
        parts = parts[:-1]
    if parts == ["lib"]:
        return []
    if parts and parts[0] == "bin":
        return ["main"]
    return parts


def lex(text: str) -> str:
    """The code of a Rust file without its comments, with every string, raw string, byte
    string and char literal emptied (a lifetime such as `'a` stays), read in one pass."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        two = text[i:i + 2]
        if two == "//":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif two == "/*":
            depth, i = 1, i + 2
            while i < n and depth:
                if text[i:i + 2] == "/*":
                    depth, i = depth + 1, i + 2
                elif text[i:i + 2] == "*/":
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif re.match(r'(?:br|r)#*"', text[i:i + 40]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'(b?r)(#*)"', text[i:])
            close = '"' + m.group(2)
            j = text.find(close, i + len(m.group(0)))
            out.append('""')
            i = n if j < 0 else j + len(close)
        elif c == '"' or (c == "b" and text[i + 1:i + 2] == '"' and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            i += 2 if c == "b" else 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'":
            m = re.match(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'\n])'", text[i:])
            if m:
                out.append("' '")
                i += len(m.group(0))
            else:  # a lifetime or a label
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_test_modules(code: str) -> str:
    """Removes `#[cfg(test)] mod name { ... }` blocks wherever they stand."""
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", code)
        if not m:
            return code
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        code = code[:m.start()] + code[i:]


def strip(text: str) -> str:
    """Only product code: no comments, no literals' contents, no unit test modules."""
    return drop_test_modules(lex(text))


def expand_use(tree: str) -> list[str]:
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix: str, s: str):
        depth, start, items = 0, 0, []
        for i, ch in enumerate(s):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                items.append(s[start:i])
                start = i + 1
        items.append(s[start:])
        for item in items:
            if not item:
                continue
            m = re.match(r"^(.*?)::\{(.*)\}$", item)
            if m:
                walk(prefix + m.group(1) + "::", m.group(2))
            elif item.startswith("{") and item.endswith("}"):
                walk(prefix, item[1:-1])
            else:
                out.append(prefix + item)

    walk("", tree)
    return out


def resolve(path: str, here: list[str], files: dict) -> list[str] | None:
    """The module (file) a path names, as the longest prefix that is a file's module."""
    segs = path.split("::")
    if segs[0] == "crate":
        base, rest = [], segs[1:]
    elif segs[0] in ("super", "self"):
        base = list(here)
        rest = segs
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                # In a file a/b.rs, `super` is a; in a/mod.rs it is the parent of a.
                if base:
                    base = base[:-1]
            rest = rest[1:]
    else:
        return None
    full = base + [s for s in rest if s and s != "*"]
    for n in range(len(full), -1, -1):
        if tuple(full[:n]) in files:
            return full[:n]
    return None


def edges_of(text: str, here: list[str], files: dict) -> tuple[set, set]:
    code = strip(text)
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        paths += expand_use(m.group(1))
    for m in re.finditer(r"\b(?:crate|super)(?:::\w+)+", code):
        paths.append(m.group(0))
    for m in re.finditer(r"\b(" + "|".join(HTTP_CRATES) + r")::", code):
        paths.append(m.group(1))
    targets, externs = set(), set()
    for p in paths:
        first = p.split("::")[0]
        if first in ("crate", "super", "self"):
            t = resolve(p, here, files)
            if t is not None and t != here:
                targets.add(tuple(t))
        else:
            externs.add(first)
    return targets, externs


def sccs(nodes, graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            strong(v)
    return out


def name(m) -> str:
    return "::".join(m) or "lib"


def check(src: Path) -> tuple[list[str], str]:
    """The broken rules of the tree under `src`, and a line of counts."""
    files = {}
    for f in sorted(src.rglob("*.rs")):
        files[tuple(module_of(src, f))] = f
    graph, externs = {}, {}
    for mod, f in files.items():
        t, e = edges_of(f.read_text(), list(mod), files)
        graph[mod] = {x for x in t if x != mod and x != ()}
        externs[mod] = e

    problems = []
    top = lambda m: m[0] if m else "lib"
    upward = []
    for mod, ts in graph.items():
        fm = FLOOR_OF.get(top(mod))
        if fm is None:
            problems.append(f"{name(mod)}: module {top(mod)} has no floor in scripts/layers.py")
        for t in ts:
            if top(t) in ROOT_MODULES and top(mod) != "main" and top(mod) != top(t):
                problems.append(f"{name(mod)} imports the composition root ({name(t)})")
            if top(mod) in PURE and top(t) in HTTP_MODULES:
                problems.append(f"{name(mod)} (below HTTP) imports the HTTP layer ({name(t)})")
            ft = FLOOR_OF.get(top(t))
            if fm is not None and ft is not None and ft > fm:
                upward.append((mod, t))
        for crate in HTTP_CRATES:
            if top(mod) in PURE and crate in externs[mod]:
                problems.append(f"{name(mod)} (below HTTP) uses {crate}")
    for mod, t in upward:
        if top(mod) != "main" and top(t) not in ROOT_MODULES:
            problems.append(f"{name(mod)} imports {name(t)}, a floor up")
    circles = sccs(list(graph), graph)
    for c in circles:
        problems.append("import circle: " + " -> ".join(sorted(name(m) for m in c)))
    # The same among the top-level modules (a module is all its files).
    tops = {}
    for mod, ts in graph.items():
        tops.setdefault(top(mod), set()).update(top(t) for t in ts if top(t) != top(mod))
    for c in sccs(list(tops), tops):
        problems.append("module circle: " + " -> ".join(sorted(c)))
    in_circles = sum(len(c) for c in circles)
    counts = (f"files: {len(files)}; import circles: {len(circles)} "
              f"(files in them: {in_circles}, largest: {max((len(c) for c in circles), default=0)}); "
              f"upward imports: {len(upward)}")
    return sorted(set(problems)), counts


def self_test() -> None:
    """Each rule, broken on purpose in a small tree, must be reported; a sound tree must not."""
    import tempfile

    sound = {
        "lib.rs": "pub mod config; pub mod db; pub mod planning; pub mod http; pub mod api; pub mod startup;",
        "config.rs": "pub struct Settings;",
        "db.rs": "use crate::config::Settings;",
        "planning/mod.rs": "pub mod rules;\nuse crate::db;\nfn f() { rules::g(); }",
        "planning/rules.rs": "use super::super::db; pub fn g() {}",
        "http/mod.rs": "use actix_web::HttpResponse; use crate::planning;",
        "api/mod.rs": "use crate::http; use actix_web::web;",
        "startup.rs": "use crate::api; use crate::http;",
        "main.rs": "use proeve::startup;",
    }
    broken = {
        "composition root": ("api/mod.rs", "use crate::startup::Application;"),
        "HTTP layer": ("planning/mod.rs", "use crate::http::ApiError;"),
        "actix_web": ("db.rs", "fn f() -> actix_web::HttpResponse { todo!() }"),
        "import circle": ("db.rs", "use crate::config; // a comment naming crate::http is no import\nuse crate::planning::rules;"),
        "a floor up": ("config.rs", "use crate::db::begin;"),
        "has no floor": ("stray.rs", "use crate::db;"),
        "module circle": ("db.rs", "fn f() { crate::config::g(); }\n// and config names db:"),
    }
    # Literals and tests must neither hide an import nor make one up.
    hidden = {
        "a char literal": "fn q() -> char { '\"' }\nuse crate::http::ApiError;",
        "a // in a string": 'fn u() -> &\'static str { "http://x" }\nuse crate::http::ApiError;',
        "code after a test module": "#[cfg(test)]\nmod tests { use super::*; }\nuse crate::http::ApiError;",
        "a raw string": 'fn r() -> &\'static str { r#"say "hi""# }\nuse crate::http::ApiError;',
    }

    def run(files: dict) -> list[str]:
        with tempfile.TemporaryDirectory() as d:
            for rel, text in files.items():
                p = Path(d) / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text)
            return check(Path(d))[0]

    found = run(sound)
    assert not found, f"a sound tree reported: {found}"
    for rule, (rel, text) in broken.items():
        tree = dict(sound)
        tree[rel] = tree.get(rel, "") + "\n" + text
        if rule == "module circle":
            tree["config/mod.rs"] = "pub fn g() {}\npub mod sub;"
            tree["config/sub.rs"] = "use crate::db::begin;"
            del tree["config.rs"]
        found = run(tree)
        assert any(rule in p for p in found), f"{rule}: not reported ({found})"
    for what, text in hidden.items():
        tree = dict(sound)
        tree["db.rs"] = tree["db.rs"] + "\n" + text
        found = run(tree)
        assert any("HTTP layer" in p for p in found), f"an import after {what} was not seen ({found})"
    tree = dict(sound)
    tree["db.rs"] += '\nfn s() -> &\'static str { "use crate::http::ApiError;" }\n// crate::http\n'
    assert not run(tree), "a string or comment was read as an import"
    print(f"layers: self-test: a sound tree passes, all {len(broken)} broken rules are caught, "
          f"and literals, comments and test modules are read right ({len(hidden) + 1} cases)")


def main() -> int:
    args = sys.argv[1:]
    if "--self-test" in args:
        self_test()
    src = Path(args[args.index("--src") + 1]) if "--src" in args else ROOT / "src"
    problems, counts = check(src)
    if "--stats" in args:
        print(counts)
    for p in problems:
        print(p)
    if problems:
        print(f"layers: {len(problems)} broken rule(s); see docs/ARCHITECTURE.md", file=sys.stderr)
        return 1
    print("layers: the floors hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
