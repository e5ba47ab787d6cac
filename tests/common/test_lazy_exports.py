"""common.lazy: package names imported on first use; a name its own submodule would shadow is refused."""
import importlib
import subprocess
import sys

import pytest

from paperlib.common.lazy import lazy_exports


def test_names_resolve_on_first_use_and_clashes_are_refused():
    import paperlib.related as related

    assert related.OLS_METHODS is importlib.import_module("paperlib.related.ols_attention").METHODS   # alias
    assert related.hkt_cost is importlib.import_module("paperlib.related.hkt_cost")                  # the submodule
    assert "slow_fast_sweep" in dir(related)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        related.nope
    with pytest.raises(ValueError, match="similarity would be shadowed"):
        lazy_exports("paperlib.scn", {"similarity": "similarity"})


def test_scn_similarity_stays_the_function():
    code = "import paperlib.scn.similarity, paperlib.scn as s; assert callable(s.similarity), s.similarity"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("paper", ["scn", "related", "bk", "scta"])
def test_verdict_modules_load_no_torch(paper):
    code = f"import sys, paperlib.{paper}.verdicts; loaded = 'torch' in sys.modules; print(loaded); sys.exit(loaded)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, f"importing paperlib.{paper}.verdicts loads torch: {proc.stderr[-500:]}"
