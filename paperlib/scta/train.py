"""SCTA's experiment drivers: Stage-1 training, the Stage-2 token head, chance/untrained losses and quality runs.

Part of paperlib.scta (the method is described in the package docstring)."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from paperlib.common.lm import batches as lm_batches, eval_windows, train_loop
from paperlib.common.runtime import seed_everything
from paperlib.scta.losses import chunked_linear_cross_entropy
from paperlib.scta.model import GRULM, SCTAConfig, evaluate_full_softmax, make_optimizers, train_step


def _run(step_fn, model, batches, steps, eval_fn, eval_every) -> dict:
    """common.lm.train_loop with SCTA's evaluation convention: eval_fn(model) every `eval_every` steps and
    after the last one (none when eval_every is 0)."""
    res = train_loop(step_fn, batches, steps, eval_fn=(lambda s: eval_fn(model)) if eval_fn is not None else None,
                     eval_every=eval_every, eval_at_end=bool(eval_every))
    return {"losses": res.losses, "train_s": res.train_s, "evals": res.evals}


def train(model: GRULM, batches, steps: int, lr: float = 3e-4, generator=None, eval_fn=None,
          eval_every: int = 0, opts=None) -> dict:
    """Train `steps` steps (`paperlib.common.lm.train_loop`); returns per-step losses, cumulative training
    seconds (evaluation time excluded) and the evaluations made every `eval_every` steps (each tagged with the
    training seconds so far)."""
    if steps < 0:
        raise ValueError("steps must be >= 0")
    opts = opts if opts is not None else make_optimizers(model, lr)
    out = _run(lambda i, xy: train_step(model, opts, *xy, generator), model, batches, steps, eval_fn, eval_every)
    return {**out, "opts": opts}


def add_token_head(model: GRULM, init: str = "zeros") -> None:
    """Attach the Stage-2 token head W_tok (V x hidden, with bias) to an SCTA model.

    init="zeros" (uniform start), or "semantic": W_tok = normalize(E_sem) W_sem / tau, the Stage-1 scores
    without the normalisation of z (a warm start; the paper does not say how W_tok starts).
    """
    if model.cfg.method != "scta":
        raise ValueError("Stage 2 applies to SCTA models")
    V, H = model.cfg.V, model.cfg.hidden
    head = nn.Linear(H, V).to(model.E_sem.weight.device)
    with torch.no_grad():
        if init == "zeros":
            head.weight.zero_()
        elif init == "semantic":
            head.weight.copy_(F.normalize(model.E_sem.weight, dim=-1) @ model.W_sem.weight / model.cfg.tau)
        else:
            raise ValueError(f"init must be 'zeros' or 'semantic', got {init!r}")
        head.bias.zero_()
    model.W_tok = head


def train_stage2(model: GRULM, batches, steps: int, mode: str = "head", lr: float = 3e-4,
                 backbone_lr: float = 3e-5, init: str = "zeros", eval_fn=None, eval_every: int = 0,
                 chunk: int = 1024) -> dict:
    """Stage 2 of the paper: fit W_tok with (chunked) cross-entropy; mode "head" freezes the backbone,
    mode "full" trains everything with the backbone at `backbone_lr`."""
    if mode not in ("head", "full"):
        raise ValueError(f"mode must be 'head' or 'full', got {mode!r}")
    if not hasattr(model, "W_tok"):
        add_token_head(model, init)
    # the dense/sparse split is make_optimizers': AdamW for the head (and dense backbone), SparseAdam for sparse tables
    opts = make_optimizers(model, lr, params=model.W_tok.parameters())
    if mode == "full":
        back = [p for n, p in model.named_parameters() if not n.startswith("W_tok")]
        opts += make_optimizers(model, backbone_lr, params=back)

    def step(i, xy):
        x, y = xy
        for o in opts:
            o.zero_grad(set_to_none=True)
        if mode == "head":
            with torch.no_grad():
                h = model.hidden_states(x).reshape(-1, model.cfg.hidden)
        else:
            h = model.hidden_states(x).reshape(-1, model.cfg.hidden)
        loss = chunked_linear_cross_entropy(h, model.W_tok.weight, y.reshape(-1), model.W_tok.bias, chunk)
        loss.backward()
        for o in opts:
            o.step()
        return float(loss.detach())

    return _run(step, model, batches, steps, eval_fn, eval_every)


def chance_losses(V: int, K: int) -> dict:
    """Loss at chance (all scores equal): full CE = log V; SCTA / InfoNCE with K negatives = log(K + 1)."""
    return {"ce": math.log(V), "scta": math.log(K + 1)}


@torch.no_grad()
def untrained_losses(V: int, K: int = 32, tau: float = 0.07, batch: int = 4, seq_len: int = 32, seed: int = 0,
                     emb_dim: int = 64, hidden: int = 256, d_sem: int = 64) -> dict:
    """Loss of freshly initialised models (no training) for CE, SCTA and sampled softmax on random tokens at V,
    beside the closed-form chance levels log V and log(K+1)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, V, (batch, seq_len), generator=g)
    y = torch.randint(0, V, (batch, seq_len), generator=g)
    out = {"V": V, "K": K, "chance_ce": math.log(V), "chance_scta": math.log(K + 1)}
    for m in ("ce", "scta", "sampled"):
        torch.manual_seed(seed)
        model = GRULM(SCTAConfig(V=V, method=m, emb_dim=emb_dim, hidden=hidden, d_sem=d_sem, K=K, tau=tau))
        out[f"untrained_{m}"] = float(model.loss(x, y, generator=torch.Generator().manual_seed(seed)))
    return out


