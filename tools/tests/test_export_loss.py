"""The exported loss math (dpo4j_export.dpo_loss) against an independent, textbook transcription of
tools/CONTRACT.md written with torch.nn.functional.logsigmoid, plus finiteness of gradients at extremes.

    tools/.venv/bin/python -m pytest -q tools/tests/test_export_loss.py
"""

import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))

from dpo4j_export import dpo_loss  # noqa: E402

TOL = 1e-10  # float64 on both sides


def reference_variants(lw, ll, rw, rl, nw, nl, p, beta, eps, alpha, gamma):
    """Per-pair [sigmoid, robust, hinge, ipo, simpo] and the RPO nll, straight from the contract's formulas."""
    h = (lw - rw) - (ll - rl)
    z = beta * h + alpha * (nw - nl)
    q = p * (1 - eps) + (1 - p) * eps
    sigmoid = -q * F.logsigmoid(z) - (1 - q) * F.logsigmoid(-z)
    robust = (-(1 - eps) * F.logsigmoid(z) + eps * F.logsigmoid(-z)) / (1 - 2 * eps)
    hinge = torch.clamp(1 - z, min=0)
    h_avg = (lw - rw) / nw - (ll - rl) / nl
    ipo = (h_avg - 1 / (2 * beta)) ** 2
    zs = beta * (lw / nw - ll / nl) - gamma
    simpo = -q * F.logsigmoid(zs) - (1 - q) * F.logsigmoid(-zs)
    nll = -lw * len(lw) / nw.sum()  # TRL: mean NLL over all chosen tokens of the batch, as per-pair shares
    return torch.stack([sigmoid, robust, hinge, ipo, simpo]), nll


def random_pairs(b=64, seed=0, scale=30.0):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.rand(*s, generator=g, dtype=torch.float64)  # noqa: E731
    nw, nl = torch.randint(1, 40, (b,), generator=g).double(), torch.randint(1, 40, (b,), generator=g).double()
    lw, ll = -scale * r(b) * nw / 4, -scale * r(b) * nl / 4
    rw, rl = -scale * r(b) * nw / 4, -scale * r(b) * nl / 4
    return lw, ll, rw, rl, nw, nl, r(b)


@pytest.mark.parametrize("beta,eps,alpha,gamma", [(0.1, 0.0, 0.0, 0.5), (0.5, 0.2, 0.01, 1.0), (2.0, 0.05, -0.1, 0.0)])
def test_each_variant_matches_the_contract_formula(beta, eps, alpha, gamma):
    lw, ll, rw, rl, nw, nl, p = random_pairs()
    want, nll = reference_variants(lw, ll, rw, rl, nw, nl, p, beta, eps, alpha, gamma)
    for k in range(len(dpo_loss.VARIANTS)):
        mix = torch.zeros(5, dtype=torch.float64)
        mix[k] = 1.0
        got = dpo_loss.pair_losses(lw, ll, rw, rl, nw, nl, p, mix, torch.tensor([beta], dtype=torch.float64),
                                   torch.tensor([eps], dtype=torch.float64), torch.tensor([alpha], dtype=torch.float64),
                                   torch.tensor([gamma], dtype=torch.float64), torch.tensor([0.0], dtype=torch.float64))
        assert torch.max(torch.abs(got - want[k])).item() < TOL * max(1.0, want[k].abs().max().item()), dpo_loss.VARIANTS[k]


def test_mixture_and_rpo_term_add_up():
    lw, ll, rw, rl, nw, nl, p = random_pairs(seed=1)
    want, nll = reference_variants(lw, ll, rw, rl, nw, nl, p, 0.3, 0.1, 0.02, 0.7)
    mix = torch.tensor([0.5, 0.25, 0.125, 0.0625, 0.0625], dtype=torch.float64)
    t = lambda v: torch.tensor([v], dtype=torch.float64)  # noqa: E731
    got = dpo_loss.pair_losses(lw, ll, rw, rl, nw, nl, p, mix, t(0.3), t(0.1), t(0.02), t(0.7), t(0.4))
    expected = (mix[:, None] * want).sum(0) + 0.4 * nll
    assert torch.max(torch.abs(got - expected)).item() < 1e-10


@pytest.mark.parametrize("x", [0.0, 1e-30, -1e-30, 3.0, -3.0, 40.0, -40.0, 700.0, -700.0])
def test_log_sigmoid_value_and_derivative_equal_torch_in_float64(x):
    # At x = 0 (policy == reference, the first step of every run) the slope must be 1/2, not 1.
    got_x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    want_x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    got, want = dpo_loss.log_sigmoid(got_x), F.logsigmoid(want_x)
    got.backward()
    want.backward()
    assert got.item() == pytest.approx(want.item(), rel=1e-15, abs=0.0)
    assert got_x.grad.item() == pytest.approx(want_x.grad.item(), rel=1e-15, abs=0.0)


def test_sigmoid_loss_gradient_at_z_zero_is_half_beta():
    # policy == reference: z = 0, dL/dlogp_w = -β·σ(-0) = -β/2 (TRL's value), and +β/2 for logp_l.
    lw = torch.tensor([-5.0, -7.0], dtype=torch.float64, requires_grad=True)
    ll = torch.tensor([-6.0, -2.0], dtype=torch.float64, requires_grad=True)
    t = lambda v: torch.tensor([v], dtype=torch.float64)  # noqa: E731
    ones = torch.ones(2, dtype=torch.float64)
    mix = torch.tensor([1.0, 0, 0, 0, 0], dtype=torch.float64)
    loss = dpo_loss.pair_losses(lw, ll, lw.detach(), ll.detach(), ones * 3, ones * 4, ones, mix, t(0.1), t(0.0),
                                t(0.0), t(0.5), t(0.0)).sum()
    loss.backward()
    assert loss.item() == pytest.approx(2 * 0.6931471805599453, rel=1e-15)
    assert lw.grad.tolist() == pytest.approx([-0.05, -0.05], rel=1e-15)
    assert ll.grad.tolist() == pytest.approx([0.05, 0.05], rel=1e-15)


def test_log_sigmoid_is_stable_at_extremes():
    x = torch.tensor([-1e4, -80.0, -1.0, 0.0, 1.0, 80.0, 1e4], dtype=torch.float32)
    got = dpo_loss.log_sigmoid(x)
    assert torch.allclose(got, F.logsigmoid(x), rtol=1e-6, atol=1e-7)


def test_gradients_stay_finite_when_an_undefined_variant_has_weight_zero():
    # label_smoothing 0.5 makes robust's 1/(1-2ε) undefined, beta 0 makes ipo's 1/(2β) undefined, huge log-ratios
    # saturate the sigmoids: with those variants weighted 0 the loss and its gradient must stay finite.
    lw = torch.tensor([-1e4, -3.0], requires_grad=True)
    ll = torch.tensor([-1.0, -1e4], requires_grad=True)
    zeros, ones = torch.zeros(2), torch.ones(2)
    for beta, eps, mix in ((0.1, 0.5, [1.0, 0, 0, 0, 1.0]), (0.0, 0.1, [1.0, 0, 1.0, 0, 0])):
        loss = dpo_loss.pair_losses(lw, ll, zeros, zeros, ones * 5, ones * 0, ones, torch.tensor(mix),
                                    torch.tensor([beta]), torch.tensor([eps]), torch.tensor([0.0]),
                                    torch.tensor([0.5]), torch.tensor([0.1])).mean()
        grad_w, grad_l = torch.autograd.grad(loss, [lw, ll])
        assert torch.isfinite(loss) and torch.isfinite(grad_w).all() and torch.isfinite(grad_l).all()
