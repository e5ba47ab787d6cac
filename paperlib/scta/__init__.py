"""OktoSemantic / SCTA (seed 004): contrastive sampled training for huge vocabularies."""
