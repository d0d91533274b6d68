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


def reference_variants(lw, ll, rw, rl, nw, nl, p, beta, eps, alpha, gamma, target=0.0, lam=0.0):
    """Per-pair [sigmoid, robust, hinge, ipo, simpo] and the RPO nll, straight from the contract's formulas."""
    h = (lw - rw) - (ll - rl)
    z = beta * h + alpha * (nw - nl) + lam * ((nw - target) ** 2 - (nl - target) ** 2)
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


@pytest.mark.parametrize("beta,eps,alpha,gamma,target,lam", [
    (0.1, 0.0, 0.0, 0.5, 0.0, 0.0), (0.5, 0.2, 0.01, 1.0, 0.0, 0.0), (2.0, 0.05, -0.1, 0.0, 0.0, 0.0),
    (0.1, 0.0, 0.0, 0.5, 20.0, 0.002), (0.5, 0.1, 0.01, 1.0, 7.5, 0.01), (2.0, 0.05, -0.1, 0.0, 0.0, 1e-4)])
def test_each_variant_matches_the_contract_formula(beta, eps, alpha, gamma, target, lam):
    lw, ll, rw, rl, nw, nl, p = random_pairs()
    want, nll = reference_variants(lw, ll, rw, rl, nw, nl, p, beta, eps, alpha, gamma, target, lam)
    t = lambda v: torch.tensor([v], dtype=torch.float64)  # noqa: E731
    for k in range(len(dpo_loss.VARIANTS)):
        mix = torch.zeros(5, dtype=torch.float64)
        mix[k] = 1.0
        got = dpo_loss.pair_losses(lw, ll, rw, rl, nw, nl, p, mix, t(beta), t(eps), t(alpha), t(gamma), t(0.0),
                                   t(target), t(lam))
        assert torch.max(torch.abs(got - want[k])).item() < TOL * max(1.0, want[k].abs().max().item()), dpo_loss.VARIANTS[k]


def test_mixture_and_rpo_term_add_up():
    lw, ll, rw, rl, nw, nl, p = random_pairs(seed=1)
    want, nll = reference_variants(lw, ll, rw, rl, nw, nl, p, 0.3, 0.1, 0.02, 0.7, 12.0, 0.003)
    mix = torch.tensor([0.5, 0.25, 0.125, 0.0625, 0.0625], dtype=torch.float64)
    t = lambda v: torch.tensor([v], dtype=torch.float64)  # noqa: E731
    got = dpo_loss.pair_losses(lw, ll, rw, rl, nw, nl, p, mix, t(0.3), t(0.1), t(0.02), t(0.7), t(0.4), t(12.0),
                               t(0.003))
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
                                t(0.0), t(0.5), t(0.0), t(0.0), t(0.0)).sum()
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
                                    torch.tensor([0.5]), torch.tensor([0.1]), torch.tensor([50.0]),
                                    torch.tensor([0.01])).mean()
        grad_w, grad_l = torch.autograd.grad(loss, [lw, ll])
        assert torch.isfinite(loss) and torch.isfinite(grad_w).all() and torch.isfinite(grad_l).all()


# ---------------------------------------------------------------- iLR-DPO target-length term ---------------------
# z = β·h + α·(|y_w| − |y_l|) + λ·((|y_w| − L)² − (|y_l| − L)²) (Liu et al. 2024, iLR-DPO; dpo4j issue 13 item 4).

def _ilr_inputs():
    """Pairs covering |y_w| = |y_l|, L between the two lengths, L below both and L above both; float64."""
    nw = torch.tensor([6.0, 3.0, 9.0, 4.0, 20.0], dtype=torch.float64)
    nl = torch.tensor([6.0, 9.0, 3.0, 15.0, 2.0], dtype=torch.float64)
    lw = torch.tensor([-7.0, -4.0, -12.0, -5.5, -30.0], dtype=torch.float64)
    ll = torch.tensor([-8.0, -11.0, -3.5, -20.0, -2.5], dtype=torch.float64)
    rw = torch.tensor([-7.5, -4.2, -11.0, -6.0, -29.0], dtype=torch.float64)
    rl = torch.tensor([-7.0, -10.0, -4.0, -19.5, -3.0], dtype=torch.float64)
    p = torch.tensor([1.0, 0.8, 1.0, 0.6, 0.9], dtype=torch.float64)
    return lw, ll, rw, rl, nw, nl, p


def _t(v):
    return torch.tensor([v], dtype=torch.float64)


