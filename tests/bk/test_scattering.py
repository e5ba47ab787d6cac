"""det2, scattering phase, routing, Birman-Krein (Eq. 9) and ACT rule (Eq. 10)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from paperlib.bk import scattering as sc
from paperlib.bk.prime_bump import hamiltonian_dense


@given(st.integers(1, 12), st.integers(0, 1000))
@settings(max_examples=30, deadline=None)
def test_det2_matches_eigenvalue_product(n, seed):
    rng = np.random.default_rng(seed)
    K = 0.4 * (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))) / np.sqrt(n)
    assert sc.det2(K) == pytest.approx(sc.det2_from_eigenvalues(K), rel=1e-9)


def _h0(n):
    return hamiltonian_dense(np.zeros(n))


@pytest.mark.parametrize("lam", [0.3 + 0.2j, -1.7 + 0.05j, -3.0 - 0.4j])
def test_birman_krein_holds_for_perturbation_determinant(lam):
    rng = np.random.default_rng(0)
    n = 24
    V = np.diag(rng.uniform(-1, 1, n))
    assert sc.birman_krein_check(_h0(n), V, lam, "det")["rel_err"] < 1e-6
    # non-diagonal Hermitian perturbation too
    A = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    assert sc.birman_krein_check(_h0(n), 0.1 * (A + A.conj().T), lam, "det")["rel_err"] < 1e-6
    # det2 and the paper's |V|^{1/2}-symmetrised K with a sign-changing V do not satisfy it
    assert sc.birman_krein_check(_h0(n), V, lam, "det2")["rel_err"] > 1e-3
    assert sc.birman_krein_check(_h0(n), V, lam, "abs")["rel_err"] > 1e-3
    # for V >= 0 the paper's K gives the same D
    assert sc.birman_krein_check(_h0(n), np.abs(V), lam, "abs")["rel_err"] < 1e-6


def test_phase_matches_determinant_ratio_for_positive_v():
    # det(I + K) = det(H - z)/det(H0 - z) for V >= 0 (Sylvester); det2 adds exp(-tr K)
    v = np.random.default_rng(1).uniform(0, 2, 16)
    z = complex(-1.0, 0.3)
    K = sc.sequence_bs_matrix(v, z)
    H, H0 = hamiltonian_dense(v), _h0(16)
    ratio = np.linalg.det(H - z * np.eye(16)) / np.linalg.det(H0 - z * np.eye(16))
    assert sc.det2(K) == pytest.approx(ratio * np.exp(-np.trace(K)), rel=1e-9)
    assert sc.sequence_phase(v, -1.0, 0.3) == pytest.approx(float(sc.wrap_phase(np.angle(sc.det2(K)))), abs=1e-9)


def test_fast_token_phases_match_dense_det2():
    for seed in (0, 1):
        v = np.clip(np.random.default_rng(seed).standard_normal(20), -3, 3)
        for eta in (0.05, 1.0):
            fast = sc.token_phases(v, eta)
            dense = np.array([sc.sequence_phase(v, lam, eta) for lam in v])
            diff = sc.wrap_phase(fast - dense)
            assert np.max(np.abs(diff)) < 1e-8


def test_routing_rule():
    E = 4
    d = np.array([0.0, 0.1, np.pi / 4 + 1e-9, np.pi / 2, np.pi, -0.5, 3 * np.pi / 4 - 1e-9])
    assert sc.route_by_phase(d, E).tolist() == [0, 0, 1, 2, 3, -1, 2]
    assert sc.route_by_phase(d, E, "abs")[5] == 0
    assert sc.route_by_phase(d, E, "mod_pi")[5] == 3
    u = sc.expert_utilisation(sc.route_by_phase(d, E), E)
    assert u.sum() == pytest.approx(1.0) and u[-1] == pytest.approx(1 / 7)


def test_act_rule():
    p = sc.act_halting_probability([0.0, -0.19, 0.5, -0.8, 0.81, 3.0])
    assert p[0] == 1 and p[1] == 1 and p[4] == 0 and p[5] == 0
    assert p[2] == pytest.approx(1 / (1 + np.exp(-0.5))) and p[3] == pytest.approx(1 / (1 + np.exp(-0.8)))


def test_bad_inputs():
    with pytest.raises(ValueError, match="square"):
        sc.log_det2(np.ones((2, 3)))
    with pytest.raises(ValueError, match="eta must be > 0"):
        sc.sequence_phase(np.ones(4), 0.0, 0.0)
    with pytest.raises(ValueError, match="n_experts"):
        sc.route_by_phase([0.1], 0)
    with pytest.raises(ValueError, match="unknown mode"):
        sc.route_by_phase([0.1], 2, "x")
    with pytest.raises(ValueError, match="off the real axis"):
        sc.birman_krein_check(_h0(3), np.eye(3), 1.0)


def test_phase_samples_and_utilisation_table():
    phases = sc.phase_samples(16, 2, [0.1, 1.0], seed=0)
    assert set(phases) == {(k, e) for k in ("gaussian", "prime_bump") for e in (0.1, 1.0, "BK-Core arg G_ii (z=i)")}
    assert phases[("gaussian", 0.1)].shape == (32,) and phases[("prime_bump", 1.0)].shape == (16,)
    util = sc.utilisation_table(phases, 4)
    shares = util[[f"expert {e}" for e in range(1, 5)] + ["unrouted"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    assert (util[util.rule != "printed"].unrouted == 0).all()
