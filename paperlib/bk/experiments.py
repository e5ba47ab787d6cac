"""Experiment helpers of notebook 16 around the trained ResNet-BK models: a summary table of runs, the routing
step's cost per router, whether an initialisation change changes the function at all, and the closed-form
perplexity of an untrained model (Table 8)."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from paperlib.bk.configs import build_model
from paperlib.common.checks import pos_int
from paperlib.common.lm import check_stream
from paperlib.common.stats import seed_stats, steps_to_loss

__all__ = ["summarize_runs", "interleaved_times", "paired_ratio", "router_timings", "init_output_difference", "expected_untrained_ppl", "logit_stats",
           "p_words", "change_words", "paired_pct"]


def summarize_runs(runs: dict, target_loss: float | None = None, window: int = 10):
    """One row per variant from {name: [TrainResult per seed]}: params, PPL mean/std, tokens/s, steps-to-loss."""
    import pandas as pd

    rows = []
    for name, results in runs.items():
        ppl = seed_stats([r.final_ppl for r in results])
        tps = seed_stats([r.tokens_per_s for r in results])
        row = {"variant": name, "params": results[0].n_params, "seeds": len(results),
               "ppl_mean": ppl["mean"], "ppl_std": ppl["std"], "tokens_per_s": tps["mean"]}
        if target_loss is not None:
            st = seed_stats([steps_to_loss(r.losses, target_loss, window) for r in results])
            row.update(steps_to_target_mean=st["mean"], steps_to_target_std=st["std"])
        rows.append(row)
    return pd.DataFrame(rows)


def interleaved_times(fns: dict, rounds: int, *, calls: int = 1, warmup: int = 1) -> dict[str, list[float]]:
    """Seconds per call of each callable, timed side by side: every one is warmed up, then each of `rounds`
    rounds times `calls` calls of every callable in turn (the order rotates between rounds, so slow drifts of a
    shared machine hit all alike); a round's time is the fastest of its calls (interference only ever adds
    time). {name: [seconds per round]}; the paired ratios of policy 3 are a/b round by round."""
    from paperlib.common.measure import time_callable

    rounds, calls = pos_int(rounds, "rounds"), pos_int(calls, "calls")
    names = list(fns)
    for n in names:
        for _ in range(warmup):
            fns[n]()
    out: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        k = r % len(names)
        for n in names[k:] + names[:k]:
            out[n].append(time_callable(fns[n], warmup=0, repeats=calls).min)
    return out


def paired_ratio(times: dict, a: str, b: str) -> dict:
    """``common.stats.ratio_summary`` of the per-round ratios times[a] / times[b] (`interleaved_times`)."""
    from paperlib.common.stats import ratio_summary

    return ratio_summary([x / y for x, y in zip(times[a], times[b])])


def _timing(times: list[float]):
    from paperlib.common.measure import Timing
    from paperlib.common.stats import quartiles

    q1, med, q3 = quartiles(times)
    return Timing(median=med, iqr=q3 - q1, min=min(times), times=list(times))


def router_timings(d_model: int, n_experts: int, batch_size: int, seq_len: int, repeats: int = 20,
                   seed: int = 0, device="cpu") -> dict:
    """Seconds of one routing decision for B*T tokens (forward, no grad), per router, timed side by side in
    `repeats` interleaved rounds (`interleaved_times`): {name: Timing} and "ratio": the paired ratio summary of
    scattering / mlp per round (policy 3's speed rule decides on its IQR).

    mlp: softmax(Linear(d, E) h) + top-1 (Switch gate). scattering: Eq. 7-8 phase of the causal prefix
    (paperlib.bk.model.causal_prefix_phase) given the BK-Core output G that the mixer already computed, then the
    Eq. 8 bucketing; scattering+G also recomputes G (what the router costs without a BK mixer).
    gphase: the reference code's stand-in arg(G_ii) + bucketing. "mlp_gate_params" is the gate's parameter count.
    """
    from paperlib.bk.core import bk_diag
    from paperlib.bk.model import causal_prefix_phase

    dev = torch.device(device)
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(batch_size, seq_len, d_model, generator=g).to(dev)
    v = torch.clamp(torch.randn(batch_size, seq_len, generator=g), -3, 3).to(dev)
    gate = nn.Linear(d_model, n_experts).to(dev)
    G = bk_diag(v, z=1j, causal=True)
    width = math.pi / n_experts

    def bucket(phase):
        return torch.clamp((torch.remainder(phase.reshape(-1), math.pi) / width).long(), 0, n_experts - 1)

    fns = {
        "mlp": lambda: torch.softmax(gate(h.reshape(-1, d_model)), -1).max(-1),
        "scattering": lambda: bucket(causal_prefix_phase(v, G, 1j)),
        "scattering+G": lambda: bucket(causal_prefix_phase(v, None, 1j)),
        "gphase": lambda: bucket(torch.angle(G)),
    }
    with torch.no_grad():
        times = interleaved_times(fns, repeats, calls=3, warmup=2)
    out = {name: _timing(t) for name, t in times.items()}
    out["ratio"] = paired_ratio(times, "scattering", "mlp")
    out["mlp_gate_params"] = sum(p.numel() for p in gate.parameters())
    return out


@torch.no_grad()
def init_output_difference(spec_a: dict, spec_b: dict, seed: int, tokens: torch.Tensor) -> dict:
    """Build both specs after seed_everything(seed) and compare their outputs at initialisation on `tokens`.

    Returns the largest absolute logit difference, the largest |logit| (for scale) and both losses.
    Used to show whether an initialisation change (e.g. Prime-Bump) changes the function at all.
    """
    from paperlib import seed_everything

    x = check_stream(tokens.flatten(), "tokens").view(tokens.shape)
    if x.dim() != 2 or x.shape[1] < 2:
        raise ValueError("tokens must have shape [B, T+1] with T >= 1")
    outs = []
    for spec in (spec_a, spec_b):
        seed_everything(int(seed))
        m = build_model(spec).eval()
        logits = m(x[:, :-1]).float()
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1)).item()
        outs.append((logits, loss))
    (la, loss_a), (lb, loss_b) = outs
    return {"max_logit_diff": float((la - lb).abs().max()), "max_abs_logit": float(la.abs().max()),
            "loss_a": loss_a, "loss_b": loss_b}


def expected_untrained_ppl(vocab_size: int, logit_std: float = 0.0) -> float:
    """E[PPL] of a model whose logits are i.i.d. N(0, s^2) and independent of the target (Table 8).

    CE = logsumexp(l) - l_target. For large V, logsumexp(l) ~= log(V E[e^l]) = log V + s^2/2 and
    E[l_target] = 0, so PPL = exp(E[CE]) ~= V exp(s^2/2). s = 0 gives exactly V (uniform prediction).
    """
    vocab_size = pos_int(vocab_size, "vocab_size")
    if logit_std < 0:
        raise ValueError("logit_std must be >= 0")
    return float(vocab_size * math.exp(logit_std ** 2 / 2))


@torch.no_grad()
def logit_stats(model: nn.Module, x: torch.Tensor) -> dict:
    """Mean over positions of the across-vocabulary std of the logits, and the mean logit."""
    model.eval()
    logits = model(x).float()
    return {"logit_std": float(logits.std(dim=-1).mean()), "logit_mean": float(logits.mean())}


# ---------------------------------------------------------------- words for a chapter's findings (notebook 16)
def p_words(p: float) -> str:
    """A t-test p-value as a reader reads it: "p = 0.0022", or why there is none (fewer than two seeds, or
    differences identical in every seed)."""
    if p is None or not math.isfinite(p):
        return "no p-value (too few seeds, or the same difference in every seed)"
    return f"p = {p:.2g}"


def change_words(rel_change: float, *, digits: int = 1, up: str = "higher", down: str = "lower") -> str:
    """A relative change (0.096 = +9.6%) as "9.6% higher" / "9.6% lower" / "no different" (exactly zero)."""
    if not math.isfinite(rel_change):
        return "not measurable"
    if rel_change == 0:
        return "no different"
    return f"{abs(100 * rel_change):.{digits}f}% {up if rel_change > 0 else down}"


def paired_pct(reference, other) -> list[float]:
    """Per-seed change of `other` against `reference` in percent, 100 (other_i / reference_i - 1): the paired
    values a figure draws (same seed, same batches)."""
    if len(reference) != len(other):
        raise ValueError(f"paired values need equal lengths, got {len(reference)} and {len(other)}")
    return [100.0 * (float(b) / float(a) - 1.0) for a, b in zip(reference, other)]
