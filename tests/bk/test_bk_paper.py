"""paperlib.bk.verdicts is a package of three rule modules (scale, theory, training) behind one namespace; the
paper's printed numbers come from paperlib.bk.paper, and none of these modules imports torch."""
import ast
import importlib
import inspect
import subprocess
import sys

import pytest

from paperlib.bk import paper
from paperlib.bk import verdicts as bk_verdicts
from paperlib.common import paths

SUBMODULES = ("scale", "theory", "training", "_shared")


@pytest.mark.parametrize("name", ["scale", "theory", "training"])
def test_every_public_name_is_reexported(name):
    mod = importlib.import_module(f"paperlib.bk.verdicts.{name}")
    public = [n for n, v in vars(mod).items() if not n.startswith("_")
              and (n.isupper() or (inspect.isfunction(v) and inspect.getsourcefile(v) == mod.__file__))]
    assert public, name
    for n in public:
        assert getattr(bk_verdicts, n) is getattr(mod, n), n
        assert n in bk_verdicts.__all__


def test_rules_carry_the_package_name():
    rules = [f for f in map(bk_verdicts.__dict__.get, bk_verdicts.__all__) if inspect.isfunction(f)]
    assert len(rules) >= 25 and {f.__module__ for f in rules} == {"paperlib.bk.verdicts"}


def _imports(path) -> set:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            out.add(node.module)
    return out


def test_no_verdict_module_imports_torch():
    pkg = paths.ROOT / "paperlib" / "bk" / "verdicts"
    for name in SUBMODULES + ("__init__",):
        mods = _imports(pkg / f"{name}.py")
        assert not any(m.split(".")[0] == "torch" for m in mods), (name, mods)
        assert all(m.split(".")[0] in {"__future__", "math", "inspect", "numpy", "paperlib"} for m in mods), mods
        assert not any(m.startswith("paperlib.bk.") and m.split(".")[2] not in {"paper", "verdicts", "spectral_stats"}
                       for m in mods), (name, mods)


def test_paper_numbers_module_imports_nothing_heavy():
    out = subprocess.run([sys.executable, "-c", "import sys, paperlib.bk.paper; "
                          "assert not {'torch', 'numpy', 'scipy'} & set(sys.modules), sorted(sys.modules)"],
                         capture_output=True, text=True, cwd=paths.ROOT)
    assert out.returncode == 0, out.stderr


def test_rules_hold_the_printed_numbers():
    assert bk_verdicts.T11_PEAK_REDUCTION == 84.8
    assert bk_verdicts.T2_STD == 0.54 and bk_verdicts.T2_STD_TOL == 0.03 and bk_verdicts.STAB_N == 2**15


def test_printed_numbers_agree_with_each_other():
    """Where the paper prints a number twice (a table and its text), both readings agree."""
    b, o, r = paper.TABLE10["total"]
    assert round(100 * (1 - o / b), 1) == r == round(100 * paper.ABSTRACT_PARAM_REDUCTION, 1)
    assert paper.TABLE11["peak_memory"][2] == round(100 * paper.ABSTRACT_MEMORY_REDUCTION, 1)
    base, ph1 = paper.TABLE5["baseline"][0], paper.TABLE5["phase1"][0]
    assert round(100 * (1 - ph1 / base), 1) == paper.TABLE5_PEAK_REDUCTION_PCT
    avg = paper.TABLE7_AVG_TOKENS_PER_S
    assert round(avg["phase1"] / avg["baseline"], 3) == paper.TABLE6_MEAN_RATIO
    t8 = paper.TABLE8_PPL
    assert round(100 * (t8["phase1"] / t8["baseline"] - 1), 2) == paper.TABLE8_CHANGE_PCT
    assert round(1 - paper.PRIME_BUMP_FASTER, 2) == paper.PRIME_BUMP_STEPS_RATIO
