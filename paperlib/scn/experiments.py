"""Experiments of the SCN notebooks. Notebook 01/03: exact-match scoring against the corpus answers and the
retrieval comparison of Eq. 1 and Eq. 2. Notebook 02 (HurNet closed form): problem regimes, solver agreement,
accuracy versus conditioning, real sentence-embedding data, and the closed-form-versus-gradient-descent timing.

Everything here returns plain rows (lists of dicts) that the notebook turns into tables and figures.
"""
from __future__ import annotations

import math
import warnings
from typing import Sequence

import numpy as np
import torch

from paperlib.scn.hurnet import (
    SOLVERS,
    HurNetFallbackWarning,
    HurNetLayer,
    SingularSystemError,
    explicit_inverse_solution,
    pinv_svd_solution,
)
from paperlib.scn.baselines import fit_linear_gd, hashed_text_features, mse_optimum
from paperlib.scn.hurnet_theory import matrix_with_condition, numerical_rank
from paperlib.common.checks import relative_error

__all__ = ["answer_sets", "exact_match_rate", "accuracy_by_family", "scn_answer_fn", "retrieval_comparison",
           "answer_f1", "paired_gap",
           "real_pair_embeddings", "regime_problems", "solver_agreement", "accuracy_vs_condition",
           "embedding_like_stream", "realtime_comparison"]


def real_pair_embeddings(n_pairs: int, embedder: str = "minilm", seed: int = 0) -> dict:
    """Prompt and answer embeddings of chatterbot-corpus pairs (English + Portuguese, all pairs when n_pairs=0,
    else a seeded sample of n_pairs). X = E(prompt), Y = E(answer): the map an SCN 'hurnet' mode would fit.

    embedder: 'minilm' (frozen all-MiniLM-L6-v2, 384-d, paperlib.scn.embed) or 'hashing' (hashed word n-grams,
    256-d, paperlib.scn.baselines.hashed_text_features; not semantic).
    """
    from paperlib.common.data import chatterbot_pairs

    pairs = chatterbot_pairs("english") + chatterbot_pairs("portuguese")
    if n_pairs and n_pairs < len(pairs):
        idx = np.sort(np.random.default_rng(seed).choice(len(pairs), size=n_pairs, replace=False))
        pairs = [pairs[i] for i in idx]
    prompts, answers = [p for p, _ in pairs], [a for _, a in pairs]
    if embedder == "minilm":
        from paperlib.scn.embed import MiniLMEmbedder

        enc = MiniLMEmbedder(device="cpu")
        X = enc.encode(prompts).double().numpy()
        Y = enc.encode(answers).double().numpy()
        label = "all-MiniLM-L6-v2 embeddings of chatterbot-corpus prompts/answers (EN+PT)"
    elif embedder == "hashing":
        X = hashed_text_features(prompts, 256)
        Y = hashed_text_features(answers, 256)
        label = "hashed word 1-2-gram features (256-d) of chatterbot-corpus prompts/answers (EN+PT)"
    else:
        raise ValueError(f"embedder must be 'minilm' or 'hashing', got {embedder!r}")
    return dict(X=X, Y=Y, label=label, n_pairs=len(pairs))


def regime_problems(seed: int = 0, real: dict | None = None) -> dict:
    """Named (X, Y) problems: overdetermined well/ill-conditioned, underdetermined, rank-deficient, real."""
    rng = np.random.default_rng(seed)
    probs = {
        "m>n, cond 1e2": (matrix_with_condition(200, 20, 1e2, seed).numpy(), rng.standard_normal((200, 3))),
        "m>n, cond 1e7": (matrix_with_condition(200, 20, 1e7, seed + 1).numpy(), rng.standard_normal((200, 3))),
        "m<n (30 x 60)": (rng.standard_normal((30, 60)), rng.standard_normal((30, 3))),
        "rank-deficient (200 x 20, rank 8)": (matrix_with_condition(200, 20, 10.0, seed + 2, rank=8).numpy(),
                                               rng.standard_normal((200, 3))),
    }
    if real is not None:
        m, n = real["X"].shape
        probs[f"real embeddings ({m} x {n})"] = (real["X"], real["Y"])
    return probs


