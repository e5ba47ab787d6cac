"""Related transformer theory (seed 003): OLS as a linear-attention layer, HKT cost, and their decision rules.

Notebook 30 imports from here."""
from paperlib.related import hkt_cost, ols_attention, verdicts
from paperlib.related.hkt_cost import (COST_MODELS, cost_table, exact_cost_ratio, first_L_reaching,
                                       levels_matching, ratio_by_summation, ratio_closed_form, ratio_limit)
from paperlib.related.hurnet_link import compare_with_hurnet, compare_with_lstsq
from paperlib.related.ols_attention import (build_ols_attention, error_vs_condition, make_conditioned_problem,
                                            make_context_tokens, make_query_tokens, ols_lstsq_predict,
                                            relative_error, slow_fast_sweep)
from paperlib.related.ols_attention import METHODS as OLS_METHODS

__all__ = ["COST_MODELS", "OLS_METHODS", "build_ols_attention", "compare_with_hurnet", "compare_with_lstsq", "cost_table",
           "error_vs_condition", "exact_cost_ratio", "first_L_reaching", "hkt_cost", "levels_matching",
           "make_conditioned_problem", "make_context_tokens", "make_query_tokens", "ols_attention",
           "ols_lstsq_predict", "ratio_by_summation", "ratio_closed_form", "ratio_limit", "relative_error",
           "slow_fast_sweep", "verdicts"]
