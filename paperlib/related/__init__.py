"""Related transformer theory (seed 003): OLS as a linear-attention layer, HKT cost."""
