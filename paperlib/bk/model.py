"""ResNet-BK language model (paper Sections 3-4; configuration facts from the spec resnet-bk.md).

Block (pre-norm residual), per the reference-code facts in the spec:
    h = LayerNorm(x)
    v = clamp(Linear(d,1)(h), -3, 3)                     # token potential, H = H0 + diag(v), H0 = tridiag(1,-2,1)
    G = bk_diag(v, z=i)                                  # diagonal resolvent (causal: prefix-only, default)
    x = x + Linear(2,d)([Re G, Im G]) + FFN(h)           # FFN = MoE, 4 experts d->2d->d, top-1 gate
Options: HTT embedding, AR-SSM mixer ("Phase 1"), low-rank FFN/head, scattering router (Eq. 7-8), ACT (Eq. 10),
Prime-Bump position-embedding init (Eq. 5, the reference code's reading), a learnable per-position offset on the
potential initialised to Prime-Bump / randomly / zero (potential_init: Section 3.2 read as written), gradient
checkpointing.

Scattering router, our reading of Eq. 7-8 (the paper does not define lambda_i for a token):
  token i's "system" is the causal prefix 0..i of the layer's Hamiltonian, and delta_i is the Carleman-Fredholm
  phase of that prefix at the spectral point zeta = lambda + i*eta (lambda = router_lambda, eta = router_eta, the
  i0 regularisation):
      delta_i = arg det2(I + K_i(zeta)),  det2(I+K) = det(I+K) exp(-tr K),  K_i = |V_i|^{1/2} R0_i |V_i|^{1/2}.
  By the Birman-Schwinger identity det(I + K_i) = det(H_i - zeta)/det(H0_i - zeta) = prod_{k<=i} g0_k / g_k with
  g_k the causal BK-Core output (theta_k/theta_{k+1}), so delta_i costs O(N). tr K_i = sum_{k<=i} v_k [R0_i]_kk uses
  the closed form of the free (discrete-Laplacian) resolvent diagonal (see `free_prefix_trace`).
  Expert e (1-based) gets token i when (delta_i mod pi) is in [(e-1) pi/E, e pi/E) (Eq. 8).
  router="scattering_gphase" is the reference code's cheaper stand-in: delta_i = arg G_ii of the BK-Core output.
ACT (Eq. 10): p_halt = 1 if |delta| < act_low, 0 if |delta| > act_high, sigmoid(|delta|) otherwise (delta wrapped
  to (-pi, pi]); a token's halting mass accumulates over layers and the token stops being updated once it reaches
  act_threshold. aux["act_flops_fraction"] = fraction of (token, layer) block updates actually applied.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint

from paperlib.bk import prime_bump as pb
from paperlib.bk.core import bk_diag, bk_features
from paperlib.bk.phase1 import (ARSSMLayer, HTTEmbedding, LowRankFFN, LowRankHead, _check_idx, generate_tokens,
                     linear_params, layernorm_params)

__all__ = ["BKConfig", "ResNetBKLM", "ResNetBKBlock", "MoEFFN", "prime_bump_potential", "causal_prefix_phase",
           "free_prefix_trace", "act_halting_prob", "expected_params"]

_ROUTERS = ("mlp", "scattering", "scattering_gphase", "none")
_EMBEDDINGS = ("dense", "htt")
_MIXERS = ("bk", "arssm", "bk+arssm")
_FFNS = ("moe", "lowrank")
_HEADS = ("dense", "lowrank")
_POTENTIAL_INITS = ("none", "prime_bump", "random", "zero")


@dataclass
class BKConfig:
    vocab_size: int
    d_model: int = 256
    n_layers: int = 4
    seq_len: int = 512
    n_experts: int = 4
    router: str = "mlp"            # "mlp" | "scattering" | "scattering_gphase" | "none"
    act: bool = False
    act_low: float = 0.2           # Eq. 10: p_halt = 1 if |delta| < act_low
    act_high: float = 0.8          # Eq. 10: p_halt = 0 if |delta| > act_high
    act_threshold: float = 0.99    # cumulative halting mass at which a token stops (Graves ACT 1 - eps)
    prime_bump_init: bool = False
    prime_bump_eps: float = 1.0
    prime_bump_kmax: int = 3
    prime_bump_scale: float = 0.02
    # Section 3.2 read as written ("we initialize the potential" of H_eps = H0 + V_eps): each BK block gets a
    # learnable per-position offset on its potential, v_i = clamp(v_proj(LN x)_i + b_i); b is initialised to
    # V_eps(i) ("prime_bump"), to N(0, rms(V_eps)^2) from a generator seeded by the run's seed ("random"), or
    # to 0 ("zero"); "none": no offset (the reference code, which puts Prime-Bump on the position embedding)
    potential_init: str = "none"
    causal: bool = True
    embedding: str = "dense"       # "dense" | "htt"
    htt_rank: int = 16
    mixer: str = "bk"              # "bk" | "arssm" | "bk+arssm"
    ffn: str = "moe"               # "moe" | "lowrank"
    head: str = "dense"            # "dense" | "lowrank"
    dropout: float = 0.0
    z: complex = 1j
    bk_off: float = 1.0
    bk_h0_diag: float = -2.0
    bk_method: str = "auto"
    v_clamp: float = 3.0
    arssm_rmax: int = 8
    arssm_gate_hidden: int | None = None   # None -> d/4
    router_lambda: float = 0.0     # spectral point of the scattering phase, zeta = lambda + i eta
    router_eta: float = 1.0
    pos_embedding: bool = True
    checkpointing: bool = False

    def __post_init__(self):
        for name in ("vocab_size", "d_model", "n_layers", "seq_len", "n_experts", "htt_rank", "arssm_rmax",
                     "prime_bump_kmax"):
            val = getattr(self, name)
            if isinstance(val, bool) or not isinstance(val, int):
                raise TypeError(f"BKConfig.{name} must be an int, got {type(val).__name__}")
            if val < 1:
                raise ValueError(f"BKConfig.{name} must be >= 1, got {val}")
        for name, allowed in (("router", _ROUTERS), ("embedding", _EMBEDDINGS), ("mixer", _MIXERS),
                              ("ffn", _FFNS), ("head", _HEADS), ("potential_init", _POTENTIAL_INITS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"BKConfig.{name} must be one of {allowed}, got {getattr(self, name)!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"BKConfig.dropout must be in [0, 1), got {self.dropout}")
        if not (0.0 <= self.act_low <= self.act_high):
            raise ValueError(f"need 0 <= act_low <= act_high, got {self.act_low}, {self.act_high}")
        if not 0.0 < self.act_threshold <= 1.0:
            raise ValueError(f"act_threshold must be in (0, 1], got {self.act_threshold}")
        if complex(self.z).imag <= 0:
            raise ValueError(f"BKConfig.z must have Im z > 0 (resolvent off the real spectrum), got {self.z}")
        if self.router_eta <= 0:
            raise ValueError(f"router_eta (the i0 regularisation) must be > 0, got {self.router_eta}")
        needs_bk = self.router in ("scattering", "scattering_gphase") or self.act
        if needs_bk and "bk" not in self.mixer:
            raise ValueError(f"router={self.router!r}/act={self.act} use the BK potential; mixer must contain 'bk'")
        if self.potential_init != "none" and "bk" not in self.mixer:
            raise ValueError("potential_init offsets the BK potential; mixer must contain 'bk'")
        if self.ffn == "lowrank" and self.router != "mlp" and self.router != "none":
            raise ValueError("a scattering router needs ffn='moe' (it routes tokens to experts)")
        if self.v_clamp <= 0:
            raise ValueError(f"v_clamp must be > 0, got {self.v_clamp}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["z"] = str(self.z)
        return d


# ----------------------------------------------------------------------------------------------------------------
def prime_bump_potential(n: int, eps: float = 1.0, kmax: int = 3) -> torch.Tensor:
    """Eq. 5 on the reference grid x = 0..n-1, primes p < n, as a float64 tensor: the torch view of the one
    implementation, :func:`paperlib.bk.prime_bump.prime_bump_potential` (zero when there is no prime below n)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if pb.primes_below(n).size == 0:
        pb.bump_coefficients([], eps, kmax)  # still validates eps and kmax
        return torch.zeros(n, dtype=torch.float64)
    return torch.from_numpy(pb.prime_bump_potential(np.arange(n, dtype=np.float64), eps, n, kmax))


