"""The SCTA paper's printed numbers, each once, with where it is printed: rules (`paperlib.scta.verdicts`), the
chapter's measurements (`paperlib.scta.experiments`), notebooks 20-22 and their figures import them from here.
Nothing in this module is measured. numpy-free, torch-free."""
from __future__ import annotations

__all__ = ["PAPER_A6000", "PAPER_BATCH", "PAPER_CE_LOSS", "PAPER_CONSUMER_GB", "PAPER_EPOCHS", "PAPER_EXAMPLES",
           "PAPER_RTX4070", "PAPER_RUN_TOKENS", "PAPER_SEM_LOSS", "PAPER_SEQ_LEN", "PAPER_TABLE1", "PAPER_VS",
           "table1_rows"]

# Experimental configuration (the paper's README, "Experimental configuration"): 20,000 ShareGPT examples,
# 2 epochs, sequence length 64, batch 16; vocabularies of 50K, 200K and 1M tokens.
PAPER_VS = (50_000, 200_000, 1_000_000)
PAPER_BATCH = 16
PAPER_SEQ_LEN = 64
PAPER_EPOCHS = 2
PAPER_EXAMPLES = 20_000 * PAPER_EPOCHS  # examples seen in one timed run: 20,000 x 2 epochs
# Tokens predicted in one run (derived, not printed): 63 next-token targets per 64-token example, x 40,000.
PAPER_RUN_TOKENS = PAPER_EXAMPLES * (PAPER_SEQ_LEN - 1)

# Results table ("Table 1"; time for the whole run in s, tokens/s, examples/s, speedup = CE time / SEM time).
# None: CE failed (out of memory) at 1M on the RTX 4070 Laptop, the paper's "infinite" speedup.
PAPER_TABLE1 = {
    "RTX 4070 Laptop": {
        50_000: dict(ce_s=65.78, sem_s=29.58, ce_tok_s=38_308, sem_tok_s=85_206, ce_ex_s=608.1, sem_ex_s=1_352.5,
                     speedup=2.22),
        200_000: dict(ce_s=255.31, sem_s=75.19, ce_tok_s=9_870, sem_tok_s=33_513, ce_ex_s=156.7, sem_ex_s=532.0,
                      speedup=3.40),
        1_000_000: dict(ce_s=None, sem_s=312.22, ce_tok_s=None, sem_tok_s=8_071, ce_ex_s=None, sem_ex_s=128.1,
                        speedup=None),
    },
    "RTX A6000": {
        50_000: dict(ce_s=34.83, sem_s=21.68, ce_tok_s=72_358, sem_tok_s=116_253, ce_ex_s=1_148.5, sem_ex_s=1_845.3,
                     speedup=1.61),
        200_000: dict(ce_s=111.56, sem_s=37.56, ce_tok_s=22_589, sem_tok_s=67_097, ce_ex_s=358.5, sem_ex_s=1_065.0,
                      speedup=2.97),
        1_000_000: dict(ce_s=535.09, sem_s=120.81, ce_tok_s=4_710, sem_tok_s=20_860, ce_ex_s=74.8, sem_ex_s=331.1,
                        speedup=4.43),
    },
}
# Table 1's speedup column per GPU, {V: CE time / SEM time}; the RTX 4070's 1M row has none (CE failed).
PAPER_A6000 = {V: row["speedup"] for V, row in PAPER_TABLE1["RTX A6000"].items()}
PAPER_RTX4070 = {V: row["speedup"] for V, row in PAPER_TABLE1["RTX 4070 Laptop"].items() if row["speedup"]}
# Hardware (README, "Experimental configuration"): the consumer GPU on which CE failed at 1M, "RTX 4070 Laptop
# GPU (8 GB)"; SCTA-1M-CONSUMER emulates it with a memory cap (notebook 21's CAP_GB).
PAPER_CONSUMER_GB = 8.0

# Final training losses (README, Key Findings 4; claim SCTA-CONV): CE about 5.7-7.3, SEM about 0.58-0.81,
# losses of different problems (notebooks 20 and 22 draw them as bands).
PAPER_CE_LOSS = (5.7, 7.3)
PAPER_SEM_LOSS = (0.58, 0.81)


def table1_rows() -> list[dict]:
    """Table 1's rows that report a time (the RTX 4070's CE run at 1M failed), one dict per row: gpu, V, method
    (CE / SEMANTIC), time_s, tok_s, ex_s, as printed."""
    rows = []
    for gpu, by_V in PAPER_TABLE1.items():
        for V, r in by_V.items():
            for method, key in (("CE", "ce"), ("SEMANTIC", "sem")):
                if r[f"{key}_s"] is not None:
                    rows.append(dict(gpu=gpu, V=V, method=method, time_s=r[f"{key}_s"], tok_s=r[f"{key}_tok_s"],
                                     ex_s=r[f"{key}_ex_s"]))
    return rows
