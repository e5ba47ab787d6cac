"""The shape of the package, read statically (ast): no import cycles among paperlib's modules, `common` at the
bottom (it imports nothing else of paperlib), science never imports the machinery, and no module over 500 lines."""
import ast
from pathlib import Path

import pytest

from paperlib.common import paths

PKG = paths.ROOT / "paperlib"
MAX_LINES = 500


def module_name(path: Path) -> str:
    rel = path.relative_to(paths.ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The paperlib modules `name` imports anywhere in its file (function-level imports count: they run too).
    `from pkg import x` counts as importing pkg.x when that is a module, else pkg."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("paperlib"):
                continue
            subs = {f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in known}
            out |= subs if subs else ({mod} if mod in known else set())
            if subs and len(subs) < len(node.names) and mod in known:
                out.add(mod)
    out.discard(name)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {n: imports_of(n, p, known) for n, p in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
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
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_planted_cycle_and_accepts_a_dag():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles_among_paperlib_modules():
    found = cycles(graph())
    assert not found, f"import cycles: {found}"


def test_relative_and_from_imports_are_resolved(tmp_path):
    known = {"paperlib", "paperlib.scn", "paperlib.scn.store", "paperlib.scn.model", "paperlib.common",
             "paperlib.common.runtime"}
    f = tmp_path / "model.py"
    f.write_text("from .store import X\nfrom paperlib.common import runtime\nimport paperlib\n"
                 "def f():\n    from paperlib.scn import store\n")
    assert imports_of("paperlib.scn.model", f, known) == {"paperlib.scn.store", "paperlib.common.runtime",
                                                          "paperlib"}


def test_common_is_the_bottom_layer_and_science_never_imports_the_machinery():
    g = graph()
    upward = {m: sorted(d for d in deps if not d.startswith("paperlib.common"))
              for m, deps in g.items() if m.startswith("paperlib.common")}
    assert not {m: d for m, d in upward.items() if d}, "common imports above itself"
    science = ("paperlib.scn", "paperlib.bk", "paperlib.scta", "paperlib.related")
    into_companion = {m: sorted(d for d in deps if d.startswith("paperlib.companion"))
                      for m, deps in g.items() if m.startswith(science)}
    assert not {m: d for m, d in into_companion.items() if d}, "science code imports paperlib.companion"


@pytest.mark.parametrize("name,path", sorted(modules().items()), ids=lambda x: x if isinstance(x, str) else "")
def test_no_module_over_500_lines(name, path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{name} has {n} lines (at most {MAX_LINES}): split it by what its parts do"