def free_prefix_trace(v: torch.Tensor, zeta: complex, off: float = 1.0, h0_diag: float = -2.0) -> torch.Tensor:
    """tr(R0_n V_n) for every prefix length n = i+1, with R0_n = (H0_n - zeta)^{-1} the free resolvent of the leading
    n x n block of H0 = tridiag(off, h0_diag, off). Closed form (Chebyshev): with t + 1/t = (h0_diag - zeta)/off,
    |t| > 1, q = t^-2:  [R0_n]_kk = (1 - q^{k+1})(1 - q^{n-k}) / (off t (1 - q)(1 - q^{n+1})).  Returns complex (..., N)."""
    cdt = torch.complex128 if v.dtype == torch.float64 else torch.complex64
    a = (h0_diag - zeta) / off
    s = complex(a) ** 2 - 4
    root = s ** 0.5
    t = (a + root) / 2
    if abs(t) < 1:
        t = (a - root) / 2
    q = 1.0 / t ** 2
    n_tok = v.shape[-1]
    dev = v.device
    k = torch.arange(n_tok, device=dev, dtype=torch.float64)
    vc = v.to(cdt)
    qc = torch.tensor(q, dtype=torch.complex128, device=dev)
    qk1 = (qc ** (k + 1)).to(cdt)                     # q^{k+1}, decays (|q| < 1)
    A = torch.cumsum(vc, -1)                          # sum_{k<n} v_k
    B = torch.cumsum(vc * qk1, -1)                    # sum_{k<n} v_k q^{k+1}
    # D_n = sum_{k<n} v_k q^{n-k}: causal convolution with kernel q^m (m >= 1), via FFT (exact, any |q| < 1)
    L = 1 << (2 * n_tok - 1).bit_length()
    kern = torch.zeros(L, dtype=cdt, device=dev)
    kern[1:n_tok + 1] = qk1[:n_tok]                   # kernel[m] = q^m for m = 1..N
    D = torch.fft.ifft(torch.fft.fft(vc, n=L) * torch.fft.fft(kern), n=L)[..., 1:n_tok + 1]  # n = i+1
    nn_ = k + 1                                       # prefix lengths
    qn1 = (qc ** (nn_ + 1)).to(cdt)
    denom = off * t * (1 - q) * (1 - qn1)
    return ((1 + qn1) * A - B - D) / denom


