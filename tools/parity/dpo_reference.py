"""Independent float64 PyTorch reference of the DPO-family losses in tools/CONTRACT.md.

Written the way TRL writes them (``F.logsigmoid`` on a scaled log-ratio margin), without any ONNX or
exporter code, so that the exported graphs and the Java loss functions can be checked against it.

Notation (per pair i): ``h = (logp_w - ref_w) - (logp_l - ref_l)``, ``delta = |y_w| - |y_l|``,
``z = beta*h + alpha*delta + lambda*((|y_w| - L)^2 - (|y_l| - L)^2)``, ``q = p(1-eps) + (1-p)eps`` with
p = pref_prob, eps = label_smoothing, L = length_target, lambda = length_lambda.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import math

import torch
import torch.nn.functional as F

VARIANTS = ("sigmoid", "robust", "hinge", "ipo", "simpo")

# Published DPO check vectors (three pairs, beta = 0.1) and their sigmoid losses.
PUBLISHED = {
    "policy_logps_chosen": [-0.5, -10.0, -1.0],
    "policy_logps_rejected": [-0.1, -30.0, -21.0],
    "reference_logps_chosen": [-0.5, -10.1, -0.1],
    "reference_logps_rejected": [-0.1, -20.1, -0.1],
    "beta": 0.1,
    "losses": [0.693147, 0.313262, 0.126928],
}


@dataclass(frozen=True)
class LossInputs:
    """Loss inputs of the contract (scalars and per-pair vectors); defaults are the contract's defaults."""

    loss_mix: tuple = (1.0, 0.0, 0.0, 0.0, 0.0)
    beta: float = 0.1
    label_smoothing: float = 0.0
    length_alpha: float = 0.0
    simpo_gamma: float = 0.5
    rpo_alpha: float = 0.0
    length_target: float = 0.0  # iLR-DPO target length L (tokens)
    length_lambda: float = 0.0  # iLR-DPO lambda; 0 = off
    pref_prob: tuple | None = None  # (B), None = all 1.0
    pair_weight: tuple | None = None  # (B), None = all 1.0

    def __post_init__(self):
        if len(self.loss_mix) != len(VARIANTS):
            raise ValueError(f"loss_mix: expected {len(VARIANTS)} weights, found {len(self.loss_mix)}")
        if not self.beta > 0:
            raise ValueError(f"beta: expected > 0, found {self.beta}")
        if not 0.0 <= self.label_smoothing < 0.5:
            raise ValueError(f"label_smoothing: expected in [0, 0.5), found {self.label_smoothing}")
        for name in ("length_target", "length_lambda"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{name}: expected a finite value >= 0, found {v}")

    @staticmethod
    def one_hot(variant: str, **kwargs) -> "LossInputs":
        """Loss inputs selecting exactly one variant."""
        mix = tuple(1.0 if v == variant else 0.0 for v in VARIANTS)
        return LossInputs(loss_mix=mix, **kwargs)

    def to_json(self, b: int) -> dict:
        """Every loss input as fed for B pairs (per-pair vectors expanded), as a JSON-friendly dict."""
        return {"loss_mix": list(self.loss_mix), "beta": self.beta, "label_smoothing": self.label_smoothing,
                "length_alpha": self.length_alpha, "simpo_gamma": self.simpo_gamma, "rpo_alpha": self.rpo_alpha,
                "length_target": self.length_target, "length_lambda": self.length_lambda,
                "pref_prob": [1.0] * b if self.pref_prob is None else list(self.pref_prob),
                "pair_weight": [1.0] * b if self.pair_weight is None else list(self.pair_weight)}


@dataclass(frozen=True)
class PairBatch:
    """Summed completion log-probs and completion token counts of B pairs (float64 tensors of shape (B))."""

    logp_w: torch.Tensor
    logp_l: torch.Tensor
    ref_w: torch.Tensor
    ref_l: torch.Tensor
    len_w: torch.Tensor
    len_l: torch.Tensor

    def __post_init__(self):
        shape = self.logp_w.shape
        for name in ("logp_l", "ref_w", "ref_l", "len_w", "len_l"):
            found = getattr(self, name).shape
            if found != shape:
                raise ValueError(f"PairBatch.{name}: expected shape {tuple(shape)}, found {tuple(found)}")

    @staticmethod
    def of(logp_w, logp_l, ref_w, ref_l, len_w, len_l) -> "PairBatch":
        t = lambda x: torch.as_tensor(x, dtype=torch.float64)  # noqa: E731
        return PairBatch(t(logp_w), t(logp_l), t(ref_w), t(ref_l), t(len_w), t(len_l))

    @property
    def size(self) -> int:
        return int(self.logp_w.shape[0])


@dataclass(frozen=True)
class LossResult:
    pair_losses: torch.Tensor  # (B) unweighted
    loss_tensor: torch.Tensor  # () mean_i(pair_weight_i * pair_losses_i), differentiable
    rewards_chosen: torch.Tensor  # (B)
    rewards_rejected: torch.Tensor  # (B)
    variants: dict = field(default_factory=dict)  # name -> (B) per-variant loss before mixing
    logged_logps_chosen: torch.Tensor | None = None  # (B) logps/chosen as TRL logs them
    logged_logps_rejected: torch.Tensor | None = None  # (B) logps/rejected as TRL logs them

    @property
    def loss(self) -> float:
        return float(self.loss_tensor.detach())

    def to_json(self) -> dict:
        return {"loss": self.loss, "pair_losses": self.pair_losses.tolist(),
                "rewards_chosen": self.rewards_chosen.tolist(), "rewards_rejected": self.rewards_rejected.tolist(),
                "variant_losses": {k: v.detach().tolist() for k, v in self.variants.items()},
                "logged_logps_chosen": self.logged_logps_chosen.tolist(),
                "logged_logps_rejected": self.logged_logps_rejected.tolist()}


def _soft_label(x: LossInputs, b: int) -> torch.Tensor:
    p = torch.ones(b, dtype=torch.float64) if x.pref_prob is None else torch.tensor(x.pref_prob, dtype=torch.float64)
    eps = x.label_smoothing
    return p * (1.0 - eps) + (1.0 - p) * eps  # (B)


def _margin(pb: PairBatch, x: LossInputs) -> torch.Tensor:
    """z of the sigmoid / robust / hinge losses: beta*h, R-DPO's length difference (Park et al. 2024 eq. 9) and
    the target-length term of iterative length-regularised DPO (Liu et al. 2024, "Iterative Length-Regularized Direct
    Preference Optimization"), in the form of dpo4j issue 13 item 4:
    ``lambda*((|y_w| - L)^2 - (|y_l| - L)^2)``: a chosen answer farther from L than the rejected one raises z."""
    h = (pb.logp_w - pb.ref_w) - (pb.logp_l - pb.ref_l)  # (B)
    target = x.length_target
    length = x.length_lambda * ((pb.len_w - target) ** 2 - (pb.len_l - target) ** 2)  # (B)
    return x.beta * h + x.length_alpha * (pb.len_w - pb.len_l) + length  # (B)


def sigmoid_loss(pb: PairBatch, x: LossInputs) -> torch.Tensor:
    """DPO, Rafailov et al. 2023 eq. 7, with cDPO label smoothing / soft labels, R-DPO (Park et al. 2024
    eq. 9) and iLR-DPO length terms (see ``_margin``): ``-q logsig(z) - (1-q) logsig(-z)``."""
    z = _margin(pb, x)
    q = _soft_label(x, pb.size)
    return -q * F.logsigmoid(z) - (1.0 - q) * F.logsigmoid(-z)


def robust_loss(pb: PairBatch, x: LossInputs) -> torch.Tensor:
    """Robust DPO, Chowdhury et al. 2024 eq. 9 (TRL ``loss_type="robust"``); pref_prob is not used."""
    z = _margin(pb, x)
    eps = x.label_smoothing
    return (-(1.0 - eps) * F.logsigmoid(z) + eps * F.logsigmoid(-z)) / (1.0 - 2.0 * eps)


def hinge_loss(pb: PairBatch, x: LossInputs) -> torch.Tensor:
    """SLiC calibration loss, Zhao et al. 2023 eq. 3 as TRL uses it: ``relu(1 - z)``."""
    return torch.relu(1.0 - _margin(pb, x))


def ipo_loss(pb: PairBatch, x: LossInputs) -> torch.Tensor:
    """IPO, Azar et al. 2023 eq. 17, with log-probs (policy and reference) averaged per completion token as TRL
    does: ``(h_avg - 1/(2 beta))^2``."""
    h_avg = (pb.logp_w - pb.ref_w) / pb.len_w - (pb.logp_l - pb.ref_l) / pb.len_l  # (B)
    return (h_avg - 1.0 / (2.0 * x.beta)) ** 2


def simpo_loss(pb: PairBatch, x: LossInputs) -> torch.Tensor:
    """SimPO, Meng et al. 2024 eq. 6 (reference-free, length-normalised, target margin gamma), with the same
    soft label as the sigmoid loss: ``z_s = beta (logp_w/|y_w| - logp_l/|y_l|) - gamma``."""
    z = x.beta * (pb.logp_w / pb.len_w - pb.logp_l / pb.len_l) - x.simpo_gamma  # (B)
    q = _soft_label(x, pb.size)
    return -q * F.logsigmoid(z) - (1.0 - q) * F.logsigmoid(-z)


def rpo_nll(pb: PairBatch, weight: torch.Tensor) -> torch.Tensor:
    """RPO chosen NLL term, Pang et al. 2024 eq. 1, as TRL computes it: the mean NLL over all chosen completion
    tokens of the batch, each token weighted by its pair's weight: ``sum_i w_i (-logp_w_i) / sum_i |y_w_i|``."""
    return (weight * -pb.logp_w).sum() / pb.len_w.sum()


_LOSSES = {"sigmoid": sigmoid_loss, "robust": robust_loss, "hinge": hinge_loss, "ipo": ipo_loss,
           "simpo": simpo_loss}


def rewards(pb: PairBatch, x: LossInputs) -> tuple[torch.Tensor, torch.Tensor]:
    """Implicit rewards as TRL reports them: ``beta (logp - ref)``; for a pure SimPO mix ``beta logp / |y|``; for a
    pure IPO mix on per-token averages ``beta (logp - ref) / |y|`` (TRL averages IPO's log-probs before the loss)."""
    if tuple(x.loss_mix) == (0.0, 0.0, 0.0, 0.0, 1.0):
        return x.beta * pb.logp_w / pb.len_w, x.beta * pb.logp_l / pb.len_l
    if tuple(x.loss_mix) == (0.0, 0.0, 0.0, 1.0, 0.0):
        return x.beta * (pb.logp_w - pb.ref_w) / pb.len_w, x.beta * (pb.logp_l - pb.ref_l) / pb.len_l
    return x.beta * (pb.logp_w - pb.ref_w), x.beta * (pb.logp_l - pb.ref_l)


def logged_logps(pb: PairBatch, x: LossInputs) -> tuple[torch.Tensor, torch.Tensor]:
    """``logps/chosen`` and ``logps/rejected`` as TRL logs them: summed completion log-probs, except for IPO
    (DPOTrainer averages log-probs per token for ``loss_type="ipo"``) and SimPO (CPOTrainer averages for
    ``loss_type="simpo"``)."""
    if tuple(x.loss_mix) in ((0.0, 0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0, 1.0, 0.0)):
        return pb.logp_w / pb.len_w, pb.logp_l / pb.len_l
    return pb.logp_w, pb.logp_l


def compute(pb: PairBatch, x: LossInputs) -> LossResult:
    """loss = mean_i(pair_weight_i * sum_k loss_mix_k variant_k,i) + rpo_alpha * token-level chosen NLL (TRL's RPO);
    pair_losses (unweighted, per pair) carry the NLL as each pair's share -logp_w_i * B / sum_j |y_w_j|, so that
    loss = mean(pair_weight * pair_losses) as in tools/CONTRACT.md."""
    per_variant = {name: fn(pb, x) for name, fn in _LOSSES.items()}
    mixed = torch.zeros(pb.size, dtype=torch.float64)
    for w, name in zip(x.loss_mix, VARIANTS):
        mixed = mixed + w * per_variant[name]
    weight = torch.ones(pb.size, dtype=torch.float64) if x.pair_weight is None \
        else torch.tensor(x.pair_weight, dtype=torch.float64)
    loss = (weight * mixed).mean() + x.rpo_alpha * rpo_nll(pb, weight)
    pair = mixed + x.rpo_alpha * (-pb.logp_w * pb.size / pb.len_w.sum())  # (B)
    rc, rr = rewards(pb, x)
    return LossResult(pair, loss, rc, rr, per_variant, *logged_logps(pb, x))


def published_check(tol: float = 5e-7) -> list[float]:
    """Recompute the published DPO vectors with the sigmoid loss; raise if they differ by more than ``tol``."""
    v = PUBLISHED
    pb = PairBatch.of(v["policy_logps_chosen"], v["policy_logps_rejected"], v["reference_logps_chosen"],
                      v["reference_logps_rejected"], [1.0] * 3, [1.0] * 3)
    got = compute(pb, LossInputs.one_hot("sigmoid", beta=v["beta"])).pair_losses.tolist()
    for i, (g, e) in enumerate(zip(got, v["losses"])):
        if abs(g - e) > tol:
            raise AssertionError(f"published DPO vector {i}: expected {e}, found {g}")
    return got
