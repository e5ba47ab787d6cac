"""Swap SCN scoring modes on Portuguese prompts

What changes when the SCN compares prompts with Eq. 1 (word-level or literal reading) instead of the cosine of
frozen embeddings (Eq. 2), on the Portuguese chatterbot pairs?

* Case, accent and punctuation perturbations are answered correctly by every scoring mode. Under Eq. 1 the
  tokenizer drops punctuation, and a case-only or accent-only change costs exactly one of the three deltas
  (δ₂ is case-sensitive, δ₃ accent-sensitive), so the perturbed prompt still scores ≥ 2/3 against its source,
  enough to beat every other stored prompt here; the embedders see nearly the same text.
* Paraphrases are where the modes differ, and every mode misses some of them. The word-level reading only
  credits words equal up to case/accents: in "quanta grana você tem?" only "você tem" counts, and the shorter
  stored "você tem talento" outscores the true source "quanto dinheiro você tem". The literal reading sums
  aligned matching *characters*, so inflections and shared prefixes ("quant-") earn partial credit: it
  retrieves at least as many Portuguese paraphrases as the word reading. Its score grows with word length
  (it is not a probability), so long words sharing a prefix can also pull it to a wrong prompt.
  The word reading can also be fooled by very short stored prompts, because its length penalty is skipped
  when it would push the score to ≤ 0: "Em que ano o Brasil ficou independente?" scores higher against the
  two-word "Que bom." (one case-folded match, no penalty) than against its real source "Quando ocorreu a
  Independência do Brasil?" (one exact match among six words, penalised).
* A typo turns one word into a non-match for the word reading (zero credit), while the literal reading still
  credits the aligned characters, so the literal reading is never worse on the typo family here.
* all-MiniLM-L6-v2 (Eq. 2) is an English sentence encoder. In English it answers the paraphrases far better
  than Eq. 1; in Portuguese its lead over the word reading shrinks, and the character-based scorers (literal
  Eq. 1, hashed character n-grams) do as well as or better than it. "Semantic" retrieval is only as semantic
  as the frozen E is in that language.

check() reruns notebook 01's retrieval (`paperlib.scn.experiments.retrieval_comparison`) at smoke sizes on Portuguese with
both embedders, plus English with MiniLM for the comparison, and asserts the statements above.
"""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def check() -> dict:
    import torch

    from paperlib.scn.embed import HashingEmbedder, MiniLMEmbedder
    from paperlib.scn.experiments import retrieval_comparison
    from paperlib.scn.similarity import similarity

    torch.set_num_threads(1)
    minilm = MiniLMEmbedder(device="cpu")
    pt = retrieval_comparison("portuguese", {"hashing-256": HashingEmbedder(dim=256), "MiniLM": minilm},
                              n_heldout=6, seed=0, max_pairs=120)
    en = retrieval_comparison("english", {"MiniLM": minilm}, n_heldout=4, seed=0, max_pairs=120)
    systems = [c for c in pt.columns if c != "queries"]

    for s in systems:
        for fam in ("case", "accents", "punctuation"):
            assert pt.loc[fam, s] == 1.0, f"{s} misses a Portuguese {fam} perturbation: {pt.loc[fam, s]}"
        fams = [f for f in pt.index if f != "all held-out"]
        assert pt.loc["paraphrase", s] < 1.0, f"{s} answers every Portuguese paraphrase"
        assert pt.loc["paraphrase", s] == min(pt.loc[f, s] for f in fams), f"paraphrase is not {s}'s hardest family"
    para = pt.loc["paraphrase"]
    assert para["Eq.1 literal"] >= para["Eq.1 word"], "literal reading below word reading on PT paraphrases"
    assert pt.loc["typos", "Eq.1 literal"] >= pt.loc["typos", "Eq.1 word"], "literal reading worse on typos"
    q = "Em que ano o Brasil ficou independente?"
    short = similarity(q, "Que bom.", "word")
    source = similarity(q, "Quando ocorreu a Independência do Brasil?", "word")
    assert short > source, "the word reading prefers the true source to the short prompt"
    q2 = "quanta grana você tem?"
    assert similarity(q2, "você tem talento", "word") > similarity(q2, "quanto dinheiro você tem", "word")
    assert similarity(q2, "quanto dinheiro você tem", "literal") > similarity(q2, "você tem talento", "literal")
    lead_en = en.loc["paraphrase", "Eq.2 MiniLM"] - en.loc["paraphrase", "Eq.1 word"]
    lead_pt = para["Eq.2 MiniLM"] - para["Eq.1 word"]
    assert lead_pt < lead_en, f"MiniLM's paraphrase lead does not shrink in Portuguese ({lead_pt} vs {lead_en})"
    assert max(para["Eq.1 literal"], para["Eq.2 hashing-256"]) >= para["Eq.2 MiniLM"], \
        "MiniLM beats every character-based scorer on Portuguese paraphrases"

    out = {f"pt_{fam}_{s}": round(float(pt.loc[fam, s]), 3)
           for fam in ("paraphrase", "typos", "all held-out") for s in systems}
    out.update(en_paraphrase_word=round(float(en.loc["paraphrase", "Eq.1 word"]), 3),
               en_paraphrase_minilm=round(float(en.loc["paraphrase", "Eq.2 MiniLM"]), 3),
               minilm_lead_en=round(float(lead_en), 3), minilm_lead_pt=round(float(lead_pt), 3),
               word_score_short_prompt=round(short, 3), word_score_true_source=round(source, 3))
    return out


if __name__ == "__main__":
    print(check())
