"""The "GPT model with Transformer" baseline of the SCN paper's Table 1: a small decoder-only transformer trained
from scratch by backpropagation on the same (prompt, answer) pairs, answering by greedy decoding.

Sequence format (char- or word-level tokens, lossless):  <bos> prompt <sep> answer <eos>
Loss: next-token cross-entropy on the answer tokens and <eos> only (the prompt is the condition).
Training stops at a *stated criterion* -- the exact-match rate of greedy answers on the training prompts
reaches `target_em` (an answer counts if it is one of the corpus answers of that prompt) -- or when the
budget (steps or seconds) runs out; the result says which. The loop is `paperlib.common.lm.train_loop`. Time
spent evaluating the criterion is reported separately from the time spent in training steps (T_GPT counts training steps only, which
favours the GPT in the G = T_GPT/T_SCN ratio).
Fine-tuning continues training on the new pairs mixed with replay of the old ones (so it is not allowed to
forget) until the new and the old training prompts are each at the criterion, or the budget ends.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from paperlib.scn.experiments import answer_sets, exact_match_rate
from paperlib.scn.model import check_pairs
from paperlib.common.lm import train_loop
from paperlib.common.measure import time_callable

__all__ = ["CharWordVocab", "TinyGPT", "GPTBaseline", "TrainResult", "gpt_time"]

PAD, BOS, SEP, EOS, UNK = 0, 1, 2, 3, 4
_SPECIALS = ["<pad>", "<bos>", "<sep>", "<eos>", "<unk>"]
_WORD_RE = re.compile(r"\w+|\s+|[^\w\s]")


class CharWordVocab:
    """Lossless tokenizer: 'char' = one token per character; 'word' = runs of word chars / whitespace / single
    punctuation marks (joining the tokens gives the text back). Unknown tokens map to <unk>."""

    def __init__(self, texts: Sequence[str], level: str = "char"):
        if level not in ("char", "word"):
            raise ValueError(f"level must be 'char' or 'word', got {level!r}")
        self.level = level
        toks = sorted({t for s in texts for t in self.split(s)})
        self.itos = _SPECIALS + toks
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def split(self, s: str) -> list[str]:
        return list(s) if self.level == "char" else _WORD_RE.findall(s)

    def __len__(self):
        return len(self.itos)

    def encode(self, s: str) -> list[int]:
        return [self.stoi.get(t, UNK) for t in self.split(s)]

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.itos[i] for i in ids if i >= len(_SPECIALS))


class _Block(nn.Module):
    def __init__(self, d: int, h: int, dropout: float):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        B, L, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, L, 3, self.h, D // self.h).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.drop(self.proj(a.transpose(1, 2).reshape(B, L, D)))
        return x + self.drop(self.mlp(self.ln2(x)))


class TinyGPT(nn.Module):
    """Pre-LN decoder-only transformer with learned positions; causal attention that also ignores padding."""

    def __init__(self, vocab_size: int, d_model: int = 64, n_layers: int = 2, n_heads: int = 4, max_len: int = 192,
                 dropout: float = 0.0):
        super().__init__()
        if d_model % n_heads:
            raise ValueError("d_model must be divisible by n_heads")
        self.max_len = max_len
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(_Block(d_model, n_heads, dropout) for _ in range(n_layers))
        self.ln = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size, bias=False)

    def forward(self, idx: torch.Tensor, pos: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        """idx, pos: (B, L) token ids and positions; real: (B, L) bool, False on padding. Returns logits."""
        L = idx.shape[1]
        causal = torch.ones(L, L, dtype=torch.bool, device=idx.device).tril()
        mask = causal[None] & real[:, None, :]
        mask = mask | torch.eye(L, dtype=torch.bool, device=idx.device)[None]  # padding rows see themselves: no NaN
        mask = mask[:, None]  # (B, 1, L, L)
        x = self.tok(idx) + self.pos(pos.clamp(0, self.max_len - 1))
        for b in self.blocks:
            x = b(x, mask)
        return self.head(self.ln(x))


@dataclass
class TrainResult:
    reached: bool            # criterion met before the budget ran out
    criterion: str
    steps: int
    train_seconds: float     # time in optimisation steps only (T_GPT)
    eval_seconds: float      # time spent checking the criterion
    final_em: float          # exact-match rate on the criterion prompts at the end
    history: list = field(default_factory=list)  # (step, train_seconds, em, loss)


class GPTBaseline:
    """Train / fine-tune / answer with a TinyGPT on (prompt, answer) pairs.

    vocab_texts: all texts the tokenizer should know (prompts and answers of the base AND fine-tune pairs,
    like a fixed pre-built tokenizer); characters/words outside it become <unk>.
    """

    def __init__(self, vocab_texts: Sequence[str], level: str = "char", d_model: int = 64, n_layers: int = 2,
                 n_heads: int = 4, max_len: int = 192, max_answer_tokens: int = 96, lr: float = 3e-3,
                 batch_size: int = 32, seed: int = 0, device=None):
        from paperlib.common.runtime import seed_everything

        self.vocab = CharWordVocab(vocab_texts, level)
        self.seed, self.lr, self.batch_size = seed, lr, batch_size
        self.max_len, self.max_answer_tokens = max_len, max_answer_tokens
        self.device = torch.device(device or "cpu")
        self.gen = seed_everything(seed)
        self.model = TinyGPT(len(self.vocab), d_model, n_layers, n_heads, max_len).to(self.device)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.0)
        self.steps_done = 0

    def n_params(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    # -- data -------------------------------------------------------------------------------------------
    def _seq(self, q: str, a: str) -> tuple[list[int], int]:
        p = [BOS] + self.vocab.encode(q)[-(self.max_len // 2):] + [SEP]
        ans = self.vocab.encode(a)[: self.max_len - len(p) - 1] + [EOS]
        return p + ans, len(p)

    def _batch(self, seqs):
        L = max(len(s) for s, _ in seqs)
        idx = torch.full((len(seqs), L), PAD, dtype=torch.long)
        tgt = torch.full((len(seqs), L), -100, dtype=torch.long)
        for i, (s, np_) in enumerate(seqs):
            idx[i, : len(s)] = torch.tensor(s)
            tgt[i, np_ - 1: len(s) - 1] = torch.tensor(s[np_:])  # predict answer + <eos> from the position before
        real = idx != PAD
        pos = torch.arange(L).expand(len(seqs), L)
        return idx.to(self.device), pos.to(self.device), real.to(self.device), tgt.to(self.device)

    # -- training ---------------------------------------------------------------------------------------
    def _step(self, seqs) -> float:
        self.model.train()
        idx, pos, real, tgt = self._batch(seqs)
        logits = self.model(idx, pos, real)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        self.steps_done += 1
        return float(loss.detach())

    def train(self, pairs, target_em: float = 0.9, max_steps: int = 2000, max_seconds: float = 60.0,
              eval_every: int = 100, criterion_groups=None, replay_pairs=None, replay_frac: float = 0.5) -> TrainResult:
        """Train until the greedy exact-match rate on each group of `criterion_groups` (a list of pair lists;
        default: [`pairs`]) is >= target_em, or the budget (max_steps / max_seconds of training-step time) runs
        out. With `replay_pairs`, each batch mixes in a `replay_frac` share of them (fine-tuning without
        forgetting). The EM reported is the smallest over the groups."""
        pairs = check_pairs(pairs)
        groups = [check_pairs(c) for c in criterion_groups] if criterion_groups else [pairs]
        if not 0.0 < target_em <= 1.0:
            raise ValueError("target_em must be in (0, 1]")
        if not isinstance(max_steps, int) or max_steps < 1 or not isinstance(eval_every, int) or eval_every < 1:
            raise ValueError("max_steps and eval_every must be positive ints")
        seqs = [self._seq(q, a) for q, a in pairs]
        rseqs = [self._seq(q, a) for q, a in check_pairs(replay_pairs)] if replay_pairs else []
        gsets = [answer_sets(c) for c in groups]
        nr = int(round(self.batch_size * replay_frac)) if rseqs else 0
        g = self.gen

        def draw():  # batches: uniform over `pairs`, with a replay_frac share of replay pairs
            while True:
                batch = [seqs[i] for i in torch.randint(0, len(seqs), (self.batch_size - nr,), generator=g).tolist()]
                if nr:
                    batch += [rseqs[i] for i in torch.randint(0, len(rseqs), (nr,), generator=g).tolist()]
                yield batch

        eval_s = 0.0

        def check(step):  # the criterion check, timed apart from training (T_GPT excludes it)
            nonlocal eval_s
            t0 = time.perf_counter()
            ems = [self.exact_match(list(st), st) for st in gsets]
            eval_s += time.perf_counter() - t0
            return {"em": min(ems), "em_groups": ems}

        res = train_loop(lambda step, batch: self._step(batch), draw(), max_steps, eval_fn=check,
                         eval_every=eval_every, stop=lambda ev: ev["em"] >= target_em, max_seconds=max_seconds,
                         device=self.device)
        hist = [(ev["step"], ev["train_s"], ev["em"], res.losses[ev["step"] - 1]) for ev in res.evals]
        em = res.evals[-1]["em"]
        crit_txt = (f"greedy exact-match >= {target_em:g} on each of {len(gsets)} prompt set(s) "
                    f"({' + '.join(str(len(st)) for st in gsets)} prompts), budget {max_steps} steps / "
                    f"{max_seconds:g} s of training")
        return TrainResult(em >= target_em, crit_txt, res.steps, res.train_s, eval_s, em, hist)

    def fine_tune(self, new_pairs, old_pairs, target_em: float = 0.9, max_steps: int = 2000,
                  max_seconds: float = 60.0, eval_every: int = 50) -> TrainResult:
        """Continue training on `new_pairs` with replay of `old_pairs` until the new prompts AND the old prompts
        are each at the criterion (exact-match >= target_em on each set), or the budget ends."""
        new_pairs, old_pairs = check_pairs(new_pairs), check_pairs(old_pairs)
        return self.train(new_pairs, target_em, max_steps, max_seconds, eval_every,
                          criterion_groups=[new_pairs, old_pairs], replay_pairs=old_pairs)

    # -- inference --------------------------------------------------------------------------------------
    @torch.no_grad()
    def generate(self, prompts: Sequence[str], batch_size: int = 256) -> list[str]:
        """Greedy answers. Prompts are left-padded so all sequences end together; positions start at 0 at
        each prompt's <bos>, as in training."""
        if isinstance(prompts, str):
            raise TypeError("generate takes a list of prompts")
        for p in prompts:
            if not isinstance(p, str):
                raise TypeError(f"prompt must be a str, got {type(p).__name__}")
        self.model.eval()
        out: list[str] = []
        for s in range(0, len(prompts), batch_size):
            chunk = prompts[s:s + batch_size]
            enc = [[BOS] + self.vocab.encode(q)[-(self.max_len // 2):] + [SEP] for q in chunk]
            L0 = max(len(e) for e in enc)
            B = len(enc)
            idx = torch.full((B, L0), PAD, dtype=torch.long)
            for i, e in enumerate(enc):
                idx[i, L0 - len(e):] = torch.tensor(e)
            idx = idx.to(self.device)
            offset = torch.tensor([L0 - len(e) for e in enc], device=self.device)
            done = torch.zeros(B, dtype=torch.bool, device=self.device)
            gen = []
            for _ in range(min(self.max_answer_tokens, self.max_len - L0)):
                L = idx.shape[1]
                pos = torch.arange(L, device=self.device)[None] - offset[:, None]
                real = pos >= 0
                nxt = self.model(idx, pos.clamp_min(0), real)[:, -1].argmax(-1)
                nxt = torch.where(done, torch.full_like(nxt, EOS), nxt)
                gen.append(nxt)
                done |= nxt == EOS
                idx = torch.cat([idx, nxt[:, None]], 1)
                if bool(done.all()):
                    break
            G = torch.stack(gen, 1).tolist() if gen else [[] for _ in range(B)]
            for row in G:
                ids = row[: row.index(EOS)] if EOS in row else row
                out.append(self.vocab.decode(ids))
        return out

    def exact_match(self, prompts: Sequence[str], sets: dict) -> float:
        preds = self.generate(list(prompts))
        return float(sum(p in sets.get(q, ()) for p, q in zip(preds, prompts)) / max(1, len(prompts)))


# ----------------------------------------------------------------------------------------------------------
# Table 1 of the SCN paper made concrete: T_SCN vs T_GPT for base training and fine-tuning, with quality.

def _mean(xs) -> float:
    return float(sum(xs) / len(xs)) if xs else float("nan")


def table1_split(pairs, lang: str, n_base: int, n_ft: int, max_chars: int):
    """Base / fine-tune pair sets from a corpus: short pairs (len(q)+len(a) <= max_chars); the base set starts
    with the pairs of the hand-written paraphrase prompts; fine-tune pairs have prompts unseen in base."""
    from paperlib.scn.perturb import load_paraphrases

    short = [(q, a) for q, a in pairs if len(q) + len(a) <= max_chars]
    para = {r["prompt"] for r in load_paraphrases(lang)}
    first = [p for p in short if p[0] in para]
    rest = [p for p in short if p[0] not in para]
    base = (first + rest)[:n_base]
    seen = {q for q, _ in base}
    ft = [p for p in rest[n_base:] if p[0] not in seen][:n_ft] if n_base < len(first) + len(rest) else []
    return base, ft


def table1_experiment(lang: str, embedder, n_base: int = 200, n_ft: int = 20, max_chars: int = 64,
                      gpt_cfg: dict | None = None, target_em: float = 0.9, base_budget_s: float = 60.0,
                      ft_budget_s: float = 30.0, max_steps: int = 100000, eval_every: int = 50,
                      n_heldout: int = 40, n_unseen: int = 40, scn_repeats: int = 3, seed: int = 0,
                      n_seeds: int = 2, retrain_budget_s: float | None = None) -> dict:
    """Run both systems on the same pairs. Returns dict(times=DataFrame (medians and IQRs), quality=DataFrame,
    gpt_base / gpt_ft = `gpt_time` summaries over the GPT seeds, gpt_runs=DataFrame (one row per seed),
    unseen_f1={system: per-prompt F1 (the GPT's: mean over seeds)}, n_base, n_ft, n_unseen, gpt_params, criterion).

    The GPT is trained with `n_seeds` seeds (seed, seed+1, ...). Its fine-tune time is the *fair* one
    (`_gpt_seed`): the faster of fine-tuning the base model and retraining from scratch on base + new pairs,
    both to the same criterion; the GPT quality table row is the first seed's.

    Generalisation is measured twice: on perturbations/paraphrases of stored prompts (a lookup system answers
    those with a stored answer by design), and on `n_unseen` short corpus prompts in neither the base nor the
    fine-tune set (the last ones in corpus order), scored by answer token F1 (`answer_f1`) after base training:
    there neither system has seen the prompt or its answer."""
    import pandas as pd

    from paperlib.common.data import chatterbot_pairs
    from paperlib.scn.perturb import heldout_queries
    from paperlib.scn.experiments import accuracy_by_family, answer_f1, scn_answer_fn
    from paperlib.scn.model import SCN

    base, ft = table1_split(chatterbot_pairs(lang), lang, n_base, n_ft, max_chars)
    if not ft:
        raise ValueError("no fine-tune pairs left: lower n_base or raise max_chars")
    sets_base, sets_all = answer_sets(base), answer_sets(base + ft)
    seen = set(sets_all)
    unseen_all = answer_sets([(q, a) for q, a in chatterbot_pairs(lang) if len(q) + len(a) <= max_chars
                              and q not in seen])
    sets_unseen = {q: unseen_all[q] for q in list(unseen_all)[-n_unseen:]} if n_unseen else {}
    unseen_q = list(sets_unseen)
    unseen_f1 = {}
    held = heldout_queries([q for q, _ in base], lang, n_sample=n_heldout, seed=seed)
    embedder.encode(["warm-up"])  # the frozen encoder is loaded before timing (pre-trained, not trained here)

    times, quality = [], []
    for mode in ("lexical", "embedding", "hurnet"):
        emb = None if mode == "lexical" else embedder
        t_base = time_callable(lambda m: m.fit(base), setup=lambda: SCN(mode=mode, embedder=emb), warmup=0,
                               repeats=scn_repeats, sync_cuda=False)
        t_ft = time_callable(lambda m: m.fine_tune(ft), setup=lambda: SCN(mode=mode, embedder=emb).fit(base), warmup=0,
                             repeats=scn_repeats, sync_cuda=False)
        m = SCN(mode=mode, embedder=emb).fit(base)
        fn = scn_answer_fn(m)
        tr = exact_match_rate(fn([q for q in sets_base]), list(sets_base), sets_base)
        held_acc, _ = accuracy_by_family(fn, held, sets_base)
        unseen_f1[f"SCN-{mode}"] = [answer_f1(a, sets_unseen[q]) for a, q in zip(fn(unseen_q), unseen_q)]
        m.fine_tune(ft)
        new_q, old_q = list(answer_sets(ft)), list(sets_base)
        quality.append({"system": f"SCN-{mode}", "train EM": tr, **{f"held-out {k}": v for k, v in held_acc.items()},
                        "unseen F1": _mean(unseen_f1[f"SCN-{mode}"]),
                        "after FT: new EM": exact_match_rate(fn(new_q), new_q, sets_all),
                        "after FT: old EM": exact_match_rate(fn(old_q), old_q, sets_all)})
        times.append({"system": f"SCN-{mode}", "base s": t_base.median, "base IQR s": t_base.iqr,
                      "fine-tune s": t_ft.median, "fine-tune IQR s": t_ft.iqr})

    cfg = dict(level="char", d_model=64, n_layers=2, n_heads=4, max_len=max_chars + 8, max_answer_tokens=max_chars,
               lr=3e-3, batch_size=32)
    cfg.update(gpt_cfg or {})
    vocab = [t for p in base + ft for t in p] + unseen_q
    runs, gpt_f1 = [], []
    for i in range(n_seeds):
        run, f1, q = _gpt_seed(vocab, cfg, seed + i, base, ft, held, sets_base, sets_all, sets_unseen, unseen_q,
                               target_em, max_steps, base_budget_s, ft_budget_s,
                               base_budget_s if retrain_budget_s is None else retrain_budget_s, eval_every)
        runs.append(run)
        gpt_f1.append(f1)
        if i == 0:
            gpt_quality = q
    unseen_f1["GPT"] = [_mean(list(col)) for col in zip(*gpt_f1)]  # per prompt, mean over the seeds
    gpt_quality["unseen F1"] = _mean(unseen_f1["GPT"])
    quality.append({"system": "GPT", **gpt_quality})
    g_base = gpt_time(runs, "base")
    g_ft = gpt_time(runs, "fine-tune")
    times.append({"system": "GPT", "base s": g_base["seconds"], "base IQR s": float("nan"),
                  "fine-tune s": g_ft["seconds"], "fine-tune IQR s": float("nan")})
    times = pd.DataFrame(times).set_index("system")
    times["G base"] = times.loc["GPT", "base s"] / times["base s"]
    times["G fine-tune"] = times.loc["GPT", "fine-tune s"] / times["fine-tune s"]
    return {"times": times, "quality": pd.DataFrame(quality).set_index("system"), "gpt_base": g_base,
            "gpt_ft": g_ft, "gpt_runs": pd.DataFrame(runs), "unseen_f1": unseen_f1, "n_base": len(base),
            "n_ft": len(ft), "n_unseen": len(unseen_q), "gpt_params": runs[0]["params"],
            "criterion": runs[0]["criterion"], "lang": lang}


def _gpt_seed(vocab, cfg, seed, base, ft, held, sets_base, sets_all, sets_unseen, unseen_q, target_em, max_steps,
              base_budget_s, ft_budget_s, retrain_budget_s, eval_every):
    """One GPT seed of Table 1: base training, then (only if the base model reached the criterion, which the
    fine-tune criterion presupposes) the two ways to add the new pairs, each to the same criterion (new AND old
    prompts each at exact-match >= target): retraining from scratch on base + new (budget `retrain_budget_s`),
    then fine-tuning the base model with replay (budget: the smaller of `ft_budget_s` and the retrain time when
    retraining reached it, since fine-tuning can only be the faster way within that time). The seed's fine-tune
    time is the faster arm that reached the criterion, else a lower bound (the smaller time spent).
    Returns (row, per-prompt unseen F1, quality dict of this seed)."""
    from paperlib.scn.experiments import accuracy_by_family, answer_f1

    gpt = GPTBaseline(vocab, seed=seed, **cfg)
    r_base = gpt.train(base, target_em=target_em, max_steps=max_steps, max_seconds=base_budget_s,
                       eval_every=eval_every)
    fn = gpt.generate
    q = {"train EM": exact_match_rate(fn(list(sets_base)), list(sets_base), sets_base)}
    held_acc, _ = accuracy_by_family(fn, held, sets_base)
    q.update({f"held-out {k}": v for k, v in held_acc.items()})
    f1 = [answer_f1(a, sets_unseen[p]) for a, p in zip(fn(unseen_q), unseen_q)]
    row = dict(seed=seed, params=gpt.n_params(), criterion=r_base.criterion, base_s=r_base.train_seconds,
               base_reached=r_base.reached, base_em=r_base.final_em, retrain_s=math.nan, retrain_reached=False,
               finetune_s=math.nan, finetune_reached=False, ft_s=math.nan, ft_reached=False, ft_arm="not run")
    new_q, old_q = list(answer_sets(ft)), list(sets_base)
    q.update({"after FT: new EM": math.nan, "after FT: old EM": math.nan})
    if not r_base.reached:
        return row, f1, q
    ft_every = max(5, eval_every // 2)
    scratch = GPTBaseline(vocab, seed=seed, **cfg)
    r_re = scratch.train(base + ft, target_em, max_steps, retrain_budget_s, eval_every, criterion_groups=[ft, base])
    cap = min(ft_budget_s, r_re.train_seconds) if r_re.reached else ft_budget_s
    r_ft = gpt.fine_tune(ft, base, target_em=target_em, max_steps=max_steps, max_seconds=cap, eval_every=ft_every)
    arms = {"retrain": (r_re, scratch), "fine-tune": (r_ft, gpt)}
    reached = {k: v for k, v in arms.items() if v[0].reached}
    pool = reached or arms
    arm = min(pool, key=lambda k: pool[k][0].train_seconds)
    best, model = pool[arm]
    row.update(retrain_s=r_re.train_seconds, retrain_reached=r_re.reached, finetune_s=r_ft.train_seconds,
               finetune_reached=r_ft.reached, ft_s=best.train_seconds, ft_reached=best.reached,
               ft_arm=arm if best.reached else "neither reached")
    fn = model.generate
    q.update({"after FT: new EM": exact_match_rate(fn(new_q), new_q, sets_all),
              "after FT: old EM": exact_match_rate(fn(old_q), old_q, sets_all)})
    return row, f1, q


def gpt_time(runs, kind: str, min_seeds: int = 2) -> dict:
    """T_GPT over the seeds of `_gpt_seed` rows: the median time, `status` 'measured' when every counted seed
    reached the criterion, 'bound' when some hit the budget (the median of lower bounds is a lower bound), or
    'undefined' when fewer than `min_seeds` seeds count (fine-tune: only seeds whose base model reached the
    criterion count). Also seconds_min / seconds_max and n_seeds counted / n_runs."""
    import statistics

    col, ok = ("base_s", "base_reached") if kind == "base" else ("ft_s", "ft_reached")
    rows = [r for r in (runs.to_dict("records") if hasattr(runs, "to_dict") else runs)
            if kind == "base" or r["base_reached"]]
    out = dict(kind=kind, n_seeds=len(rows), n_runs=len(runs), seconds=math.nan, seconds_min=math.nan,
               seconds_max=math.nan, status="undefined", reached=False)
    if len(rows) < min_seeds:
        return out
    t = [float(r[col]) for r in rows]
    allok = all(bool(r[ok]) for r in rows)
    out.update(seconds=statistics.median(t), seconds_min=min(t), seconds_max=max(t),
               status="measured" if allok else "bound", reached=allok)
    return out
