#!/usr/bin/env python3
"""The floors of src/ hold: who may import whom (docs/ARCHITECTURE.md).

Reads every Rust file of src/, finds the crate paths it names (`use crate::...`, `super::...`
and paths written inline such as `crate::db::begin(...)`), and checks three rules:

1. nothing but `main` (and the tests, which live outside src/) imports the composition root;
2. no domain or foundation module names `actix_web` or the HTTP layer;
3. no two files import each other, directly or round a circle, and no file imports a module
   on a higher floor.

    scripts/layers.py            report and exit 1 on a broken rule
    scripts/layers.py --stats    also print the counts (circles, upward imports) and the graph
    scripts/layers.py --floors   no rules for floors: count what the tree has (for measuring)

Only the standard library: it runs wherever python3 does.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

# From the bottom. A module may import from its own floor (if no circle forms) and below.
FLOORS = [
    ("base", ["config", "telemetry"]),
    ("foundation", ["db", "tenant", "audit", "outbox"]),
    # The wire format and the domain share a floor: within it only circles are forbidden.
    ("domain", ["ooapi", "catalog", "case", "planning", "assessment", "report", "intake",
                "auth", "demo"]),
    ("workers", ["delivery", "pull", "mail"]),
    ("http", ["http"]),
    ("handlers", ["sis", "api", "web", "demo_sis"]),
    ("root", ["startup", "cli", "main", "lib"]),
]
FLOOR_OF = {m: i for i, (_, ms) in enumerate(FLOORS) for m in ms}
ROOT_MODULES = {"startup", "cli"}
# Modules that must not see actix_web nor the HTTP layer.
PURE = set(FLOORS[0][1] + FLOORS[1][1]) | {
    "ooapi", "catalog", "case", "planning", "assessment", "report", "intake",
}
HTTP_MODULES = {"http", "sis", "api", "web", "demo_sis"}


def module_of(path: Path) -> list[str]:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod":
        parts = parts[:-1]
    if parts == ["lib"]:
        return []
    if parts and parts[0] == "bin":
        return ["main"]
    return parts


def strip(text: str) -> str:
    """Removes comments, string literals and the unit tests, so only product code is read."""
    text = text.split("#[cfg(test)]\nmod ")[0]
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'r(#*)".*?"\1', '""', text, flags=re.S)
    text = re.sub(r'"(\\.|[^"\\])*"', '""', text, flags=re.S)
    return text


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


def main() -> int:
    stats = "--stats" in sys.argv
    files = {}
    for f in sorted(SRC.rglob("*.rs")):
        files[tuple(module_of(f))] = f
    graph, externs = {}, {}
    for mod, f in files.items():
        t, e = edges_of(f.read_text(), list(mod), files)
        # A module's own children are part of it: `mod.rs` naming `child::X` is not counted as
        # an edge up or across, but a child naming its parent is (the parent is another file).
        graph[mod] = {x for x in t if x != mod and x != ()}
        externs[mod] = e

    problems = []
    top = lambda m: m[0] if m else "lib"
    upward = []
    for mod, ts in graph.items():
        for t in ts:
            if top(t) in ROOT_MODULES and top(mod) not in ("main",) and top(mod) != top(t):
                problems.append(f"{name(mod)} imports the composition root ({name(t)})")
            if top(mod) in PURE and top(t) in HTTP_MODULES:
                problems.append(f"{name(mod)} (domain) imports the HTTP layer ({name(t)})")
            fm, ft = FLOOR_OF.get(top(mod)), FLOOR_OF.get(top(t))
            if fm is None:
                problems.append(f"{name(mod)}: module {top(mod)} has no floor in scripts/layers.py")
            elif ft is not None and ft > fm:
                upward.append((mod, t))
        if top(mod) in PURE and "actix_web" in externs[mod]:
            problems.append(f"{name(mod)} (domain) uses actix_web")
    for mod, t in upward:
        if top(mod) not in ("main",) and top(t) not in ROOT_MODULES:
            problems.append(f"{name(mod)} imports {name(t)}, a floor up")
    circles = sccs(list(graph), graph)
    for c in circles:
        problems.append("import circle: " + " -> ".join(sorted(name(m) for m in c)))

    if stats:
        in_circles = sum(len(c) for c in circles)
        print(f"files: {len(files)}; import circles: {len(circles)} "
              f"(files in them: {in_circles}, largest: {max((len(c) for c in circles), default=0)}); "
              f"upward imports: {len(upward)}")
    for p in sorted(set(problems)):
        print(p)
    if problems:
        print(f"layers: {len(set(problems))} broken rule(s); see docs/ARCHITECTURE.md", file=sys.stderr)
        return 1
    print("layers: the floors hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
