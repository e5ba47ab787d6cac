"""What several papers and the machinery share: paths, atomic writes, progress bars, measurement,
figures and tables, data sets and tokenizers."""