def causal_prefix_phase(v: torch.Tensor, g_causal: torch.Tensor | None = None, zeta: complex = 1j, off: float = 1.0,
                     h0_diag: float = -2.0, method: str = "auto", regularized: bool = True) -> torch.Tensor:
    """Eq. 7, causal-prefix reading (what the model's router uses): delta_i = arg det2(I + K_i(zeta)) of the
    prefix 0..i at one fixed spectral point zeta = router_lambda + i router_eta, with signed V (det(I + K_i) =
    det(H_i - zeta)/det(H0_i - zeta), module docstring); O(N) from the BK-Core output, and causal. Notebook 12
    studies the other reading, :func:`paperlib.bk.scattering.sequence_phase` (whole sequence, lambda_i = v_i).
    Unwrapped: sum_k [arg g0_k - arg g_k] - Im tr(R0_i V_i) (the last term only if regularized, i.e. det2).
    g_causal: causal BK-Core output at zeta if already computed. Returns real (..., N)."""
    if g_causal is None:
        g_causal = bk_diag(v, zeta, off, h0_diag, True, method)
    g0 = bk_diag(torch.zeros(v.shape[-1], dtype=v.dtype, device=v.device), zeta, off, h0_diag, True, method)
    phase = torch.cumsum(torch.angle(g0) - torch.angle(g_causal), dim=-1)
    if regularized:
        phase = phase - free_prefix_trace(v, zeta, off, h0_diag).imag
    return phase.to(v.dtype)


