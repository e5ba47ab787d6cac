"""Change the number of negatives K

K enters the SCTA loss in two places, and V in neither.

* The scale of the loss. With all scores equal the loss is log(K + 1): the positive is one of K + 1
  candidates. So `chance_scta` rises with K while `chance_ce` = log V does not move, and a model's SCTA loss can
  be made smaller or larger simply by choosing K: one more reason why the paper's SEM losses cannot be set
  beside CE losses. An untrained model sits above log(K + 1), not at it: its scores are random cosines divided
  by τ = 0.07, i.e. spread over several nats, and the positive's score is no better than a negative's, so on
  average the log-sum-exp exceeds the positive's logit by more than log(K + 1) (Jensen). Its untrained loss
  also rises with K, while the untrained CE loss (same seed, same V) does not depend on K at all.
* The cost. Each token gathers K + 1 rows of E_sem and takes K + 1 dot products in D_sem dimensions, so the
  forward+backward of the loss is O(N·K·D_sem): 16x more negatives cost several times more time. The vocabulary
  only sets the range the negative ids are drawn from; with a sparse-gradient E_sem only the gathered rows are
  touched, so the SCTA loss time stays flat in V for every K, while full CE's grows with V (it forms all N × V
  logits). This is the paper's "O(K · D_sem) instead of O(V)", for the loss alone (chapter 21 adds the V-row
  tables and their optimizer).

check() uses `paperlib.scta.train.untrained_losses` and `paperlib.scta.loss_cost.loss_only_time` (the notebook's cells)
at K = 8 and 128, V = 2,000 and 32,000, N = 256, one thread; timings are medians of repeats and the asserted
ratios are loose.
"""
import math


def check() -> dict:
    import torch

    from paperlib import scta
    from paperlib.scta import loss_cost

    torch.set_num_threads(1)
    Ks, Vs, out = (8, 128), (2000, 32000), {}
    unt = {K: scta.untrained_losses(8000, K=K, tau=0.07, seed=0, d_sem=64) for K in Ks}
    for K in Ks:
        assert abs(unt[K]["chance_scta"] - math.log(K + 1)) < 1e-12
        assert unt[K]["untrained_scta"] > unt[K]["chance_scta"], "untrained SCTA loss at or below log(K+1)"
        out[f"chance_scta_K{K}"] = unt[K]["chance_scta"]
        out[f"untrained_scta_K{K}"] = unt[K]["untrained_scta"]
    assert unt[128]["untrained_scta"] > unt[8]["untrained_scta"]
    assert unt[128]["chance_ce"] == unt[8]["chance_ce"] and unt[128]["untrained_ce"] == unt[8]["untrained_ce"]
    out["untrained_ce"] = unt[8]["untrained_ce"]

    for K in Ks:
        for V in Vs:
            out[f"scta_loss_s_K{K}_V{V}"] = loss_cost.loss_only_time("scta", V, N=256, d_sem=64, K=K, tau=0.07,
                                                                      repeats=7, seed=0, threads=1)
    for V in Vs:
        out[f"ce_loss_s_V{V}"] = loss_cost.loss_only_time("ce", V, N=256, repeats=3, seed=0, threads=1)
    ce_growth = out["ce_loss_s_V32000"] / out["ce_loss_s_V2000"]
    for V in Vs:
        k_growth = out[f"scta_loss_s_K128_V{V}"] / out[f"scta_loss_s_K8_V{V}"]
        out[f"scta_K_growth_V{V}"] = k_growth
        assert k_growth > 3, f"16x more negatives cost only {k_growth:.2f}x at V={V}"
    for K in Ks:
        v_growth = out[f"scta_loss_s_K{K}_V32000"] / out[f"scta_loss_s_K{K}_V2000"]
        out[f"scta_V_growth_K{K}"] = v_growth
        assert v_growth < 2, f"SCTA loss time grew {v_growth:.2f}x over a 16x range of V (K={K})"
        assert ce_growth > 2 * v_growth, f"CE grew {ce_growth:.2f}x, SCTA {v_growth:.2f}x (K={K})"
    out["ce_V_growth"] = ce_growth
    return out


if __name__ == "__main__":
    print(check())
