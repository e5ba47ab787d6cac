"""Swap Prime-Bump for random init at tiny size

What to change: in the parameters cell of notebook 16, shrink the model (e.g. `D_MODEL = 16`, `N_LAYERS = 1`,
`SEQ_LEN = 16`) or grow it, and re-run the Prime-Bump section; to make the bump larger, add
`"prime_bump_scale": 2.0` (100 times the reference code's 0.02) to `SPECS["full"]`. Watch the section's
printout: "max |logit(PB) - logit(random)|" at initialisation, "largest per-step loss difference between
paired runs", and the steps-to-loss ratio.

What one sees, and why.

* At every size the `full` (Prime-Bump) and `no_prime_bump` models, built and trained with the same seed,
  give the same logits at initialisation and the same loss curve step by step, up to float32 rounding
  (a few units in the last place of the loss); the steps-to-loss ratio is exactly 1 and the eval PPL is
  identical. Eq. 5's bump 0.02 V_eps(x) is added to every channel of position x's embedding, i.e. it shifts
  the residual vector of token x by a constant times (1, ..., 1). Everything that reads the residual stream in
  this pre-norm network does so through a LayerNorm, and LN(h + c 1) = LN(h) because LayerNorm subtracts the
  channel mean. The function is unchanged and so are the gradients of all parameters that matter; training
  follows the same path. No convergence speed-up (the paper's "30% faster") can come from this term.
* A bigger bump does not help: with a scale 100 or 10,000 times larger the logits still agree, the difference
  only grows in proportion to the bump's size, as float32 rounding of the large constant that LayerNorm then
  subtracts (still orders of magnitude below the logits).
* Positive control: the same amount of bump (same norm per position) put on a single channel instead of
  spread over all channels is not a multiple of (1, ..., 1), survives the LayerNorm, and changes the logits
  and the loss curve by orders of magnitude more. So the zero difference is not a measurement that cannot
  see anything; it is the mean-subtraction of LayerNorm.

`check()` builds and trains tiny ResNet-BK models (8 AdamW steps, the notebook's corpus with a small BPE
tokenizer trained in memory, nothing written to disk) at two sizes and asserts these statements.
"""
import math
import os
from dataclasses import replace

import numpy as np
import torch

SIZES = [(16, 1, 16), (32, 2, 32)]          # (d_model, n_layers, seq_len)
SCALES = [0.02, 2.0, 200.0]
STEPS, BATCH, VOCAB, SEED = 8, 4, 256, 0


def _data():
    from paperlib.common.data import load_text
    from paperlib.common.lm import encode
    from paperlib.common.tokenize import train_tokenizer

    ct = load_text("auto")
    train_text = ct.train or ct.valid
    eval_text = ct.valid if ct.train else ct.test
    tok = train_tokenizer([train_text[:30000]], kind="bpe", vocab_size=VOCAB, cache=False)
    return encode(tok, train_text[:30000]), encode(tok, eval_text[:8000]), tok.get_vocab_size()


def check() -> dict:
    import paperlib
    from paperlib.bk import (TrainConfig, build_model, init_output_difference, prime_bump_potential, train_lm,
                             train_variant)
    from paperlib.common.lm import eval_windows

    torch.set_num_threads(1)
    old = os.environ.get("PAPERLIB_PROGRESS")
    os.environ["PAPERLIB_PROGRESS"] = "0"
    try:
        train, ev, V = _data()
        out = {}
        for d, L, T in SIZES:
            bk = dict(kind="bk", vocab_size=V, d_model=d, n_layers=L, seq_len=T, n_experts=4, router="scattering")
            full, rand = {**bk, "prime_bump_init": True}, {**bk, "prime_bump_init": False}
            x, y = eval_windows(ev, T, 4)
            probe = torch.cat([x, y[:, -1:]], dim=1)
            init = {s: init_output_difference({**full, "prime_bump_scale": s}, rand, SEED, probe) for s in SCALES}
            diffs = [init[s]["max_logit_diff"] for s in SCALES]

            # positive control: the same bump norm on channel 0 only
            bump = (0.02 * prime_bump_potential(T, 1.0, 3) * math.sqrt(d)).float()

            def control_model():
                paperlib.seed_everything(SEED)
                m = build_model(rand)
                with torch.no_grad():
                    m.pos_emb.weight[:, 0] += bump
                return m

            with torch.no_grad():
                paperlib.seed_everything(SEED)
                base_logits = build_model(rand).eval()(probe[:, :-1])
                ctrl_diff = float((control_model().eval()(probe[:, :-1]) - base_logits).abs().max())

            cfg = TrainConfig(steps=STEPS, batch_size=BATCH, seq_len=T, lr=3e-3, warmup_steps=1, eval_chunks=2)
            _, r_pb = train_variant(full, train, ev, cfg, SEED)
            _, r_rd = train_variant(rand, train, ev, cfg, SEED)
            r_ct = train_lm(control_model(), train, replace(cfg, seed=SEED), ev)
            gap = float(np.max(np.abs(np.array(r_pb.losses) - np.array(r_rd.losses))))
            gap_ctrl = float(np.max(np.abs(np.array(r_ct.losses) - np.array(r_rd.losses))))

            assert diffs[0] < 1e-5, diffs                              # paper's scale: rounding level
            assert all(b > a for a, b in zip(diffs, diffs[1:])), diffs  # grows with the bump (rounding of it) ...
            assert 10 < diffs[-1] / diffs[-2] < 1000, diffs            # ~ in proportion (scales x100 apart)
            assert diffs[-1] < 1e-3 * max(1.0, init[SCALES[-1]]["max_abs_logit"]), diffs   # ... but stays tiny
            assert ctrl_diff > 1e3 * diffs[0], (ctrl_diff, diffs)      # the control is visible
            assert gap < 1e-4, gap                                     # identical training curves
            assert abs(r_pb.final_ppl / r_rd.final_ppl - 1) < 1e-4, (r_pb.final_ppl, r_rd.final_ppl)
            assert gap_ctrl > 10 * max(gap, 1e-6), (gap_ctrl, gap)
            out[f"d={d},L={L},T={T}"] = {
                "init_max_logit_diff_by_scale": dict(zip(SCALES, diffs)),
                "max_abs_logit": init[SCALES[0]]["max_abs_logit"], "control_init_max_logit_diff": ctrl_diff,
                "train_max_loss_gap_pb_vs_random": gap, "train_max_loss_gap_control": gap_ctrl,
                "final_ppl_pb": r_pb.final_ppl, "final_ppl_random": r_rd.final_ppl,
                "loss_first_last": (r_pb.losses[0], r_pb.losses[-1])}
        return out
    finally:
        if old is None:
            os.environ.pop("PAPERLIB_PROGRESS", None)
        else:
            os.environ["PAPERLIB_PROGRESS"] = old


if __name__ == "__main__":
    print(check())
