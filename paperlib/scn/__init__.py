"""SCN and HurNetTorch (seeds 000/001): semantic comparison with stored pairs, and a layer fitted in
closed form by least squares. The names the SCN notebooks use; the rest lives in the submodules."""
from paperlib.scn import verdicts
from paperlib.scn.embed import HashingEmbedder, MiniLMEmbedder, parameter_digest
from paperlib.scn.experiments import retrieval_comparison
from paperlib.scn.gpt_baseline import table1_experiment
from paperlib.scn.hurnet import HurNetFallbackWarning, HurNetLayer
from paperlib.scn.model import SCN
from paperlib.scn.similarity import invariant_report, similarity, tokenize
from paperlib.scn.store import EmbeddingStore, synthetic_store_benchmark

__all__ = ["SCN", "HurNetLayer", "HurNetFallbackWarning", "EmbeddingStore", "HashingEmbedder", "MiniLMEmbedder",
           "parameter_digest", "similarity", "tokenize", "invariant_report", "retrieval_comparison",
           "table1_experiment", "synthetic_store_benchmark", "verdicts"]
