"""OktoSemantic / SCTA (paper): contrastive sampled training for huge vocabularies.

SCTA / OktoSemantic training: a GRU language model with interchangeable output objectives.

Objectives (all share one backbone: input embedding + 1-layer GRU, hidden 256):

* ``ce``       full softmax cross-entropy, logits (N x V) materialised.
* ``chunked``  the same loss with a memory-bounded linear cross-entropy: ``torch.nn.functional.linear_cross_entropy``
               with chunking options when this torch has it (feature-detected), else our own chunked autograd
               Function; logits are never materialised for more than ``chunk`` rows at a time.
* ``scta``     Stage 1 semantic contrastive loss of the paper (an InfoNCE / sampled-softmax form; van den Oord
               et al. 2018, Jean et al. 2015):
                   z = normalize(W_sem h),  e_i = normalize(E_sem[i]),
                   l = -log( exp(z.e_y/tau) / (exp(z.e_y/tau) + sum_j exp(z.e_{n_j}/tau)) ),  K negatives.
* ``sampled``  classic sampled softmax (Jean et al. 2015) with the log-Q correction on the sampled logits and
               accidental-hit removal.
* ``none``     the no-head floor: the same backbone with a trivial loss (per-step cost of everything but the head).

Stage 2 (``train_stage2``) fits a full token head W_tok with cross-entropy on top of a Stage-1 backbone (head
only, or everything at a lower learning rate); ``evaluate_full_softmax`` is the common yardstick (full-softmax
loss, perplexity, top-1/top-5) for every method.

Sparse gradient path: with ``sparse=True`` every V-row table that a step touches only partly (input embedding,
E_sem, the sampled-softmax table) is an ``nn.Embedding(sparse=True)`` and is updated by ``torch.optim.SparseAdam``;
dense parameters use AdamW. Dense AdamW over a V-row table is O(V) per step whatever the loss.

The names below are exported here and imported on first use (PEP 562), so importing a light submodule (the rules
in ``paperlib.scta.verdicts``, the paper's numbers in ``paperlib.scta.paper``) does not pull in torch.
"""
from __future__ import annotations

from paperlib.common.lazy import lazy_exports

# name -> submodule that defines it
_EXPORTS = {
    "dialog_texts": "data", "encode_texts": "data", "parse_sharegpt": "data", "split_texts": "data",
    "zipf_ids": "data",
    "HAS_TORCH_LCE": "losses", "chunked_linear_cross_entropy": "losses", "sampled_softmax_loss": "losses",
    "scta_loss": "losses",
    "GRULM": "model", "METHODS": "model", "SCTAConfig": "model", "evaluate_full_softmax": "model",
    "make_optimizers": "model", "train_step": "model",
    "NegativeSampler": "sampling", "sample_negatives": "sampling",
    "add_token_head": "train", "chance_losses": "train", "quality_run": "train", "train_stage2": "train",
    "untrained_losses": "train",
    "table1_claims": "experiments",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
