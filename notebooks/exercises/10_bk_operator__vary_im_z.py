"""Push Im z until Theorem 2's bounds break

What to change: `IM_Z_LIST` in the parameters cell of notebook 10, e.g. `[0.05, 0.1, 0.25, 0.5, 1, 2, 4]`
(and, if you like, `EPS_LIST`). Watch the table printed in section 2 (largest `S2_ratio` and `S1_ratio`
per kernel and Im z; a ratio above 1 means Eq. 3 or Eq. 4 fails).

What one sees, and why (z = RE_Z + i Im z, K_ij = sqrt(w_i|V_i|) R0(x_i, x_j) sqrt(w_j|V_j|)).

* Small Im z: every kernel satisfies both bounds. The right-hand sides of Eqs. 3-4 grow like
  (Im z)^{-1/2} and (Im z)^{-1}, while the kernels stay bounded.
* `printed` (Eq. 2): both ratios grow exponentially in Im z and are above 1 from Im z = 1/2 on (the S2 ratio
  already at 1/4). For x_i < x_j
  the entry is (1/2) s_i s_j e^{+Im z (x_j - x_i)}: the advanced half of Eq. 2 grows. Hence
  ||K||_S2 <= (1/2)||V||_L1 e^{Im z (x_max - x_min)}, and the growth rate is set by how far apart the potential's
  (Gaussian-tailed) mass reaches on the grid, i.e. by the domain `PAD` as much as by V itself.
* `symmetric` ((i/2)e^{iz|u-v|}, the kernel that meets the printed pointwise bound): Eq. 3 holds. By the
  Schur/Young inequality ||K||_S2^2 <= ||V||_L2^2 sup_u int (1/4)e^{-2 Im z|u-v|} dv = ||V||_L2^2/(4 Im z), with
  equality approached when V is wide compared with the kernel's range 1/Im z, so the S2 ratio rises towards 1
  as Im z grows. On a grid of spacing h the same argument gives ratio <= sqrt(Im z h coth(Im z h)), which is
  the small overshoot above 1 seen at large Im z on a coarse grid (discretisation, not a failure). Eq. 4
  fails for every Im z > 1: ||K||_S1 >= |tr K| = (1/2)||V||_L1 exactly (the diagonal of R0 is i/2), so the S1 ratio
  is at least Im z, and approaches Im z when Im z is large.
* `momentum` ((p - z)^{-1}, one-sided, |R0| = 1 rather than 1/2): the S2 ratio climbs above 1 and levels off
  below sqrt 2 (Young with the one-sided kernel, int_0^inf e^{-2 Im z t} dt = 1/(2 Im z)).
* `laplacian` ((i/2k)e^{ik|u-v|}, k = sqrt z): its prefactor 1/(2|k|) exceeds 1/2 when |z| < 1, so the S2
  bound fails at moderate Im z and holds again for large Im z; its S1 ratio is at least Im z/|z|^{1/2}
  (trace argument again) and keeps growing.

So Theorem 2 "holds" only for small Im z, for every reading of R0; Eq. 4 is violated for Im z > 1 by any
kernel whose diagonal has modulus 1/2, because a trace-class norm can never be below the trace.

`check()` recomputes section 2 at the notebook's smoke grid (N_GRID = 64, PAD = 4, eps = 1) for the Im z list
above and asserts these statements, including the two exact inequalities.
"""
import math

import numpy as np

from paperlib.bk import operator as bk

IM_Z = [0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0]
EPS, N_GRID, PAD, P_MAX, RE_Z = 1.0, 64, 4.0, 200, 0.5


def check() -> dict:
    sw = bk.theorem2_sweep(list(bk.KERNELS), [EPS], IM_Z, N_GRID, PAD, P_MAX, RE_Z)
    g, V = bk.prime_bump_grid(EPS, P_MAX, N_GRID, PAD)
    h, span, v1 = float(g.w[0]), float(g.x[-1] - g.x[0]), bk.lp_norm(V, g, 1)
    r = {k: d.set_index("im_z") for k, d in sw.groupby("kernel")}
    eta = np.array(IM_Z)

    # small Im z: every bound holds for every kernel
    small = sw[sw.im_z == min(IM_Z)]
    assert (small.S2_ratio < 1).all() and (small.S1_ratio < 1).all(), small

    # printed: exponential growth, bounded by (1/2)||V||_1 e^{Im z (x_max - x_min)}
    p2 = r["printed"].S2_ratio.values
    assert np.all(np.diff(p2) > 0), p2
    assert (p2[eta >= 0.5] > 1).all(), p2
    lg = np.log(p2)
    assert lg[-1] - lg[-2] > lg[-2] - lg[-3] > 0, lg            # the log keeps growing (ratio x4 -> more decades)
    assert np.all(r["printed"].S2.values <= 0.5 * v1 * np.exp(eta * span) * (1 + 1e-12))

    # symmetric: S2 ratio <= sqrt(eta h coth(eta h)) (discrete Young), rising towards 1; S1 ratio >= Im z
    s2 = r["symmetric"].S2_ratio.values
    young = np.sqrt(eta * h / np.tanh(eta * h))
    assert np.all(s2 <= young * (1 + 1e-12)), (s2, young)
    assert np.all(np.diff(s2) > 0), s2
    s1 = r["symmetric"].S1_ratio.values
    assert np.all(s1 >= eta * (1 - 1e-9)), (s1, eta)
    assert (s1[eta > 1] > 1).all() and abs(s1[-1] / eta[-1] - 1) < 0.05, s1

    # momentum: S2 ratio above 1 from moderate Im z on, never above sqrt 2
    m2 = r["momentum"].S2_ratio.values
    assert (m2[eta >= 0.5] > 1).all() and (m2 < math.sqrt(2)).all(), m2

    # laplacian: S2 bound fails at moderate Im z only; S1 ratio >= Im z / |z|^(1/2)
    l2 = r["laplacian"].S2_ratio.values
    assert l2[0] < 1 and l2[-1] < 1 and l2.max() > 1, l2
    l1 = r["laplacian"].S1_ratio.values
    assert np.all(l1 >= eta / np.abs(RE_Z + 1j * eta) ** 0.5 * (1 - 1e-9)), l1

    return {"im_z": IM_Z, "grid_h": h, "grid_span": span,
            **{f"{k}_S2_ratio": [float(f"{x:.4g}") for x in d.S2_ratio] for k, d in r.items()},
            **{f"{k}_S1_ratio": [float(f"{x:.4g}") for x in d.S1_ratio] for k, d in r.items()},
            "symmetric_S2_discrete_young_bound": [round(float(x), 4) for x in young]}


if __name__ == "__main__":
    print(check())
