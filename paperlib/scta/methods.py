"""The chapter's names for its objectives: "<method>:<dense|sparse>" parameter specs and the labels that tables,
figures and rules use ("CE (full logits) dense", "SCTA dense", ...)."""
from __future__ import annotations

__all__ = ["CE_DENSE", "SCTA_DENSE", "method_label", "parse_methods", "vocab_label", "vocab_text"]


def vocab_label(V: int) -> str:
    """A vocabulary size as tables, reasons and axis ticks write it: 500, 5K, 200K, 1M."""
    return str(V) if V < 1000 else f"{V // 1000}K" if V < 10**6 else f"{V / 10**6:g}M"


def vocab_text(Vs) -> str:
    """Several sizes, as the reasons list them: "50K/200K/1M"."""
    return "/".join(vocab_label(V) for V in Vs)


def method_label(method: str, sparse: bool) -> str:
    """("ce", False) -> "CE (full logits) dense"."""
    names = {"ce": "CE (full logits)", "chunked": "chunked CE", "scta": "SCTA", "sampled": "sampled softmax",
             "none": "no head (floor)"}
    return f"{names.get(method, method)}{' sparse' if sparse else ' dense'}"


def parse_methods(specs: list[str]) -> list[tuple[str, bool]]:
    """["ce:dense", "scta:sparse", ...] -> [("ce", False), ("scta", True), ...]."""
    from paperlib.scta.model import METHODS

    out = []
    for s in specs:
        m, _, kind = str(s).partition(":")
        if m not in METHODS or kind not in ("dense", "sparse"):
            raise ValueError(f"method spec {s!r} must look like '<{'|'.join(METHODS)}>:<dense|sparse>'")
        out.append((m, kind == "sparse"))
    return out


CE_DENSE = method_label("ce", False)      # the baseline of every speedup
SCTA_DENSE = method_label("scta", False)  # the paper's SEMANTIC (dense tables, AdamW)