def act_halting_prob(delta: torch.Tensor, low: float = 0.2, high: float = 0.8) -> torch.Tensor:
    """Eq. 10 with delta wrapped to (-pi, pi]: 1 if |delta| < low, 0 if |delta| > high, sigmoid(|delta|) otherwise."""
    d = torch.remainder(delta + math.pi, 2 * math.pi) - math.pi
    a = d.abs()
    return torch.where(a < low, torch.ones_like(a), torch.where(a > high, torch.zeros_like(a), torch.sigmoid(a)))


# ----------------------------------------------------------------------------------------------------------------
class MoEFFN(nn.Module):
    """Mixture of E experts (d -> 2d -> d, GELU), top-1 dispatch.
    router "mlp": learned gate Linear(d, E), output scaled by the softmax gate prob (Switch); aux balance loss.
    router "scattering"/"scattering_gphase": parameter-free; expert from the phase (Eq. 8), weight 1.
    router "none": no routing, every token through every expert, uniform average."""

    def __init__(self, d_model: int, n_experts: int, router: str, dropout: float = 0.0):
        super().__init__()
        self.n_experts, self.router = n_experts, router
        self.experts = nn.ModuleList(
            nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.GELU(), nn.Linear(2 * d_model, d_model),
                          nn.Dropout(dropout)) for _ in range(n_experts))
        self.gate = nn.Linear(d_model, n_experts) if router == "mlp" else None

    @staticmethod
    def expected_params(d_model: int, n_experts: int, router: str) -> int:
        expert = linear_params(d_model, 2 * d_model) + linear_params(2 * d_model, d_model)
        return n_experts * expert + (linear_params(d_model, n_experts) if router == "mlp" else 0)

    def forward(self, h: torch.Tensor, phase: torch.Tensor | None = None):
        B, T, d = h.shape
        E = self.n_experts
        if self.router == "none":
            out = sum(ex(h) for ex in self.experts) / E
            return out, {"util": torch.full((E,), 1.0 / E), "balance_loss": h.new_zeros(())}
        flat = h.reshape(-1, d)
        if self.router == "mlp":
            probs = torch.softmax(self.gate(flat), dim=-1)
            w, e_idx = probs.max(-1)
            frac = torch.bincount(e_idx, minlength=E).to(probs.dtype) / e_idx.numel()
            balance = E * (frac.detach() * probs.mean(0)).sum()
        else:
            if phase is None:
                raise ValueError("scattering router needs the phase delta")
            # Eq. 8: expert e (1-based) if delta mod pi in [(e-1) pi/E, e pi/E)
            dm = torch.remainder(phase.reshape(-1), math.pi)
            e_idx = torch.clamp((dm / (math.pi / E)).long(), 0, E - 1)
            w = torch.ones_like(flat[:, 0])
            frac = torch.bincount(e_idx, minlength=E).to(flat.dtype) / e_idx.numel()
            balance = flat.new_zeros(())
        out = torch.zeros_like(flat)
        for e, ex in enumerate(self.experts):
            sel = torch.nonzero(e_idx == e).flatten()
            if sel.numel():
                out.index_copy_(0, sel, ex(flat[sel]) * w[sel, None])
        return out.reshape(B, T, d), {"util": frac.detach().cpu(), "balance_loss": balance}


