"""Write it yourself: the SCTA Stage-1 loss

Task: write the paper's Stage-1 loss for one token from its equation,
l = -log( exp(z.e_y/tau) / (exp(z.e_y/tau) + sum_j exp(z.e_{n_j}/tau)) ) with z = normalize(W_sem h) and
e = normalize(E_sem[.]), average it over tokens, and check it against `paperlib.scta.losses.scta_loss`.

A solution. With unit vectors every score z.e/tau lies in [-1/tau, 1/tau], so with tau = 0.07 the exponents stay
below e^15: the plain formula is safe here, but a library writes it as logsumexp(scores) - positive score, which
is the same number and never overflows. When all embeddings coincide every score is equal and the loss is
log(K + 1), the chance level of a (K+1)-way choice; it is not log V: SCTA's loss never looks at the other
V - K - 1 tokens, which is where its O(K) cost per token comes from.

`check()` compares the loop with `scta_loss` on random inputs (shared and per-token negatives) and checks the
chance level.
"""
import math

import torch
import torch.nn.functional as F

from paperlib.scta.losses import scta_loss


def my_scta_loss(z_raw, e_pos_raw, e_neg_raw, tau):
    total = 0.0
    for n in range(z_raw.shape[0]):
        z = z_raw[n] / z_raw[n].norm()
        ep = e_pos_raw[n] / e_pos_raw[n].norm()
        negs = e_neg_raw if e_neg_raw.dim() == 2 else e_neg_raw[n]
        pos = math.exp(float(z @ ep) / tau)
        neg = sum(math.exp(float(z @ (e / e.norm())) / tau) for e in negs)
        total += -math.log(pos / (pos + neg))
    return total / z_raw.shape[0]


def check() -> dict:
    g = torch.Generator().manual_seed(0)
    z, ep = torch.randn(8, 16, generator=g, dtype=torch.float64), torch.randn(8, 16, generator=g, dtype=torch.float64)
    shared, per_token = torch.randn(5, 16, generator=g, dtype=torch.float64), torch.randn(8, 5, 16, generator=g,
                                                                                          dtype=torch.float64)
    out = {}
    for name, en in (("shared", shared), ("per_token", per_token)):
        diff = abs(my_scta_loss(z, ep, en, 0.07) - float(scta_loss(z, ep, en, 0.07)))
        assert diff < 1e-9, (name, diff)
        out[f"abs_diff_{name}"] = diff
    same = F.normalize(torch.ones(3, 4, dtype=torch.float64), dim=-1)
    chance = float(scta_loss(same, same, same[:1].expand(7, 4), 0.07))
    assert abs(chance - math.log(8)) < 1e-12
    out["chance_K7"] = chance
    return out