def solver_agreement(problems: dict) -> list[dict]:
    """Per problem: rank, cond(X), cond_eff = sigma_1 / sigma_rank, tol_fp = max(m, n) cond_eff eps (the size of
    rounding-level disagreement between two stable pseudo-inverse solvers), and the relative difference to numpy.linalg.lstsq of Eq. 3 (explicit inverse),
    Eq. 10 (V S^+ U^T Y), numpy pinv, and the layer (no bias) with each solver; plus excess residual of Eq. 3."""
    rows = []
    for name, (X, Y) in problems.items():
        m, n = X.shape
        S = np.linalg.svd(X, compute_uv=False)
        rank = numerical_rank(torch.from_numpy(S), m, n)
        ref = np.linalg.lstsq(X, Y, rcond=None)[0]
        res_ref = np.linalg.norm(X @ ref - Y)
        cond_eff = float(S[0] / S[rank - 1]) if rank > 0 else 1.0  # condition of the kept spectrum
        row = dict(problem=name, m=m, n=n, rank=rank, cond_X=float(S[0] / S[-1]) if S[-1] > 0 else math.inf,
                   cond_eff=cond_eff, full_column_rank=rank == n,
                   tol_fp=max(m, n) * cond_eff * float(np.finfo(np.float64).eps))
        try:
            W3 = explicit_inverse_solution(X, Y).numpy()
            row["eq3_explicit_inv"] = relative_error(W3, ref)
            row["eq3_excess_residual"] = float((np.linalg.norm(X @ W3 - Y) - res_ref) / max(res_ref, 1e-300))
        except SingularSystemError:
            row["eq3_explicit_inv"] = math.nan
            row["eq3_excess_residual"] = math.nan
        row["eq10_svd"] = relative_error(pinv_svd_solution(X, Y).numpy(), ref)
        row["numpy_pinv"] = relative_error(np.linalg.pinv(X) @ Y, ref)
        for solver in SOLVERS:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always", HurNetFallbackWarning)
                layer = HurNetLayer(n, Y.shape[1], bias=False, solver=solver).fit(X, Y, keep_stats=False)
            row[f"layer_{solver}"] = relative_error(layer.weight.numpy(), ref)
            if solver in ("cholesky", "qr"):
                row[f"{solver}_used"] = layer.solver_used_ + (" (fallback)" if w else "")
        rows.append(row)
    return rows


def accuracy_vs_condition(conds, m: int = 200, n: int = 40, k: int = 2, seed: int = 0) -> list[dict]:
    """Relative error ||W - W_true|| / ||W_true|| on consistent problems Y = X W_true with cond(X) = c.

    Methods: the layer with each solver (cholesky with its conditioning check and fallback), the same
    normal equations without the check (Cholesky forced: on_singular='raise', cond_limit=inf), and Eq. 3 with
    an explicit inverse. A backward-stable solver's error is ~ c eps; normal equations' ~ c^2 eps.
    """
    rows = []
    for c in conds:
        X = matrix_with_condition(m, n, float(c), seed=seed).numpy()
        W_true = np.random.default_rng(seed + 1).standard_normal((n, k))
        Y = X @ W_true
        row = dict(cond=float(c))
        for solver in SOLVERS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", HurNetFallbackWarning)
                layer = HurNetLayer(n, k, bias=False, solver=solver).fit(X, Y, keep_stats=False)
            row[solver] = relative_error(layer.weight.numpy(), W_true)
            if solver == "cholesky":
                row["cholesky_used"] = layer.solver_used_
        try:
            layer = HurNetLayer(n, k, bias=False, solver="cholesky", on_singular="raise",
                                cond_limit=math.inf).fit(X, Y, keep_stats=False)
            row["cholesky unchecked"] = relative_error(layer.weight.numpy(), W_true)
        except SingularSystemError:  # Cholesky itself failed (G not numerically positive definite)
            row["cholesky unchecked"] = math.nan
        try:
            row["Eq. 3 explicit inverse"] = relative_error(explicit_inverse_solution(X, Y).numpy(), W_true)
        except SingularSystemError:
            row["Eq. 3 explicit inverse"] = math.nan
        rows.append(row)
    return rows


