"""SCN and HurNetTorch (the SCN paper, English and Portuguese editions): semantic comparison with stored pairs, and a layer fitted in
closed form by least squares. The names the SCN notebooks use, imported on first use (so that importing
``paperlib.scn.verdicts`` does not load torch or transformers); the rest lives in the submodules."""
from __future__ import annotations

from paperlib.common.lazy import lazy_exports
# numpy only; bound here because the name is also its submodule's (which, once imported anywhere, would shadow it)
from paperlib.scn.similarity import similarity

# name -> submodule that defines it ("" : the submodule itself)
_EXPORTS = {
    "verdicts": "",
    "HashingEmbedder": "embed", "MiniLMEmbedder": "embed", "parameter_digest": "embed",
    "retrieval_comparison": "experiments", "table1_experiment": "gpt_baseline",
    "HurNetFallbackWarning": "hurnet", "HurNetLayer": "hurnet", "SCN": "model",
    "invariant_report": "similarity", "tokenize": "similarity",
    "EmbeddingStore": "store", "synthetic_store_benchmark": "store_bench",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(__all__ + ["similarity"])
