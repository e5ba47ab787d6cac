"""Language-model plumbing shared by the papers: encoding, batching, evaluation windows, perplexity,
generation, and the one training loop.

The loop is deliberately small: it draws a batch, calls ``step_fn`` (forward, loss, backward, optimiser step:
everything that differs between ResNet-BK's AdamW recipe, SCTA's dense/sparse optimisers and Stage 2, and the
GPT baseline), times only that call, and evaluates every ``eval_every`` steps. Hooks decide when to stop
(a criterion on the evaluation, a budget of training seconds). Evaluation time is never on the training clock.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F

from paperlib.common.checks import pos_int

__all__ = ["check_stream", "encode", "random_windows", "batches", "eval_windows", "evaluate_perplexity",
           "sample_text", "LoopResult", "train_loop", "sync"]


# ----------------------------------------------------------------------------------------------- data

def check_stream(stream, name: str = "stream") -> torch.Tensor:
    """A 1-D integer tensor of token ids, returned as int64."""
    if not isinstance(stream, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of token ids, got {type(stream).__name__}")
    if stream.dim() != 1:
        raise ValueError(f"{name} must be 1-D (a token stream), got shape {tuple(stream.shape)}")
    if stream.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        raise TypeError(f"{name} must hold integer token ids, got dtype {stream.dtype}")
    return stream.long()


def encode(tokenizer, text, *, eos: int | None = None, chunk_chars: int = 200_000) -> torch.Tensor:
    """Token-id stream (1-D int64) of a `tokenizers.Tokenizer` encoding.

    `text` is one string (a corpus: encoded in pieces cut at newlines, so a long corpus never builds one huge
    encoding) or a list of strings (sequences: with `eos`, that id follows each one).
    """
    chunk_chars = pos_int(chunk_chars, "chunk_chars")
    if isinstance(text, str):
        pieces, start = [], 0
        while start < len(text):
            end = min(len(text), start + chunk_chars)
            if end < len(text):
                nl = text.rfind("\n", start, end)
                end = nl + 1 if nl > start else end
            pieces.append(text[start:end])
            start = end
        ids = [i for p in pieces for i in tokenizer.encode(p).ids]
        if eos is not None:
            ids.append(int(eos))
        return torch.tensor(ids, dtype=torch.long)
    if not isinstance(text, (list, tuple)) or not all(isinstance(t, str) for t in text):
        raise TypeError(f"text must be a str or a list of str, got {type(text).__name__}")
    if not text:
        raise ValueError("no texts to encode")
    ids = []
    for enc in tokenizer.encode_batch(list(text)):
        ids.extend(enc.ids)
        if eos is not None:
            ids.append(int(eos))
    return torch.tensor(ids, dtype=torch.long)


def random_windows(stream: torch.Tensor, batch_size: int, seq_len: int, generator: torch.Generator,
                   device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """One batch of random windows of length seq_len+1 -> (inputs x[B,T], next-token targets y[B,T])."""
    stream = check_stream(stream)
    batch_size = pos_int(batch_size, "batch_size")
    seq_len = pos_int(seq_len, "seq_len")
    if stream.numel() < seq_len + 1:
        raise ValueError(f"stream has {stream.numel()} tokens; need at least seq_len+1 = {seq_len + 1}")
    starts = torch.randint(0, stream.numel() - seq_len, (batch_size,), generator=generator)
    win = stream[starts[:, None] + torch.arange(seq_len + 1)[None, :]]
    x, y = win[:, :-1], win[:, 1:]
    if device is not None:
        x, y = x.to(device), y.to(device)
    return x, y


def batches(stream: torch.Tensor, batch_size: int, seq_len: int, generator: torch.Generator,
            device=None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless :func:`random_windows` batches (validated once, before the first is drawn)."""
    stream = check_stream(stream)
    if pos_int(seq_len, "seq_len") + 1 > stream.numel() or pos_int(batch_size, "batch_size") < 1:
        raise ValueError(f"stream has {stream.numel()} tokens; need at least seq_len+1 = {seq_len + 1}")

    def gen():
        while True:
            yield random_windows(stream, batch_size, seq_len, generator, device)
    return gen()


def eval_windows(stream: torch.Tensor, seq_len: int, max_windows: int | None = None):
    """Contiguous non-overlapping (x, y) windows covering the stream: every target token counted once.

    Window j uses tokens [j*T, j*T+T] (T+1 tokens; the last is the first of the next window), like the
    paper's 513-token chunks for seq 512. Returns X[n,T], Y[n,T]; a tail shorter than T+1 is dropped.
    """
    stream = check_stream(stream)
    seq_len = pos_int(seq_len, "seq_len")
    n = (stream.numel() - 1) // seq_len
    if n < 1:
        raise ValueError(f"stream has {stream.numel()} tokens; need at least seq_len+1 = {seq_len + 1}")
    if max_windows is not None:
        n = min(n, pos_int(max_windows, "max_windows"))
    return stream[: n * seq_len].view(n, seq_len), stream[1: n * seq_len + 1].view(n, seq_len)