def quality_run(method: str, train_ids: torch.Tensor, valid_ids: torch.Tensor, V: int, steps: int,
                stage2_steps: int = 0, batch: int = 16, seq_len: int = 64, lr: float = 3e-4,
                stage2_lr: float = 3e-3, stage2_mode: str = "head", stage2_init: str = "zeros",
                eval_every: int = 50, n_eval: int = 64, seed: int = 0, sparse: bool = False,
                unigram_counts: torch.Tensor | None = None, device="cpu", **cfg_kwargs) -> dict:
    """Train one method on a token budget of `steps` x batch x seq_len, evaluating full-softmax held-out
    loss/ppl/top-k every `eval_every` steps (evaluation time excluded from the training clock).

    For SCTA: Stage 1 for `steps`, then Stage 2 (`stage2_steps`, W_tok by CE) with its time added to the clock;
    also the Stage-1-only semantic read-out (z.e_i/tau over all V) at the end of Stage 1.
    """

    g = seed_everything(seed)
    dev = torch.device(device)
    model = GRULM(SCTAConfig(V=V, method=method, sparse=sparse, **cfg_kwargs), unigram_counts).to(dev)
    if hasattr(model, "sampler"):
        model.sampler.to(dev)
    xv, yv = (t.to(dev) for t in eval_windows(valid_ids, seq_len, n_eval))
    if dev.type == "cuda":
        g = torch.Generator(device=dev).manual_seed(seed)
        g_cpu = torch.Generator().manual_seed(seed)
    else:
        g_cpu = g
    head = "token" if method != "scta" else "semantic"
    curve = []

    def ev(phase, h):
        def f(m):
            return {"phase": phase, **evaluate_full_softmax(m, xv, yv, head=h)}
        return f

    batches = lm_batches(train_ids, batch, seq_len, g_cpu, device=dev)
    s1 = train(model, batches, steps, lr=lr, generator=g, eval_fn=ev("stage1", head), eval_every=eval_every)
    curve += s1["evals"]
    out = {"method": method, "sparse": sparse, "train_losses": s1["losses"], "stage1_s": s1["train_s"]}
    if method == "scta" and stage2_steps > 0:
        t1 = s1["train_s"]
        s2 = train_stage2(model, batches, stage2_steps, mode=stage2_mode, lr=stage2_lr, init=stage2_init,
                          eval_fn=ev("stage2", "token"), eval_every=eval_every)
        for e in s2["evals"]:
            curve.append({**e, "step": steps + e["step"], "train_s": t1 + e["train_s"]})
        out["stage2_s"] = s2["train_s"]
        out["stage2_losses"] = s2["losses"]
    out["curve"] = curve
    out["final"] = curve[-1] if curve else None
    return out
