"""Spacing statistics: surmise closed forms, unfolding, classification of sampled GOE/GUE/Poisson spectra."""
import math

import numpy as np
import pytest
from scipy import integrate

from paperlib.bk import spectral_stats as ss


@pytest.mark.parametrize("kind", ss.SURMISES)
def test_surmises_normalised_unit_mean_and_cdf(kind):
    assert integrate.quad(lambda s: ss.surmise_pdf(s, kind), 0, np.inf)[0] == pytest.approx(1, abs=1e-10)
    m = ss.surmise_moments(kind)
    assert m["mean"] == pytest.approx(1, abs=1e-8)
    assert m["std"] == pytest.approx(ss.SURMISE_STD[kind], abs=1e-8)
    for s in (0.3, 1.0, 2.2):
        assert ss.surmise_cdf(s, kind) == pytest.approx(integrate.quad(lambda t: ss.surmise_pdf(t, kind), 0, s)[0], abs=1e-10)


def test_eq6_is_goe_and_brody_limits():
    s = np.linspace(0.01, 4, 50)
    assert np.allclose(ss.brody_pdf(s, 1.0), ss.surmise_pdf(s, "goe"))
    assert np.allclose(ss.brody_pdf(s, 0.0), ss.surmise_pdf(s, "poisson"))
    assert math.isclose(ss.SURMISE_STD["goe"], 0.5227, abs_tol=1e-4)


def test_brody_fit_recovers_q():
    rng = np.random.default_rng(0)
    for q in (0.0, 0.5, 1.0):
        b = math.gamma((q + 2) / (q + 1)) ** (q + 1)
        s = (rng.exponential(size=4000) / b) ** (1 / (q + 1))  # inverse-CDF sampling of the Brody law
        assert ss.brody_fit(s) == pytest.approx(q, abs=0.06)


def test_unfolding_of_uniform_levels_is_identity_like():
    e = np.linspace(0, 1, 500)
    s = ss.spacings_unfolded(e, degree=3)
    assert np.allclose(s, 1.0, atol=1e-8)


@pytest.mark.slow  # over about 2 s on 2 cores: `make check` leaves it out
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_classify_sampled_ensembles(seed):
    n = 300
    assert ss.classify(np.linalg.eigvalsh(ss.sample_goe(n, seed))) == "goe"
    assert ss.classify(np.linalg.eigvalsh(ss.sample_gue(n, seed))) == "gue"
    assert ss.classify(ss.sample_poisson_levels(n, seed)) == "poisson"


@pytest.mark.slow  # over about 2 s on 2 cores: `make check` leaves it out
def test_ratio_statistic_separates_ensembles():
    rg = np.mean([ss.ratio_statistic(np.linalg.eigvalsh(ss.sample_goe(300, s))) for s in range(3)])
    ru = np.mean([ss.ratio_statistic(np.linalg.eigvalsh(ss.sample_gue(300, s))) for s in range(3)])
    rp = np.mean([ss.ratio_statistic(ss.sample_poisson_levels(300, s)) for s in range(3)])
    assert abs(rg - ss.RATIO_MEAN["goe"]) < 0.02 and abs(ru - ss.RATIO_MEAN["gue"]) < 0.02
    assert abs(rp - ss.RATIO_MEAN["poisson"]) < 0.03


def test_local_unfolding_on_goe_and_fallback_flag():
    e = np.linalg.eigvalsh(ss.sample_goe(400, 0))
    s = ss.spacings_local_unfolded(e)
    assert abs(s.mean() - 1) < 0.02 and ss.spacing_report(s)["label"] == "goe"
    assert ss.analyse_levels(e)["u_unfold"] == "poly"


def test_picket_fence_is_none():
    assert ss.classify(np.arange(400.0)) == "none"


