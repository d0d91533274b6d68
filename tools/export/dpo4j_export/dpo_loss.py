"""The DPO-family pair losses of tools/CONTRACT.md, written with ONNX-Runtime-differentiable ops only.

Notation (per pair): h = (logp_w - ref_w) - (logp_l - ref_l), Δ = |y_w| - |y_l|,
z = β·h + α·Δ + λ·((|y_w| - L)² - (|y_l| - L)²), q = p(1-ε) + (1-p)ε. Every function takes chosen (w) / rejected (l)
tensors of shape (B).
"""

import torch

VARIANTS = ("sigmoid", "robust", "hinge", "ipo", "simpo")

# Guards keep every variant finite for every input (a NaN in a variant whose loss_mix weight is 0 would
# still poison the mix, since 0 * NaN = NaN). They only change results where the math is undefined.
_MIN_COUNT = 1.0  # a sequence with no completion tokens counts as length 1 in the averages
_MIN_DENOM = 1e-6  # robust: 1 - 2ε ; ipo: 2β


def log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """logσ(x) = min(x, 0) - log1p(exp(-|x|)), stable for any x, equal to torch.nn.functional.logsigmoid in value
    and in derivative everywhere, including x = 0 (slope 1/2), where the policy equals the reference.

    min(x, 0) is written (x - |x|) / 2: the gradients of Abs (sign, 0 at 0) give slope 1/2 at 0; written as
    x - relu(x) it would get slope 1 there (relu'(0) = 0), doubling every pair's gradient at the first step.
    ONNX has no Log1p and ORT no Softplus gradient, so log1p(u) is log(w) - (w - 1 - u) / w with w = 1 + u (the
    rounding of 1 + u corrected to first order), which keeps the relative accuracy for tiny u (|x| up to ~700).
    Abs, Exp, Log, Add, Sub, Div, Mul all have ORT gradients."""
    u = torch.exp(-torch.abs(x))  # (B)
    w = 1.0 + u  # (B)
    log1p_u = torch.log(w) - ((w - 1.0) - u) / w  # (B)
    return 0.5 * (x - torch.abs(x)) - log1p_u  # (B)


def soft_label_bce(z: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """-q·logσ(z) - (1-q)·logσ(-z)."""
    return -q * log_sigmoid(z) - (1.0 - q) * log_sigmoid(-z)  # (B)


def pair_losses(logp_w, logp_l, ref_w, ref_l, n_w, n_l, pref_prob, loss_mix, beta, label_smoothing,
                length_alpha, simpo_gamma, rpo_alpha, length_target, length_lambda) -> torch.Tensor:
    """Unweighted per-pair loss Σ_k loss_mix_k · variant_k + rpo_alpha · (pair i's share of the batch NLL), (B)."""
    eps = label_smoothing
    n_w = torch.clamp(n_w, min=_MIN_COUNT)  # (B)
    n_l = torch.clamp(n_l, min=_MIN_COUNT)  # (B)
    h = (logp_w - ref_w) - (logp_l - ref_l)  # (B)
    z = beta * h + length_alpha * (n_w - n_l) + length_margin(n_w, n_l, length_target, length_lambda)  # (B)
    q = pref_prob * (1.0 - eps) + (1.0 - pref_prob) * eps  # (B)

    # DPO, Rafailov et al. 2023 eq. 7, with cDPO smoothing / soft labels and R-DPO (Park et al. 2024 eq. 9).
    sigmoid = soft_label_bce(z, q)  # (B)
    # Robust DPO, Chowdhury et al. 2024 eq. 9 (p is not used).
    robust = (-(1.0 - eps) * log_sigmoid(z) + eps * log_sigmoid(-z)) / torch.clamp(1.0 - 2.0 * eps, min=_MIN_DENOM)  # (B)
    # SLiC hinge, Zhao et al. 2023 eq. 3 (as used by TRL).
    hinge = torch.relu(1.0 - z)  # (B)
    # IPO, Azar et al. 2023 eq. 17, with per-token averaged log-ratios as TRL does.
    h_avg = (logp_w - ref_w) / n_w - (logp_l - ref_l) / n_l  # (B)
    ipo_gap = h_avg - 1.0 / torch.clamp(2.0 * beta, min=_MIN_DENOM)  # (B)
    ipo = ipo_gap * ipo_gap  # (B)
    # SimPO, Meng et al. 2024 eq. 6 (reference-free, length-normalised, target margin γ).
    z_s = beta * (logp_w / n_w - logp_l / n_l) - simpo_gamma  # (B)
    simpo = soft_label_bce(z_s, q)  # (B)

    variants = torch.stack([sigmoid, robust, hinge, ipo, simpo], dim=0)  # (K, B)
    mixed = (loss_mix[:, None] * variants).sum(dim=0)  # (B)
    return mixed + rpo_alpha * rpo_nll_shares(logp_w, n_w)  # (B)


def length_margin(n_w: torch.Tensor, n_l: torch.Tensor, length_target, length_lambda) -> torch.Tensor:
    """The target-length term of iterative length-regularised DPO (iLR-DPO, Liu et al. 2024, "Iterative
    Length-Regularized Direct Preference Optimization"), in the form of dpo4j issue 13:
    λ·((|y_w| - L)² - (|y_l| - L)²), added to z inside the sigmoid like R-DPO's α·Δ (Park et al. 2024 eq. 9).
    A chosen answer farther from L than the rejected one raises z, so less gradient pushes toward it. Lengths are
    not parameters: the term shifts z and scales the gradient through σ(z), it has no gradient of its own."""
    d_w = n_w - length_target  # (B)
    d_l = n_l - length_target  # (B)
    return length_lambda * (d_w * d_w - d_l * d_l)  # (B)


def rpo_nll_shares(logp_w: torch.Tensor, n_w: torch.Tensor) -> torch.Tensor:
    """RPO's chosen-NLL term (Pang et al. 2024 eq. 1) as TRL computes it: the mean NLL over all chosen completion
    tokens of the micro-batch, Σ_i -logp_w_i / Σ_i |y_w_i|. Returned as per-pair shares -logp_w_i · B / Σ_j |y_w_j|,
    so that mean_i(w_i · share_i) is the token-level mean with every token weighted by its pair's weight."""
    b = logp_w.shape[0]
    tokens = torch.clamp(n_w.sum(), min=_MIN_COUNT)  # ()
    return -logp_w * (b / tokens)  # (B)
