"""ResNet-BK (Arai, 2025): the BK-Core resolvent op, its operator theory, Prime-Bump and GUE statistics, the
model, Phase-1 layers, configurations, training and benchmarks.

The names the BK notebooks use are exported here and imported on first use (PEP 562), so importing one numpy-only
submodule (e.g. ``paperlib.bk.prime_bump``) does not pull in torch models, and nothing imports numba or triton
eagerly."""
from __future__ import annotations

from paperlib.common.lazy import lazy_exports

# name -> submodule that defines it
_EXPORTS = {
    "build_model": "configs", "ablation_specs": "configs", "CONFIGS": "configs", "table10_rows": "configs",
    "BKConfig": "model", "ResNetBKLM": "model", "prime_bump_potential": "model",
    "TrainConfig": "train", "TrainResult": "train", "train_lm": "train", "train_variant": "train", "train_variants": "train",
    "count_params": "train",
    "LMData": "lm_data", "prepare_lm_data": "lm_data",
    "summarize_runs": "experiments", "router_timings": "experiments", "init_output_difference": "experiments",
    "expected_untrained_ppl": "experiments", "logit_stats": "experiments",
    "train_step_memory": "bench", "train_throughput": "bench", "forward_time": "bench", "memory_table": "bench",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
