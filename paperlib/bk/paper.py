"""ResNet-BK's printed numbers (Arai, 2025), each as the paper prints it, with where it is printed.

The one place rules (``paperlib.bk.verdicts``), configurations (``paperlib.bk.configs``), notebooks and
figures take the paper's values from. Only what the paper prints lives here: the companion's own thresholds and
readings (tolerances it chose, GPT-2's vocabulary, Prime-Bump's reference-code eps and kmax) live with the rules
and configurations that chose them. Pure Python: importing it loads nothing.
"""
from __future__ import annotations

# ---- abstract: "97.9% parameter reduction and 84.8% peak memory reduction during training, with 1-2% perplexity
# increase" (fractions; the same numbers as Table 10's and Table 11's totals)
ABSTRACT_PARAM_REDUCTION = 0.979
ABSTRACT_MEMORY_REDUCTION = 0.848

# ---- Table 1: model sizes. name: (parameters, "Memory (FP16)" string as printed; the paper writes MB and GB)
TABLE1 = {"table1_small": (32.5e6, "63 MB"), "table1_medium": (122.7e6, "242 MB"), "table1_large": (3.5e9, "6.6 GB")}

# ---- Section 4.1 "Model Configurations" behind Table 1: name: (d_model, n_layers, n_seq)
SECTION41_SIZES = {"table1_small": (256, 6, 2048), "table1_medium": (512, 16, 8192), "table1_large": (2048, 48, 32768)}

# ---- Section 6.1: "vocabulary size 10,000, model dimension 512, 6 layers, sequence length 512, and batch size 2"
# (the configuration of Tables 10 and 11); Table 10's caption: HTT rank 4, AR-SSM max_rank 8
SECTION61 = {"vocab_size": 10_000, "d_model": 512, "n_layers": 6, "seq_len": 512, "batch": 2}
TABLE10_HTT_RANK = 4
TABLE10_AR_SSM_MAX_RANK = 8

# ---- Table 2: validation of mathematical properties; spacing (value, +-) as printed, and the "theoretical bound"
TABLE2_SPACING_MEAN = (0.98, 0.05)      # "GUE spacing (mean)": theory 1.0, empirical 0.98 +- 0.05
TABLE2_SPACING_MEAN_THEORY = 1.0
TABLE2_SPACING_STD = (0.54, 0.03)       # "GUE spacing (std)": theory 0.52, empirical 0.54 +- 0.03
TABLE2_SPACING_STD_THEORY = 0.52

# ---- Section 3.2: "This initialization provides 30% faster convergence compared to random initialization",
# read as 30% fewer steps: steps(Prime-Bump) / steps(random) = 0.7
PRIME_BUMP_FASTER = 0.30
PRIME_BUMP_STEPS_RATIO = 0.7

# ---- Section 1 ("Quantization brittleness: Post-training quantization to INT8 or INT4 causes severe performance
# degradation (>100% perplexity increase)", of existing O(N) models) and Section 2.3 ("inherent robustness to
# quantization noise"; "superior INT4 performance"): the only number printed is the others' >100% increase
QUANT_OTHERS_PPL_INCREASE = 1.0
QUANT_BITS = (8, 4)

# ---- Section 4.3: "fit error ~ 0.3" (Prime-Bump GUE statistics); "numerical stability maintained for sequences
# up to 32k tokens" (32k read as 2^15, the largest of Section 4.1's sequence lengths, 32768)
GUE_FIT_ERROR = 0.3
STABLE_SEQ_LEN = 32768

# ---- Table 4: ablation PPL (WikiText-103); "w/o Semiseparable" is printed as OOM
TABLE4_PPL = {"full": 28.3, "no_prime_bump": 29.8, "no_scattering": 28.9, "no_lap": 31.2}

# ---- Section 4.4 "Practical Performance": RTX 3080, sequence length 4096, batch 2, FP32
S44 = {"forward_ms": 35.0, "memory_gb": 3.2, "dense_memory_gb": 9.8, "train_tokens_per_s": 1200.0}
S44_SEQ_LEN = 4096
S44_BATCH = 2

# ---- Table 5: model: (peak, forward, backward) MB; the text prints the peak reduction "= 4.8% reduction"
TABLE5 = {"baseline": (1902.39, 992.20, 1777.47), "phase1": (1810.39, 958.02, 1743.29)}
TABLE5_PEAK_REDUCTION_PCT = 4.8
# Table 5's configuration: sequence length 1024, batch 2 (Tables 5-7: "batch 2")
TABLE5_SEQ_LEN = 1024
TABLE5_BATCH = 2

