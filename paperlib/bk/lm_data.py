"""A corpus ready for ResNet-BK language-model training (notebook 16): load, train a tokenizer on the training
text only, encode both splits with :func:`paperlib.common.lm.encode`, and label which parts fit and evaluate."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from paperlib.common.checks import pos_int
from paperlib.common.lm import encode

__all__ = ["LMData", "prepare_lm_data"]


@dataclass
class LMData:
    """A corpus ready for LM training: token streams, the tokenizer and an honest label of the splits."""

    train: torch.Tensor
    eval: torch.Tensor
    vocab_size: int
    tokenizer: object = field(repr=False)
    corpus: str = ""
    label: str = ""           # what the corpus parts are and which two fit and evaluate
    train_split: str = "train"
    eval_split: str = "valid"

    def describe(self) -> str:
        return (f"{self.label} | tokens: train {self.train.numel():,}, eval {self.eval.numel():,} | "
                f"vocab {self.vocab_size}")


def prepare_lm_data(corpus: str = "auto", tokenizer_kind: str = "bpe", vocab_size: int = 2000,
                    max_train_chars: int | None = None, max_eval_chars: int | None = None) -> LMData:
    """Load a corpus (paperlib.common.data.load_text), train a tokenizer on the training text only, encode.

    Split rule: train on ``train`` and evaluate on ``valid`` when a train split exists; when only
    valid/test exist (the offline WikiText-2 mirror) train on ``valid`` and evaluate on ``test`` and say so
    in the label. The tokenizer never sees evaluation text.
    """
    from paperlib.common.data import load_text
    from paperlib.common.tokenize import train_tokenizer

    pos_int(vocab_size, "vocab_size")
    ct = load_text(corpus)
    splits = {"train": ct.train or "", "valid": ct.valid or "", "test": ct.test or ""}
    if splits["train"].strip():
        tr, ev = "train", ("valid" if splits["valid"].strip() else "test")
    elif splits["valid"].strip() and splits["test"].strip():
        tr, ev = "valid", "test"
    else:
        raise ValueError(f"corpus {ct.name!r} has no usable train/eval split pair")
    train_text, eval_text = splits[tr], splits[ev]
    if max_train_chars:
        train_text = train_text[:max_train_chars]
    if max_eval_chars:
        eval_text = eval_text[:max_eval_chars]
    tok = train_tokenizer([train_text], kind=tokenizer_kind, vocab_size=vocab_size)
    # the corpus label says what its train/valid/test parts are (e.g. WikiText-2's official validation split
    # serves as "train" offline); this says which two parts fit and evaluate
    label = f"{ct.label or ct.name} | fit on its {tr} part, evaluated on its {ev} part"
    return LMData(train=encode(tok, train_text), eval=encode(tok, eval_text), vocab_size=tok.get_vocab_size(),
                  tokenizer=tok, corpus=ct.name, label=label, train_split=tr, eval_split=ev)
