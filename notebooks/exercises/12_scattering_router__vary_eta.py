"""Vary the i0 regularisation eta and watch expert utilisation

What to change: `ETAS` in the parameters cell of notebook 12, e.g. `[0.001, 0.01, 0.1, 1.0, 3.0, 10.0, 100.0]`
(eta stands for the "+ i0" of Eq. 7). Watch section 2's table (expert shares, `unrouted`, `phase std`) and
the phase histograms, for both the Gaussian and the Prime-Bump token potentials.

What one sees, and why (delta_i = arg det2(I + K(lambda_i + i eta)), lambda_i = v_i, Eq. 8 routes delta in
[0, pi] and leaves delta < 0 unrouted).

* Small eta (the paper's i0 limit): the phases cover the whole circle (-pi, pi]. About half of the Gaussian
  tokens have delta < 0 and are unrouted by the printed rule at every small eta; the shares of the four
  experts shift from one eta to the next (a token whose lambda_i lies within about eta of an eigenvalue of
  H0 + |V| or H0 still has a phase that swings as eta shrinks) but nothing collapses.
* Large eta: every phase goes to 0, like eta^{-3}. K(lambda + i eta) is O(1/eta), and det2 removes the
  first-order term tr K, so log det2 = -(1/2) tr K^2 + (1/3) tr K^3 - ...; expanding
  R0 = -(1/z)(1 + H0/z + ...) with z = lambda + i eta, the eta^{-2} term is real to leading order and
  delta_i ~ sum_k v_k^2 (lambda_i + 2 - sum_k |v_k|^3 / (3 sum_k v_k^2)) / eta^3 (the 2 is minus the diagonal of
  H0). So nearly every token goes to expert 1 (small positive delta); tokens with lambda_i = v_i below the
  threshold -2 + sum|v|^3/(3 sum v^2) get a tiny negative phase and are unrouted (printed rule) or sent to the
  last expert (`mod_pi`: delta mod pi is then just below pi).
* The Prime-Bump potential is non-negative, so every lambda_i lies above that threshold: once eta is a few
  units, no token is unrouted and all of them sit in expert 1.

eta is therefore not a harmless regulariser: it decides between a spread-out router and a collapsed one, and
in the paper's eta -> 0+ limit the printed Eq. 8 drops about half of the tokens.

`check()` recomputes the phases for the notebook's token potentials (4 Gaussian sequences of 48 tokens and one
Prime-Bump sequence, 4 experts) over the eta list above and asserts these statements, including the eta^{-3}
decay and the sign rule.
"""
import numpy as np

from paperlib.bk import scattering as sc

ETAS = [0.001, 0.01, 0.1, 1.0, 3.0, 10.0, 100.0]
SEQ_N, N_SEQS, N_EXPERTS, SEED = 48, 4, 4, 0


def _phases(kind, eta):
    n = N_SEQS if kind == "gaussian" else 1
    return np.concatenate([sc.token_phases(sc.token_potentials(SEQ_N, kind, SEED + s), eta) for s in range(n)])


def check() -> dict:
    util, std, med = {}, {}, {}
    for kind in ("gaussian", "prime_bump"):
        for eta in ETAS:
            d = _phases(kind, eta)
            util[(kind, eta)] = sc.expert_utilisation(sc.route_by_phase(d, N_EXPERTS, "printed"), N_EXPERTS)
            std[(kind, eta)] = float(np.std(d))
            med[(kind, eta)] = float(np.median(np.abs(d)))

    for eta in ETAS:
        u = util[("gaussian", eta)]
        if eta <= 1.0:    # spread phases, about half unrouted by the printed rule
            assert std[("gaussian", eta)] > 1.0 and 0.3 <= u[-1] <= 0.7, (eta, u, std[("gaussian", eta)])
        if eta >= 10.0:   # collapse into expert 1
            assert std[("gaussian", eta)] < 0.1 and u[0] >= 0.9, (eta, u)
        if eta >= 3.0:    # Prime-Bump (v >= 0): nothing unrouted, everything in expert 1
            assert util[("prime_bump", eta)][0] == 1.0, (eta, util[("prime_bump", eta)])

    # |delta| ~ eta^-3 at large eta
    slope = float(np.log(med[("gaussian", 100.0)] / med[("gaussian", 10.0)]) / np.log(10.0))
    assert -3.3 < slope < -2.7, slope

    # sign rule at large eta: sign(delta_i) = sign(v_i + 2 - sum|v|^3 / (3 sum v^2)), per sequence
    agree = []
    for s in range(N_SEQS):
        v = sc.token_potentials(SEQ_N, "gaussian", SEED + s)
        d = sc.token_phases(v, 100.0)
        thr = -2.0 + np.sum(np.abs(v) ** 3) / (3 * np.sum(v ** 2))
        agree.append(np.sign(d) == np.sign(v - thr))
    agree = float(np.mean(np.concatenate(agree)))
    assert agree >= 0.97, agree

    fmt = lambda u: [round(float(x), 3) for x in u]
    return {"etas": ETAS,
            "gaussian_utilisation_e1..e4_unrouted": {eta: fmt(util[("gaussian", eta)]) for eta in ETAS},
            "prime_bump_utilisation_e1..e4_unrouted": {eta: fmt(util[("prime_bump", eta)]) for eta in ETAS},
            "gaussian_phase_std": {eta: round(std[("gaussian", eta)], 4) for eta in ETAS},
            "gaussian_median_abs_phase": {eta: float(f"{med[('gaussian', eta)]:.3g}") for eta in ETAS},
            "log_log_slope_10_to_100": slope, "sign_rule_agreement_eta100": agree}


if __name__ == "__main__":
    print(check())