# ---- Table 6: model: {seq: tokens/s} and {seq: forward time, s}; batch 2
TABLE6 = {"baseline": {512: 801.45, 1024: 783.09, 2048: 810.31}, "phase1": {512: 789.46, 1024: 848.59, 2048: 836.18}}
TABLE6_FORWARD_S = {"baseline": {512: 575.90, 1024: 1210.44, 2048: 2656.13},
                    "phase1": {512: 607.02, 1024: 1160.83, 2048: 2379.31}}
# "Average: 824.74 tokens/sec (Phase 1) vs 798.28 tokens/sec (Baseline) = +3.3% improvement" (Tables 6-7)
TABLE7_AVG_TOKENS_PER_S = {"baseline": 798.28, "phase1": 824.74}
TABLE6_MEAN_RATIO = 1.033

# ---- Table 7: model: (complexity, R^2, scaling coefficient)
TABLE7 = {"baseline": ("O(N)", 0.9995, 2.448143), "phase1": ("O(N log N)", 1.0000, 0.2902336)}

# ---- Table 8: untrained PPL on WikiText-103 validation (the text's two-decimal values), "-0.46% (improvement)"
TABLE8_PPL = {"baseline": 50738.89, "phase1": 50505.61}
TABLE8_CHANGE_PCT = -0.46

# ---- Table 10: component: (baseline, optimized, reduction %), as printed (M and K with 2 decimals)
TABLE10 = {"embedding": (5.12e6, 18.40e3, 99.6), "layers": (18.91e6, 545.63e3, 97.1),
           "head": (5.13e6, 79.70e3, 98.4), "total": (29.16e6, 616.09e3, 97.9)}

# ---- Table 11: metric: (baseline FP32 MB, optimized FP16 MB, reduction %)
TABLE11 = {"parameter_memory": (113.2, 17.4, 84.6), "peak_memory": (456.3, 69.1, 84.8),
           "activation_memory": (343.1, 51.7, 84.9)}

# ---- Section 6.4 trade-offs of the optimized model (ranges as printed)
S64_LATENCY = (1.5, 2.0)        # "Inference latency: 1.5-2x increase"
S64_TPUT_DROP = (2.0, 3.0)      # "Training throughput: 2-3x decrease"
S64_PPL = (0.01, 0.02)          # "Perplexity: 1-2% increase on validation set" (also the abstract's)
S64_STEPS = (0.10, 0.15)        # "Convergence: 10-15% additional training steps required to reach equivalent loss"

# ---- Section 4.1 "Training Configuration": "Sequence lengths: {2048, 4096, 8192, 16384, 32768}", "Optimizer: AdamW",
# "Mixed precision: FP16 for memory efficiency"
S41_SEQ_LENS = (2048, 4096, 8192, 16384, 32768)

# ---- Introduction ("Semiseparable structure that reduces memory from O(N^2) to O(N log N), achieving 70% memory
# reduction") and twice in the Conclusion ("70% memory reduction", "memory efficiency (70% reduction)")
SEMISEPARABLE_MEMORY_REDUCTION = 0.70

# ---- capacity: Section 4.2 "Practical Deployment" ("RTX 3080 (8GB): Up to 1.2B parameters (tested)", "Google Colab
# T4 (15GB): Up to 3.5B parameters (validated)") and the Conclusion ("scalability (3.5B parameters on 15GB GPU, 10B+
# on 24GB GPU)"): label -> (parameters, GPU memory in GB as printed, the paper's word, where)
CAPACITY = {"RTX 3080 (8GB)": (1.2e9, 8, "tested", "Section 4.2"),
            "Colab T4 (15GB)": (3.5e9, 15, "validated", "Section 4.2; Conclusion"),
            "24GB GPU": (10e9, 24, "10B+", "Conclusion")}

# ---- Section 6.5 "Scalability Projection": "(vocabulary 50K, dimension 1024, 12 layers, sequence length 2048), the
# baseline model would require approximately 8.2 GB VRAM while the optimized version would require approximately 1.2 GB"
S65_CONFIG = {"vocab_size": 50_000, "d_model": 1024, "n_layers": 12, "seq_len": 2048}
S65_GB = {"baseline": 8.2, "optimized": 1.2}
