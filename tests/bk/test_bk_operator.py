"""Tests of paperlib.bk.operator and paperlib.bk.prime_bump against closed forms and dense oracles."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from paperlib.bk import operator as bk
from paperlib.bk import prime_bump as pb


@given(st.floats(-3, 3), st.floats(0.05, 3), st.floats(-5, 5), st.floats(-5, 5))
@settings(max_examples=60, deadline=None)
def test_printed_kernel_modulus_closed_form(re, im, u, v):
    z = complex(re, im)
    R = bk.resolvent_kernel(z, u, v, "printed")
    # |R0| = (1/2) e^{-Im z (u - v)} off the diagonal: the bound holds iff u >= v
    if u != v:
        assert abs(R) == pytest.approx(0.5 * np.exp(-im * (u - v)), rel=1e-12)
        holds = abs(R) <= bk.printed_pointwise_bound(z, u, v) * (1 + 1e-12)
        assert holds == (u > v or abs(u - v) * im < 1e-12)


def test_kernel_operator_identities():
    # printed kernel inverts (-i d/du - z); laplacian kernel inverts (-d^2/du^2 - z). The quadrature of the
    # jump on the diagonal is first order in h, so check that the residual shrinks ~h while the wrong ODE stays O(1).
    z = complex(0.3, 0.7)
    res = {}
    for n in (800, 1600):
        g = bk.quadrature_grid(-8, 8, n)
        f = np.exp(-g.x**2)
        res[n] = {k: bk.ode_residual(g, z, f, k) for k in ("printed", "momentum", "laplacian")}
    for k in ("printed", "momentum"):
        assert res[1600][k]["momentum"] < 0.6 * res[800][k]["momentum"] and res[1600][k]["momentum"] < 5e-3
        assert res[1600][k]["laplacian"] > 0.1
    assert res[1600]["laplacian"]["laplacian"] < 1e-3 and res[1600]["laplacian"]["momentum"] > 0.1


def test_laplacian_kernel_matches_dense_resolvent():
    # continuum resolvent vs the fine-grid finite-difference resolvent of -d^2/dx^2 on a large box
    n, L = 2000, 40.0
    h = L / n
    x = -L / 2 + h * (np.arange(n) + 0.5)
    z = complex(0.5, 1.0)
    A = (np.diag(np.full(n, 2.0)) - np.diag(np.ones(n - 1), 1) - np.diag(np.ones(n - 1), -1)) / h**2
    Rd = np.linalg.solve(A - z * np.eye(n), np.eye(n)[:, n // 2]) / h
    Rc = bk.resolvent_kernel(z, x, x[n // 2], "laplacian")
    mid = np.abs(x) < 5
    assert np.max(np.abs(Rd[mid] - Rc[mid])) < 1e-3


@pytest.mark.parametrize("kernel", ["printed", "symmetric"])
def test_s2_matches_closed_form_constant_potential(kernel):
    c, L, z = 0.7, 3.0, complex(0.2, 0.6)
    exact = bk.hs_norm_constant_potential(c, L, z, kernel)
    g = bk.quadrature_grid(0, L, 400)
    s2 = bk.schatten_norms(bk.birman_schwinger_matrix(np.full(400, c), g, z, kernel))["S2"]
    assert s2 == pytest.approx(exact, rel=2e-3)


def test_symmetric_kernel_s1_exact_at_imaginary_z():
    # z = i eta: K = i eta |V|^{1/2}(p^2+eta^2)^{-1}|V|^{1/2} is i x (PSD), so ||K||_S1 = |tr K| = ||V||_1 / 2
    g = bk.quadrature_grid(0, 5, 200)
    V = 1 + np.sin(g.x) ** 2
    for eta in (0.3, 0.9, 1.1, 3.0):
        s1 = bk.schatten_norms(bk.birman_schwinger_matrix(V, g, 1j * eta, "symmetric"))["S1"]
        assert s1 == pytest.approx(0.5 * bk.lp_norm(V, g, 1), rel=1e-10)
        # hence Eq. 4 fails exactly when eta > 1 (equality at eta = 1)
        assert (s1 > bk.theorem2_bounds(V, g, 1j * eta)["S1_bound"]) == (eta > 1)


def test_schatten_norms_match_numpy_norms():
    rng = np.random.default_rng(0)
    K = rng.standard_normal((30, 20)) + 1j * rng.standard_normal((30, 20))
    n = bk.schatten_norms(K)
    assert n["S2"] == pytest.approx(np.linalg.norm(K, "fro"))
    assert n["S1"] == pytest.approx(np.linalg.norm(K, "nuc"))
    assert n["Sinf"] == pytest.approx(np.linalg.norm(K, 2))


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown kernel"):
        bk.resolvent_kernel(1j, 0, 1, "nope")
    with pytest.raises(TypeError, match="z must be"):
        bk.resolvent_kernel("1j", 0, 1)
    with pytest.raises(ValueError, match="Im z > 0"):
        bk.theorem2_bounds(np.ones(4), bk.quadrature_grid(0, 1, 4), 1.0)
    with pytest.raises(ValueError, match="a < b"):
        bk.quadrature_grid(1, 0, 10)
    with pytest.raises(ValueError, match="shape"):
        bk.birman_schwinger_matrix(np.ones(3), bk.quadrature_grid(0, 1, 4), 1j)
    with pytest.raises(ValueError, match="eps must be positive"):
        pb.prime_bump_potential([0.0], -1.0, 10)
    with pytest.raises(ValueError, match="no primes"):
        pb.prime_bump_potential([0.0], 1.0, 2)


def test_primes_and_potential():
    assert pb.primes_below(30).tolist() == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    # direct double sum of Eq. 5 at a few points
    x = np.array([0.0, 0.7, 2.3])
    eps = 0.8
    direct = np.zeros_like(x)
    for p in [2, 3, 5, 7]:
        for k in (1, 2, 3):
            direct += np.log(p) / p ** (k * (0.5 + eps)) * eps**-0.5 * np.exp(-(x - np.log(p)) ** 2 / (2 * eps))
    assert np.allclose(pb.prime_bump_potential(x, eps, 8), direct, rtol=1e-13)


def test_hamiltonian_eigenvalues_dense_and_free():
    V = pb.integer_grid_potential(64)
    assert np.allclose(pb.hamiltonian_eigenvalues(V), np.linalg.eigvalsh(pb.hamiltonian_dense(V)), atol=1e-12)
    N = 50
    k = np.arange(1, N + 1)
    free = np.sort(-2 + 2 * np.cos(np.pi * k / (N + 1)))
    assert np.allclose(pb.hamiltonian_eigenvalues(np.zeros(N)), free, atol=1e-12)
