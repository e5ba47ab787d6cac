"""ResNet-BK (seed 002): the BK-Core resolvent op, its operator theory, Prime-Bump and GUE statistics, the
model, Phase-1 layers, configurations, training and benchmarks."""