@pytest.mark.parametrize("variant", ["sigmoid", "robust", "hinge"])
def test_length_term_gradient_matches_finite_differences_in_float64(variant):
    # The term is an input of the loss graph: its derivatives in λ and L (and the policy log-probs' derivatives it
    # rescales) must be what float64 central differences of the same function give.
    lw, ll, rw, rl, nw, nl, p = _ilr_inputs()
    mix = torch.tensor([1.0 if v == variant else 0.0 for v in dpo_loss.VARIANTS], dtype=torch.float64)

    def loss(lw_, ll_, target, lam):
        return dpo_loss.pair_losses(lw_, ll_, rw, rl, nw, nl, p, mix, _t(0.1), _t(0.1), _t(0.01), _t(0.5), _t(0.0),
                                    target, lam)

    args = (lw.clone().requires_grad_(), ll.clone().requires_grad_(), _t(5.0).requires_grad_(),
            _t(0.004).requires_grad_())
    assert torch.autograd.gradcheck(loss, args, eps=1e-6, atol=1e-9, rtol=1e-7)


def test_length_term_gradient_equals_the_analytic_form():
    # Sigmoid DPO: d loss / dz = σ(z) − q, so d/d logp_w = β(σ(z) − q), d/dλ = (σ(z) − q)·((n_w−L)² − (n_l−L)²),
    # d/dL = (σ(z) − q)·2λ(n_l − n_w).
    lw, ll, rw, rl, nw, nl, p = _ilr_inputs()
    beta, alpha, target, lam = 0.2, 0.01, 5.0, 0.004
    lw = lw.clone().requires_grad_()
    tgt, lm = _t(target).requires_grad_(), _t(lam).requires_grad_()
    mix = torch.tensor([1.0, 0, 0, 0, 0], dtype=torch.float64)
    loss = dpo_loss.pair_losses(lw, ll, rw, rl, nw, nl, p, mix, _t(beta), _t(0.0), _t(alpha), _t(0.5), _t(0.0),
                                tgt, lm).sum()
    loss.backward()
    sq = (nw - target) ** 2 - (nl - target) ** 2
    z = beta * ((lw.detach() - rw) - (ll - rl)) + alpha * (nw - nl) + lam * sq
    dz = torch.sigmoid(z) - p
    assert torch.allclose(lw.grad, beta * dz, rtol=1e-13, atol=0)
    assert lm.grad.item() == pytest.approx((dz * sq).sum().item(), rel=1e-12)
    assert tgt.grad.item() == pytest.approx((dz * 2 * lam * (nl - nw)).sum().item(), rel=1e-12)


def test_length_term_vanishes_for_equal_lengths_and_is_symmetric_around_the_target():
    lw, ll, rw, rl, nw, nl, _ = _ilr_inputs()
    p = torch.ones(5, dtype=torch.float64)  # hard labels: the sigmoid loss falls monotonically in z
    mix = torch.tensor([1.0, 0, 0, 0, 0], dtype=torch.float64)
    off = dpo_loss.pair_losses(lw, ll, rw, rl, nw, nl, p, mix, _t(0.1), _t(0.0), _t(0.0), _t(0.5), _t(0.0), _t(0.0),
                               _t(0.0))
    on = dpo_loss.pair_losses(lw, ll, rw, rl, nw, nl, p, mix, _t(0.1), _t(0.0), _t(0.0), _t(0.5), _t(0.0), _t(6.0),
                              _t(0.05))
    assert on[0].item() == off[0].item()  # |y_w| = |y_l| = 6: the term is exactly 0
    # L = 6 lies between 3 and 9, at equal distance from both: the term is 0 there too
    assert on[1].item() == off[1].item() and on[2].item() == off[2].item()
    # L = 6: chosen 4 (distance 2) is closer than rejected 15 (distance 9): z falls, the loss rises
    assert on[3].item() > off[3].item()
    # chosen 20 (distance 14) is farther than rejected 2 (distance 4): z rises, the loss falls
    assert on[4].item() < off[4].item()


def test_a_chosen_answer_farther_from_the_target_gets_less_gradient():
    # The sign rationale of the term (as R-DPO eq. 9): the chosen completion farther from L raises z, so less of the
    # gradient pushes its log-prob up.
    lw = torch.tensor([-10.0, -10.0], dtype=torch.float64, requires_grad=True)
    ll = torch.tensor([-10.0, -10.0], dtype=torch.float64)
    nw, nl = torch.tensor([40.0, 12.0], dtype=torch.float64), torch.tensor([12.0, 40.0], dtype=torch.float64)
    ones = torch.ones(2, dtype=torch.float64)
    mix = torch.tensor([1.0, 0, 0, 0, 0], dtype=torch.float64)
    loss = dpo_loss.pair_losses(lw, ll, ll, ll, nw, nl, ones, mix, _t(0.1), _t(0.0), _t(0.0), _t(0.5), _t(0.0),
                                _t(10.0), _t(0.001)).sum()
    loss.backward()
    push_far, push_near = -lw.grad[0].item(), -lw.grad[1].item()
    assert 0 < push_far < 0.05 < push_near  # 0.05 = β/2, the push at z = 0 (λ = 0)