class ResNetBKBlock(nn.Module):
    def __init__(self, cfg: BKConfig):
        super().__init__()
        d = cfg.d_model
        self.cfg = cfg
        self.norm = nn.LayerNorm(d)
        self.use_bk = "bk" in cfg.mixer
        self.use_arssm = "arssm" in cfg.mixer
        if self.use_bk:
            self.v_proj = nn.Linear(d, 1)
            self.bk_proj = nn.Linear(2, d)
        # filled by ResNetBKLM (no draw from the global RNG here, so paired variants keep identical weights)
        self.v_offset = (nn.Parameter(torch.zeros(cfg.seq_len)) if self.use_bk and cfg.potential_init != "none"
                         else None)
        if self.use_arssm:
            self.arssm = ARSSMLayer(d, r_max=cfg.arssm_rmax, gate_hidden=cfg.arssm_gate_hidden, causal=cfg.causal)
        if cfg.ffn == "moe":
            self.ffn = MoEFFN(d, cfg.n_experts, cfg.router, cfg.dropout)
        else:
            self.ffn = LowRankFFN(d)
        self.drop = nn.Dropout(cfg.dropout)

    def _potential(self, h):
        v = self.v_proj(h).squeeze(-1)
        if self.v_offset is not None:
            v = v + self.v_offset[: v.shape[-1]].to(v.dtype)
        return torch.clamp(v, -self.cfg.v_clamp, self.cfg.v_clamp)

    def forward(self, x: torch.Tensor):
        """Returns (update, phase or None, info dict); the caller adds the update (x + update)."""
        cfg = self.cfg
        h = self.norm(x)
        upd = 0.0
        phase = None
        info = {}
        if self.use_bk:
            v = self._potential(h)
            z = complex(cfg.z)
            vk = v if v.dtype in (torch.float32, torch.float64) else v.float()   # fp16/bf16 -> fp32 for the op
            G = bk_diag(vk, z, cfg.bk_off, cfg.bk_h0_diag, cfg.causal, cfg.bk_method)
            feats = bk_features(G).to(h.dtype)
            upd = upd + self.bk_proj(feats)
            need_phase = cfg.router in ("scattering", "scattering_gphase") or cfg.act
            if need_phase:
                if cfg.router == "scattering_gphase":
                    phase = torch.angle(G).to(h.dtype)
                else:
                    zeta = complex(cfg.router_lambda, cfg.router_eta)
                    g_c = G if (cfg.causal and zeta == z) else None
                    phase = causal_prefix_phase(vk.detach(), None if g_c is None else g_c.detach(), zeta,
                                             cfg.bk_off, cfg.bk_h0_diag, cfg.bk_method).to(h.dtype)
                phase = phase.detach()
        if self.use_arssm:
            upd = upd + self.arssm(h)
        if isinstance(self.ffn, MoEFFN):
            f, info = self.ffn(h, phase)
        else:
            f = self.ffn(h)
        upd = upd + f
        return self.drop(upd), phase, info


