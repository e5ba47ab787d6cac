"""common.checks and common.stats: one argument checker and one power-law fit for every paper."""
import pytest


def test_pos_int_accepts_ints_and_numpy_ints_only():
    import numpy as np

    from paperlib.common.checks import pos_int

    assert pos_int(3, "n") == 3 and pos_int(np.int64(2), "n") == 2
    for bad, exc in ((0, ValueError), (True, TypeError), (2.0, TypeError)):
        with pytest.raises(exc, match="n must be"):
            pos_int(bad, "n")


def test_check_xy_and_relative_error():
    import numpy as np

    from paperlib.common.checks import check_xy, relative_error

    X, Y, was_1d = check_xy(np.ones((3, 2)), [1.0, 2.0, 3.0])
    assert X.shape == (3, 2) and Y.shape == (3, 1) and was_1d
    with pytest.raises(ValueError, match="same number of rows"):
        check_xy(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match="no columns"):
        check_xy(np.ones((3, 2)), np.ones((3, 0)))
    assert relative_error([1.0, 1.0], [1.0, 0.0]) == pytest.approx(1.0)
    assert relative_error([0.5], [0.0]) == 0.5


def test_fit_power_law_recovers_exponents_and_rejects_bad_input():
    import numpy as np

    from paperlib.common.stats import fit_power_law

    n = np.array([1e3, 2e3, 4e3, 8e3])
    f = fit_power_law(n, 5e-7 * n**1.25)
    assert f["exponent"] == pytest.approx(1.25) and f["prefactor"] == pytest.approx(5e-7) and f["r2"] > 0.999
    for x, y in (([1.0], [1.0]), ([1.0, 2.0], [1.0, -1.0]), ([2.0, 2.0], [1.0, 2.0])):
        with pytest.raises(ValueError):
            fit_power_law(x, y)


def test_fit_linear_recovers_a_line_and_is_the_power_laws_kernel():
    import numpy as np

    from paperlib.common.stats import fit_linear, fit_power_law

    x = np.array([1.0, 2.0, 4.0, 7.0])
    f = fit_linear(x, 3.0 * x - 2.0)
    assert f["slope"] == pytest.approx(3.0) and f["intercept"] == pytest.approx(-2.0) and f["r2"] == pytest.approx(1.0)
    y = 2.0 * x**0.5 * np.array([1.01, 0.99, 1.02, 0.98])
    g, p = fit_linear(np.log(x), np.log(y)), fit_power_law(x, y)
    assert p["exponent"] == g["slope"] and p["r2"] == g["r2"] and 0.9 < p["r2"] < 1.0
    with pytest.raises(ValueError, match="distinct x"):
        fit_linear([1.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        fit_linear([1.0, 2.0], [1.0, float("nan")])


def test_quartiles_are_numpys_default_percentiles():
    """One quartile definition: type 7 (numpy's default linear percentile), within the observed values."""
    import numpy as np

    from paperlib.common.stats import quartiles

    rng = np.random.default_rng(0)
    for n in (2, 3, 4, 5, 8, 13):
        x = rng.lognormal(size=n)
        assert quartiles(x) == pytest.approx(tuple(np.percentile(x, [25, 50, 75])), rel=1e-12)
    assert quartiles([1.0, 2.0]) == (1.25, 1.5, 1.75)  # not the exclusive (0.75, 1.5, 2.25): no extrapolation
    assert quartiles([0.5, 0.1, 0.3, 0.2, 0.4]) == pytest.approx((0.2, 0.3, 0.4))
    assert quartiles([7.0]) == (7.0, 7.0, 7.0)
    for bad in ([], [1.0, float("nan")], [float("inf")]):
        with pytest.raises(ValueError, match="finite"):
            quartiles(bad)


def test_ratio_summary_uses_the_one_quartile_definition():
    from paperlib.common.stats import ratio_summary

    s = ratio_summary([2.0, 1.0, 4.0, 3.0])
    assert (s["median"], s["q1"], s["q3"], s["min"], s["max"], s["n"]) == (2.5, 1.75, 3.25, 1.0, 4.0, 4)
    assert s["rel_iqr"] == pytest.approx(1.5 / 2.5)
    assert ratio_summary([3.0])["rel_iqr"] == 0.0
    for bad in ([], [1.0, 0.0], [-1.0]):
        with pytest.raises(ValueError, match="finite and > 0"):
            ratio_summary(bad)


def test_stats_imports_without_torch():
    import subprocess
    import sys

    code = "import paperlib.common.stats, sys; assert 'torch' not in sys.modules, 'torch loaded'"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_ratio_with_spread_adds_relative_iqrs():
    from paperlib.common.stats import ratio_with_spread

    r, s = ratio_with_spread(2.0, 0.2, 4.0, 0.2)
    assert r == pytest.approx(0.5) and s == pytest.approx(0.5 * (0.1 + 0.05))


def test_fit_power_law_above_fits_the_large_sizes_when_two_are_there():
    import numpy as np

    from paperlib.common.stats import fit_power_law_above

    n = np.array([10.0, 100.0, 1000.0, 10000.0])
    y = np.where(n >= 1000, 1e-6 * n, 1e-3)                 # a fixed overhead below 1000, linear above
    f = fit_power_law_above(n, y, 1000)
    assert abs(f["exponent"] - 1.0) < 1e-12 and f["x_from"] == 1000
    g = fit_power_law_above(n, y, 5000)                     # one size above: the fit takes all sizes
    assert g["x_from"] == 10 and g["exponent"] < 0.9
