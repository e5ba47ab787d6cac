"""Every claim's decision rule can return more than one verdict, and its own tests drive it to each.

A rule that can only return one answer is either a statement with nothing measurable (registered below, with
the verdict it must give) or a defect. The rules' tests (tests/*/test_*verdicts*.py) are run here once more with
every rule in the papers' verdicts modules wrapped, so this test sees which verdicts each rule returned.
"""
import importlib
import importlib.util
import inspect
from collections import defaultdict

from paperlib.common import paths
from paperlib.common.verdicts import Verdict

RULE_MODULES = ("paperlib.scn.verdicts", "paperlib.bk.verdicts", "paperlib.scta.verdicts", "paperlib.related.verdicts")
# one verdict by design: the statement has no measurable content here (each rule's reason says why)
SINGLE_VERDICT = {"scn_s9_banach": "not-testable", "bk_t2_mean": "not-testable", "hkt_subsumes": "not-testable"}


def _rules(mod) -> dict:
    return {n: f for n, f in vars(mod).items()
            if inspect.isfunction(f) and f.__module__ == mod.__name__ and not n.startswith("_")
            and inspect.signature(f).return_annotation in ("Verdict", Verdict)}


def _run_fixture_free_tests(path) -> int:
    spec = importlib.util.spec_from_file_location(f"_rule_tests_{path.parent.name}_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ran = 0
    for name, fn in vars(mod).items():
        if not (name.startswith("test_") and inspect.isfunction(fn)):
            continue
        marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
        if marks:
            names, values = marks[0].args[:2]
            names = [a.strip() for a in names.split(",")] if isinstance(names, str) else list(names)
            for vals in values:
                fn(**dict(zip(names, vals if len(names) > 1 else (vals,))))
            ran += 1
        elif not inspect.signature(fn).parameters:   # tests that need fixtures are left to pytest
            fn()
            ran += 1
    return ran


def test_every_rule_reaches_more_than_one_verdict(monkeypatch):
    reached: dict[str, set] = defaultdict(set)
    rules = {}
    for modname in RULE_MODULES:
        mod = importlib.import_module(modname)
        for rname, fn in _rules(mod).items():
            rules[rname] = fn

            def watched(*args, _fn=fn, _name=rname, **kwargs):
                out = _fn(*args, **kwargs)
                reached[_name].add(out.verdict)
                return out
            monkeypatch.setattr(mod, rname, watched)
    files = sorted((paths.ROOT / "tests").glob("*/test_*verdicts*.py"))
    assert sum(_run_fixture_free_tests(p) for p in files) > 20
    assert len(rules) >= 49 - 4        # a few rules serve two claims (T1-SPEEDUP/TPUT, T1-BASE/FT's shared code)
    untested = sorted(r for r in rules if not reached[r])
    assert not untested, f"rules no test calls: {untested}"
    one = {r: sorted(v) for r, v in reached.items() if len(v) < 2}
    assert one == {r: [v] for r, v in SINGLE_VERDICT.items()}, f"rules that only ever returned one verdict: {one}"
