"""Related transformer theory (the feed of abstracts): OLS as a linear-attention layer, HKT cost, and their decision rules.

Notebook 30 imports from here; names are imported on first use (``paperlib.related.verdicts`` alone loads no torch)."""
from __future__ import annotations

from paperlib.common.lazy import lazy_exports

# name -> submodule that defines it ("" : the submodule itself; "module:attr" : another name)
_EXPORTS = {
    "hkt_cost": "", "hkt_kernel": "", "ols_attention": "", "verdicts": "",
    **{n: "hkt_kernel" for n in ("hierarchical_scores", "psd_trials")},
    **{n: "hkt_cost" for n in ("COST_MODELS", "cost_table", "exact_cost_ratio", "first_L_reaching", "levels_matching",
                               "ratio_by_summation", "ratio_closed_form", "ratio_limit")},
    "compare_with_hurnet": "hurnet_link", "compare_with_lstsq": "hurnet_link",
    **{n: "ols_attention" for n in ("build_ols_attention", "error_vs_condition", "make_conditioned_problem",
                                    "make_context_tokens", "make_query_tokens", "ols_lstsq_predict",
                                    "relative_error", "slow_fast_sweep")},
    "OLS_METHODS": "ols_attention:METHODS",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