def embedding_like_stream(m: int, n: int, k: int = 8, decay: float = 1.0, noise: float = 0.1,
                          seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows x_t ~ N(0, C), C = diag(i^-decay) rotated; targets y_t = x_t W + noise. Returns (X, Y, eigenvalues of C)."""
    rng = np.random.default_rng(seed)
    lam = np.arange(1, n + 1, dtype=np.float64) ** (-decay)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    X = (rng.standard_normal((m, n)) * np.sqrt(lam)) @ Q.T
    W = rng.standard_normal((n, k))
    Y = X @ W + noise * rng.standard_normal((m, k))
    return X, Y, lam


def realtime_comparison(X, Y, *, lrs, tol: float, max_steps: int, inc_batch: int, repeats: int = 3,
                        seed: int = 0, time_limit: float | None = None) -> dict:
    """SCN-EQ3-REALTIME: closed-form fit time vs gradient training of the same linear map to the same loss.

    Target: mean squared training error <= (1 + tol) * optimum. Gradient methods: full-batch Adam for each lr
    in `lrs` and full-batch gradient descent with the textbook step 1/L (L = 2 sigma_1^2 / m, the Hessian's
    largest eigenvalue; computing it is not timed). Closed form: the layer (bias) with 'cholesky' and 'lstsq'.
    Incremental: partial_fit with `inc_batch` new rows vs refitting all rows (median of `repeats`).
    Returns dict(optimum, closed=[rows], gradient=[rows], incremental=dict).
    """
    from paperlib.common.measure import time_callable

    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    m, n = X.shape
    k = Y.shape[1]
    opt = mse_optimum(X, Y, bias=True)
    target = opt * (1.0 + tol)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    closed = []
    for solver in ("cholesky", "lstsq"):
        layer = HurNetLayer(n, k, bias=True, solver=solver)
        t = time_callable(lambda: layer.fit(Xt, Yt, keep_stats=False), warmup=1, repeats=repeats)
        mse = layer.loss(Xt, Yt) / m
        closed.append(dict(method=f"HurNetLayer.fit ({solver})", seconds=t.median, iqr=t.iqr, steps=0,
                           mse=mse, reached=mse <= target))
    grad = []
    A = np.c_[X, np.ones(m)]
    L = 2.0 * float(np.linalg.svd(A, compute_uv=False)[0] ** 2) / m
    for opt_name, lr in [("adam", float(lr)) for lr in lrs] + [("sgd", 1.0 / L)]:
        out = fit_linear_gd(Xt, Yt, optimizer=opt_name, lr=lr, target_loss=target, max_steps=max_steps,
                            seed=seed, time_limit=time_limit)
        grad.append(dict(method=f"{'Adam' if opt_name == 'adam' else 'GD'} lr={lr:.3g} (full batch)",
                         seconds=out["seconds"], iqr=0.0, steps=out["steps"], mse=out["loss"], reached=out["reached"]))
    # incremental update: fit on all but the last inc_batch rows, then time adding them
    base = HurNetLayer(n, k, bias=True, solver="cholesky")
    Xa, Ya, Xb, Yb = Xt[:-inc_batch], Yt[:-inc_batch], Xt[-inc_batch:], Yt[-inc_batch:]
    base.fit(Xa, Ya)
    G0, B0, n0 = base.gram_.clone(), base.xty_.clone(), base.n_seen_

    def inc():
        base.gram_.copy_(G0)
        base.xty_.copy_(B0)
        base.n_seen_ = n0
        base.partial_fit(Xb, Yb)

    t_inc = time_callable(inc, warmup=1, repeats=repeats)
    full = HurNetLayer(n, k, bias=True, solver="cholesky")
    t_full = time_callable(lambda: full.fit(Xt, Yt), warmup=1, repeats=repeats)
    incremental = dict(rows_before=m - inc_batch, new_rows=inc_batch, partial_fit_s=t_inc.median,
                       partial_fit_iqr=t_inc.iqr, refit_s=t_full.median, refit_iqr=t_full.iqr,
                       max_abs_diff=float((base.W_augmented - full.W_augmented).abs().max()))
    return dict(optimum=opt, target=target, closed=closed, gradient=grad, incremental=incremental)


# ----------------------------------------------------------------------------------------------------------
# Notebooks 01 and 03: exact-match scoring and the retrieval comparison

def answer_sets(pairs) -> dict[str, set[str]]:
    """Every answer the corpus gives to each prompt (chatterbot repeats prompts with different answers)."""
    d: dict[str, set[str]] = {}
    for q, a in pairs:
        d.setdefault(q, set()).add(a)
    return d


def exact_match_rate(predicted: Sequence[str], source_prompts: Sequence[str], sets: dict[str, set[str]]) -> float:
    """Fraction of predictions that are one of the corpus answers of the (original) source prompt."""
    if len(predicted) != len(source_prompts):
        raise ValueError("predicted and source_prompts differ in length")
    if not predicted:
        return float("nan")
    return float(np.mean([p in sets.get(q, ()) for p, q in zip(predicted, source_prompts)]))


def accuracy_by_family(answer_fn, queries: list[dict], sets: dict[str, set[str]]):
    """Exact-match accuracy of `answer_fn(list_of_queries) -> list_of_answers` per held-out family.

    queries: rows {family, query, source} (paperlib.scn.perturb.heldout_queries). Returns a pandas Series
    (family -> accuracy) with an 'all held-out' entry, and the per-query correctness list.
    """
    import pandas as pd

    answers = answer_fn([r["query"] for r in queries])
    ok = [a in sets.get(r["source"], ()) for a, r in zip(answers, queries)]
    df = pd.DataFrame({"family": [r["family"] for r in queries], "ok": ok})
    s = df.groupby("family", sort=False)["ok"].mean()
    s["all held-out"] = float(np.mean(ok)) if ok else float("nan")
    return s, ok


def scn_answer_fn(model):
    return lambda qs: [p.answer for p in model.predict_batch(qs)]


def retrieval_comparison(lang: str, embedders: dict, n_heldout: int = 20, seed: int = 0, max_pairs: int = 0):
    """Notebook 01: SCN retrieval accuracy on held-out prompts, Eq. 1 (both readings) vs Eq. 2 embedders.

    The SCN stores every chatterbot (prompt, answer) pair of `lang`; queries are perturbations of a seeded
    sample of stored prompts plus the hand-written paraphrases; a query is answered correctly if the returned
    answer is one of the corpus answers of its source prompt. Returns a DataFrame (family x system).
    max_pairs > 0 keeps only that many pairs (the paraphrase-source pairs first, then corpus order).
    ``df.attrs["ok"]`` holds each system's per-query correctness (paired across systems).
    """
    import pandas as pd

    from paperlib.common.data import chatterbot_pairs
    from paperlib.scn.model import SCN
    from paperlib.scn.perturb import heldout_queries, load_paraphrases

    pairs = chatterbot_pairs(lang)
    if max_pairs:
        para = {r["prompt"] for r in load_paraphrases(lang)}
        pairs = ([p for p in pairs if p[0] in para] + [p for p in pairs if p[0] not in para])[:max_pairs]
    sets = answer_sets(pairs)
    held = heldout_queries([q for q, _ in pairs], lang, n_sample=n_heldout, seed=seed)
    systems = {"Eq.1 word": SCN(mode="lexical", reading="word"),
               "Eq.1 literal": SCN(mode="lexical", reading="literal")}
    for name, e in embedders.items():
        systems[f"Eq.2 {name}"] = SCN(mode="embedding", embedder=e)
    cols, oks = {}, {}
    for name, m in systems.items():
        m.fit(pairs)
        cols[name], oks[name] = accuracy_by_family(scn_answer_fn(m), held, sets)
    df = pd.DataFrame(cols)
    df.insert(0, "queries", pd.Series({f: sum(r["family"] == f for r in held) for f in df.index}).fillna(len(held)))
    df.loc["all held-out", "queries"] = len(held)
    df["queries"] = df["queries"].astype(int)
    df.attrs["ok"] = oks  # per-query correctness of each system, same query order (for paired intervals)
    return df


def answer_f1(predicted: str, references) -> float:
    """Token F1 (SQuAD-style: multiset overlap of accent- and case-folded word tokens) of an answer against
    the best of its reference answers. A graded score neither system's representation defines."""
    from collections import Counter

    from paperlib.scn.similarity import strip_accents, tokenize

    def toks(s):
        return Counter(strip_accents(t).lower() for t in tokenize(s))

    p = toks(predicted)
    best = 0.0
    for r in references:
        rt = toks(r)
        common = sum((p & rt).values())
        if common:
            prec, rec = common / sum(p.values()), common / sum(rt.values())
            best = max(best, 2 * prec * rec / (prec + rec))
    return best


def paired_gap(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of a - b over paired items with its t-interval (lo, hi); (-inf, inf) with fewer than two items."""
    from scipy import stats

    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if d.ndim != 1 or d.size == 0:
        raise ValueError("a and b must be equal-length, non-empty sequences")
    m = float(d.mean())
    if d.size < 2:
        return m, -math.inf, math.inf
    h = float(stats.t.ppf(0.5 + level / 2, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size))
    return m, m - h, m + h

