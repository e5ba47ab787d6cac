"""common.modules.count_params: the one parameter counter, against a hand count."""
import torch.nn as nn

from paperlib.common.modules import count_params


def test_count_params_matches_a_hand_count_and_counts_a_shared_tensor_once():
    lin = nn.Linear(3, 4)                       # 3*4 weights + 4 biases
    assert count_params(lin) == 16
    emb = nn.Embedding(10, 4)
    tied = nn.ModuleDict({"emb": emb, "head": nn.Linear(4, 10, bias=False)})
    tied["head"].weight = emb.weight            # weight tying: one tensor, two modules
    assert count_params(tied) == 40
    assert count_params(nn.ReLU()) == 0


def test_the_models_num_params_are_this_counter():
    from paperlib.bk.transformer import TransformerLM

    m = TransformerLM(vocab_size=30, d_model=16, n_layers=2, n_heads=4, seq_len=12)
    assert m.num_params() == count_params(m) == sum(p.numel() for p in m.parameters())