# ------------------------------------------------------------------------------------------ evaluation

@torch.no_grad()
def evaluate_perplexity(model: nn.Module, stream: torch.Tensor, seq_len: int, batch_size: int = 8,
                        max_windows: int | None = None, device=None) -> dict:
    """Held-out next-token cross-entropy of a logits model over :func:`eval_windows`; PPL = exp(mean NLL).

    Scalar entries of ``model.aux`` (e.g. routing statistics) are averaged per token alongside.
    """
    x_all, y_all = eval_windows(stream, seq_len, max_windows)
    batch_size = pos_int(batch_size, "batch_size")
    device = device if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    nll, ntok = 0.0, 0
    aux_sum: dict[str, float] = {}
    for i in range(0, x_all.shape[0], batch_size):
        x = x_all[i:i + batch_size].to(device)
        y = y_all[i:i + batch_size].to(device)
        logits = model(x)
        nll += F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), y.reshape(-1),
                               reduction="sum").item()
        ntok += y.numel()
        for k, v in (getattr(model, "aux", None) or {}).items():
            if isinstance(v, torch.Tensor) and v.numel() == 1:
                v = float(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                aux_sum[k] = aux_sum.get(k, 0.0) + float(v) * y.numel()
    model.train(was_training)
    loss = nll / ntok
    return {"loss": loss, "ppl": math.exp(loss), "bits_per_token": loss / math.log(2), "tokens": ntok,
            "chunks": int(x_all.shape[0]), "aux": {k: v / ntok for k, v in aux_sum.items()}}


@torch.no_grad()
def sample_text(model: nn.Module, tokenizer, prompt: str, max_new_tokens: int = 40, temperature: float = 0.8,
                top_k: int | None = 20, seed: int = 0) -> str:
    """Continue `prompt` with ``model.generate`` (seeded) and decode the whole sequence with the tokenizer."""
    ids = tokenizer.encode(prompt).ids or [0]
    device = next(model.parameters()).device
    idx = torch.tensor([ids], dtype=torch.long, device=device)
    gen = torch.Generator(device=device).manual_seed(seed)
    model.eval()
    out = model.generate(idx, max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k,
                         generator=gen)
    return tokenizer.decode(out[0].tolist())


# --------------------------------------------------------------------------------------------- the loop

def sync(device) -> None:
    """Wait for queued CUDA work, so a wall-clock interval covers the kernels it launched."""
    if device is not None and torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


@dataclass
class LoopResult:
    losses: list[float]                  # step_fn's return value per step
    evals: list[dict] = field(default_factory=list)   # {"step", "train_s", **eval_fn(step)}
    train_s: float = 0.0                 # seconds inside step_fn (batch drawing and evaluation excluded)
    steps: int = 0                       # steps taken
    stopped: str = "steps"               # "steps" (all taken), "criterion" (stop() said so) or "time" (budget)


def train_loop(step_fn: Callable[[int, object], float], batches: Iterator, steps: int, *,
               eval_fn: Callable[[int], dict] | None = None, eval_every: int = 0, eval_at_end: bool = True,
               stop: Callable[[dict], bool] | None = None, max_seconds: float | None = None,
               device=None, desc: str | None = None) -> LoopResult:
    """Run up to `steps` training steps: ``loss = step_fn(step, next(batches))``.

    eval_fn(steps_done) -> dict is called every `eval_every` steps and (eval_at_end) after the last step;
    ``stop(evaluation)`` ends training early when it returns True (a training criterion), and `max_seconds`
    ends it once that much training time has been spent. Only step_fn is timed (CUDA synchronised when
    `device` is a GPU); with `desc` a progress bar is shown.
    """
    from paperlib.common.progress import progress

    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    if eval_every < 0:
        raise ValueError("eval_every must be >= 0")
    out = LoopResult(losses=[])

    def evaluate(step):
        ev = {"step": step, "train_s": out.train_s, **eval_fn(step)}
        out.evals.append(ev)
        return ev

    rng = progress(range(steps), desc=desc, total=steps) if desc else range(steps)
    for step in rng:
        batch = next(batches)
        sync(device)
        t0 = time.perf_counter()
        out.losses.append(float(step_fn(step, batch)))
        sync(device)
        out.train_s += time.perf_counter() - t0
        out.steps = step + 1
        last = step + 1 == steps
        out_of_time = max_seconds is not None and out.train_s >= max_seconds
        if eval_fn is not None and ((eval_every and out.steps % eval_every == 0)
                                    or (eval_at_end and (last or out_of_time))):
            ev = evaluate(out.steps)
            if stop is not None and stop(ev):
                out.stopped = "criterion"
                break
        if out_of_time and not last:
            out.stopped = "time"
            break
    return out