class ResNetBKLM(nn.Module):
    """Token (+ position) embedding -> n_layers ResNet-BK blocks -> LayerNorm -> head. forward(idx[B,T]) -> [B,T,V].
    After each forward, self.aux holds: router_util (n_layers x E expert fractions), balance_loss (tensor, mlp
    router), act_flops_fraction (fraction of token-layer updates applied; 1.0 without ACT), halting_depth."""

    def __init__(self, cfg: BKConfig):
        super().__init__()
        if not isinstance(cfg, BKConfig):
            raise TypeError(f"ResNetBKLM expects a BKConfig, got {type(cfg).__name__}")
        self.cfg = cfg
        self.vocab_size = cfg.vocab_size
        d = cfg.d_model
        self.tok_emb = (nn.Embedding(cfg.vocab_size, d) if cfg.embedding == "dense"
                        else HTTEmbedding(cfg.vocab_size, d, cfg.htt_rank))
        if cfg.embedding == "dense":
            nn.init.normal_(self.tok_emb.weight, std=0.02)
        self.pos_emb = nn.Embedding(cfg.seq_len, d) if cfg.pos_embedding else None
        if self.pos_emb is not None:
            nn.init.normal_(self.pos_emb.weight, std=0.02)
            if cfg.prime_bump_init:
                # Eq. 5 reference reading: V on x = 0..N-1, scaled by 0.02, added to every channel of the pos emb
                V = prime_bump_potential(cfg.seq_len, cfg.prime_bump_eps, cfg.prime_bump_kmax)
                with torch.no_grad():
                    self.pos_emb.weight.add_(cfg.prime_bump_scale * V.to(self.pos_emb.weight.dtype)[:, None])
        elif cfg.prime_bump_init:
            raise ValueError("prime_bump_init needs pos_embedding=True")
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(ResNetBKBlock(cfg) for _ in range(cfg.n_layers))
        self._init_potential_offsets()
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, cfg.vocab_size) if cfg.head == "dense" else LowRankHead(d, cfg.vocab_size)
        self.aux: dict = {}

    @torch.no_grad()
    def _init_potential_offsets(self):
        """potential_init (BKConfig): V_eps(x) on x = 0..seq_len-1, N(0, rms(V_eps)^2), or 0, in every BK block."""
        cfg = self.cfg
        if cfg.potential_init == "none":
            return
        V = prime_bump_potential(cfg.seq_len, cfg.prime_bump_eps, cfg.prime_bump_kmax)
        gen = torch.Generator().manual_seed(torch.initial_seed() % 2**63)   # the run's seed, global RNG untouched
        for blk in self.blocks:
            if cfg.potential_init == "prime_bump":
                init = V
            elif cfg.potential_init == "random":
                init = torch.randn(cfg.seq_len, generator=gen, dtype=torch.float64) * V.pow(2).mean().sqrt()
            else:
                init = torch.zeros(cfg.seq_len, dtype=torch.float64)
            blk.v_offset.copy_(init.to(blk.v_offset.dtype))

    def num_params(self) -> int:
        """common.modules.count_params of this model."""
        from paperlib.common.modules import count_params

        return count_params(self)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        _check_idx(idx, self.cfg.vocab_size)
        B, T = idx.shape
        if T > self.cfg.seq_len and self.pos_emb is not None:
            raise ValueError(f"sequence length {T} exceeds seq_len={self.cfg.seq_len}")
        x = self.tok_emb(idx)
        if self.pos_emb is not None:
            x = x + self.pos_emb(torch.arange(T, device=idx.device))[None]
        x = self.drop(x)
        cfg = self.cfg
        utils, balance = [], x.new_zeros(())
        cum = x.new_zeros(B, T) if cfg.act else None
        applied = []
        for blk in self.blocks:
            if cfg.checkpointing and self.training and torch.is_grad_enabled():
                upd, phase, info = checkpoint(blk, x, use_reentrant=False)
            else:
                upd, phase, info = blk(x)
            if cfg.act:
                active = (cum < cfg.act_threshold).to(x.dtype)          # halted tokens keep their state
                x = x + active[..., None] * upd
                cum = cum + active * act_halting_prob(phase, cfg.act_low, cfg.act_high).to(x.dtype)
                applied.append(active.mean())
            else:
                x = x + upd
            if "util" in info:
                utils.append(info["util"])
                balance = balance + info["balance_loss"]
        self.aux = {
            "router_util": torch.stack(utils) if utils else None,
            "balance_loss": balance / max(len(utils), 1),
            "act_flops_fraction": float(torch.stack(applied).mean()) if applied else 1.0,
            "halting_depth": cum.detach() if cum is not None else None,
        }
        return self.head(self.norm(x))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        return generate_tokens(self, idx, max_new_tokens, temperature, top_k, generator, self.cfg.seq_len)


def expected_params(cfg: BKConfig) -> dict:
    """Closed-form parameter count of ResNetBKLM(cfg), row by row."""
    d, V = cfg.d_model, cfg.vocab_size
    emb = V * d if cfg.embedding == "dense" else HTTEmbedding.expected_params(V, d, cfg.htt_rank)
    pos = cfg.seq_len * d if cfg.pos_embedding else 0
    blk = layernorm_params(d)
    if "bk" in cfg.mixer:
        blk += linear_params(d, 1) + linear_params(2, d) + (cfg.seq_len if cfg.potential_init != "none" else 0)
    if "arssm" in cfg.mixer:
        blk += ARSSMLayer.expected_params(d, cfg.arssm_rmax, cfg.arssm_gate_hidden)
    blk += (MoEFFN.expected_params(d, cfg.n_experts, cfg.router) if cfg.ffn == "moe"
            else LowRankFFN.expected_params(d))
    head = linear_params(d, V) if cfg.head == "dense" else LowRankHead.expected_params(d, V)
    rows = {"embedding": emb, "pos_embedding": pos, "layers": cfg.n_layers * blk,
            "final_norm": layernorm_params(d), "head": head}
    rows["total"] = sum(rows.values())
    return rows