def test_global_mean_procedure_mean_is_one():
    e = np.sort(np.random.default_rng(0).uniform(size=100))
    assert ss.spacings_global_mean(e).mean() == pytest.approx(1.0, abs=1e-12)


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown surmise"):
        ss.surmise_pdf(1.0, "gse")
    with pytest.raises(ValueError, match="at least 10 levels"):
        ss.unfold(np.arange(5.0))
    with pytest.raises(TypeError, match="real"):
        ss.unfold(np.arange(20) + 1j)
    with pytest.raises(ValueError, match="non-negative"):
        ss.ks_distance(np.array([1.0, -1.0, 1, 1, 1]), "goe")
    with pytest.raises(ValueError, match="edge_frac"):
        ss.unfold(np.arange(50.0), edge_frac=0.6)
    with pytest.raises(ValueError, match="n must be"):
        ss.sample_goe(1, 0)


def test_bulk_and_outliers_of_a_point_impurity():
    """One site with V = 3 > 0 splits exactly one bound state off H0's band [-4, 0] (its energy tends to
    -2 + sqrt(4 + V^2) > 0 for an interior site); V = 0 has none. The bound state's gap is O(1) while the mean
    spacing is ~4/N, so the whole-spectrum std (paper's procedure) grows like sqrt(N); the bulk std does not."""
    from paperlib.bk import prime_bump as pb

    stats = {}
    for n in (256, 1024):
        V = np.zeros(n)
        V[n // 2] = 3.0
        bulk, out = pb.split_band(pb.hamiltonian_eigenvalues(V))
        assert out.size == 1 and out[0] == pytest.approx(-2 + math.sqrt(4 + 9), abs=1e-6)
        stats[n] = ss.bulk_analysis(pb.hamiltonian_eigenvalues(V), pb.H0_BAND)
        zero = ss.bulk_analysis(pb.hamiltonian_eigenvalues(np.zeros(n)), pb.H0_BAND)
        assert zero["n_outliers"] == 0 and zero["full_std"] == pytest.approx(zero["bulk_std"])
    growth = stats[1024]["full_std"] / stats[256]["full_std"]
    assert stats[1024]["bulk_std"] == pytest.approx(stats[256]["bulk_std"], abs=0.05)
    assert growth == pytest.approx(2.0, rel=0.1)  # sqrt(1024 / 256)
    with pytest.raises(ValueError, match="band"):
        pb.split_band(np.arange(5.0), band=(0.0, -1.0))


def test_bulk_spacings_are_what_bulk_analysis_measures():
    """ss.bulk_spacings (notebook 11's histograms) and ss.bulk_analysis (its verdicts) share one unfolding with one
    fallback: on the stretched grid at eps 0.6 the polynomial staircase of the bulk is not monotone, so both use
    local unfolding; on the integer grid both use the polynomial fit. The band: pb.split_band, which both call."""
    from paperlib.bk import prime_bump as pb

    for reading, method in (("stretched", "local"), ("integer", "poly")):
        lv = pb.h_eps_levels(256, 0.6, reading)
        a = ss.bulk_analysis(lv, pb.H0_BAND)
        assert a["bulk_u_unfold"] == method
        bulk, _ = pb.split_band(lv)
        su = ss.bulk_spacings(lv, pb.H0_BAND, "unfolded")
        poly = np.diff(ss.unfold(bulk))
        assert (np.any(poly < 0)) == (method == "local")
        expect = ss.spacings_local_unfolded(bulk, 10) if method == "local" else poly
        np.testing.assert_array_equal(su, expect)
        assert su.std() == a["bulk_u_std"] and su.size == a["bulk_u_n_spacings"]
        assert ss.bulk_spacings(lv, pb.H0_BAND, "paper").std() == a["bulk_std"]
    with pytest.raises(ValueError, match="procedure"):
        ss.bulk_spacings(lv, pb.H0_BAND, "raw")


def test_pipeline_validated_needs_every_control_labelled_right():
    from paperlib.bk.spectral_stats import pipeline_validated

    assert pipeline_validated(["goe", "gue", "poisson"], ["goe", "gue", "poisson"])
    assert not pipeline_validated(["goe", "none", "poisson"], ["goe", "gue", "poisson"])
    with pytest.raises(ValueError, match="one label per control"):
        pipeline_validated([], [])
