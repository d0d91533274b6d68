"""Float64 references for dpo4j sweep's Bayesian search, written to ``src/test/resources/golden/sweep_bayes.json``.

* ``power``: the maximum-likelihood λ of the Box–Cox / Yeo–Johnson transforms (on y / std(y), as HEBO calls
  scikit-learn's ``power_transform``) and the standardised warped values. λ is found here by a dense grid (step 1e-4
  over [-5, 5]) of the profile log-likelihood written with torch, independently of the Java code's grid + golden-section
  search; SciPy's ``boxcox_llf`` / ``yeojohnson_llf`` define that likelihood.
* ``gp``: a Matérn-5/2 ARD Gaussian process (kernel written out by hand; ``torch.linalg.cholesky`` /
  ``torch.cholesky_solve``): the posterior mean and standard deviation of the latent function at test points for fixed
  hyper-parameters, the negative log posterior (log marginal likelihood plus ``torch.distributions.Gamma`` log
  densities of BoTorch's priors) at two hyper-parameter settings, and its minimum found by L-BFGS from several starts
  (the Java side must reach a value at least as low with its Nelder–Mead).

Usage: ``tools/.venv/bin/python tools/parity/golden_sweep.py``
"""

import json
import math
from pathlib import Path

import torch

torch.set_default_dtype(torch.float64)
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src/test/resources/golden/sweep_bayes.json"
MIN_LENGTH, MAX_LENGTH, MIN_VAR, MAX_VAR = 0.01, 100.0, 1e-6, 1e3


def box_cox(y, lam):
    return torch.log(y) if abs(lam) < 1e-12 else (y**lam - 1) / lam


def yeo_johnson(y, lam):
    pos = y >= 0
    out = torch.empty_like(y)
    out[pos] = torch.log1p(y[pos]) if abs(lam) < 1e-12 else ((y[pos] + 1) ** lam - 1) / lam
    out[~pos] = -torch.log1p(-y[~pos]) if abs(lam - 2) < 1e-12 else -((1 - y[~pos]) ** (2 - lam) - 1) / (2 - lam)
    return out


def llf(s, lams, boxcox):
    """Profile log-likelihood at each λ of ``lams`` (L): −n/2·log σ̂²(λ) + (λ − 1)·Σ log-Jacobian."""
    lam = lams[:, None]  # (L, 1)
    safe = torch.where(lam.abs() < 1e-12, torch.ones_like(lam), lam)
    if boxcox:
        t = torch.where(lam.abs() < 1e-12, torch.log(s)[None, :], (s[None, :] ** safe - 1) / safe)  # (L, n)
        jac = torch.log(s).sum()
    else:
        pos = s >= 0
        safe2 = torch.where((lam - 2).abs() < 1e-12, torch.ones_like(lam), 2 - lam)
        tp = torch.where(lam.abs() < 1e-12, torch.log1p(s.abs())[None, :], ((s.abs() + 1)[None, :] ** safe - 1) / safe)
        tn = torch.where((lam - 2).abs() < 1e-12, -torch.log1p(s.abs())[None, :],
                         -((1 + s.abs())[None, :] ** safe2 - 1) / safe2)
        t = torch.where(pos[None, :], tp, tn)
        jac = (torch.sign(s) * torch.log1p(s.abs())).sum()
    var = t.var(dim=1, unbiased=False)
    out = -0.5 * len(s) * torch.log(var) + (lams - 1) * jac
    return torch.where(torch.isfinite(out) & (var > 0), out, torch.full_like(out, -math.inf))


def power_case(values, divide_by_std=True, yeo_johnson_only=False):
    y = torch.tensor(values)
    s = y / y.std(unbiased=False) if divide_by_std else y
    boxcox = bool((s > 0).all()) and not yeo_johnson_only
    grid = torch.linspace(-5, 5, 100001)  # step 1e-4, then 1e-8 around the best
    lam = float(grid[int(torch.argmax(llf(s, grid, boxcox)))])
    fine = torch.linspace(max(-5.0, lam - 2e-4), min(5.0, lam + 2e-4), 40001)
    lam = float(fine[int(torch.argmax(llf(s, fine, boxcox)))])
    t = box_cox(s, lam) if boxcox else yeo_johnson(s, lam)
    z = (t - t.mean()) / t.std(unbiased=False)
    return {"y": values, "divide_by_std": divide_by_std, "box_cox": boxcox, "lambda": lam, "warped": z.tolist()}


def matern52(a, b, lengths, outputscale):
    d = (a[:, None, :] - b[None, :, :]) / lengths
    r = torch.sqrt((d * d).sum(-1).clamp_min(1e-30))  # (the floor keeps the gradient finite at r = 0)
    return outputscale * (1 + math.sqrt(5) * r + 5 * r * r / 3) * torch.exp(-math.sqrt(5) * r)


def standardise(y):
    return (y - y.mean()) / y.std(unbiased=False)


def neg_log_posterior(x, ys, lengths, outputscale, noise):
    n = len(ys)
    k = matern52(x, x, lengths, outputscale) + noise * torch.eye(n)
    chol = torch.linalg.cholesky(k)
    alpha = torch.cholesky_solve(ys[:, None], chol)[:, 0]
    log_ml = -0.5 * ys @ alpha - torch.log(torch.diagonal(chol)).sum() - 0.5 * n * math.log(2 * math.pi)
    prior = (torch.distributions.Gamma(3.0, 6.0).log_prob(lengths).sum()
             + torch.distributions.Gamma(2.0, 0.15).log_prob(outputscale)
             + torch.distributions.Gamma(1.1, 0.05).log_prob(noise))
    return -(log_ml + prior)


def posterior(x, y, lengths, outputscale, noise, test):
    ys = standardise(y)
    mean, scale = y.mean(), y.std(unbiased=False)
    k = matern52(x, x, lengths, outputscale) + noise * torch.eye(len(y))
    chol = torch.linalg.cholesky(k)
    ks = matern52(x, test, lengths, outputscale)  # (n, m)
    mu = ks.T @ torch.cholesky_solve(ys[:, None], chol)[:, 0]
    v = torch.linalg.solve_triangular(chol, ks, upper=False)
    var = outputscale - (v * v).sum(0)
    return (mean + scale * mu).tolist(), (scale * var.clamp_min(1e-12).sqrt()).tolist()


def map_fit(x, ys):
    d = x.shape[1]
    lo = torch.tensor([math.log(MIN_LENGTH)] * d + [math.log(MIN_VAR)] * 2)
    hi = torch.tensor([math.log(MAX_LENGTH)] * d + [math.log(MAX_VAR)] * 2)
    best = math.inf
    for start_l in (1 / 3, 0.1, 1.0, 0.03, 3.0):
        for start_noise in (1e-2, 1e-4, 0.3):
            theta = torch.tensor([math.log(start_l)] * d + [0.0, math.log(start_noise)], requires_grad=True)
            opt = torch.optim.LBFGS([theta], max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-14,
                                    line_search_fn="strong_wolfe")

            def closure():
                opt.zero_grad()
                t = torch.max(torch.min(theta, hi), lo)
                v = neg_log_posterior(x, ys, torch.exp(t[:d]), torch.exp(t[d]), torch.exp(t[d + 1]))
                v.backward()
                return v

            opt.step(closure)
            with torch.no_grad():
                t = torch.max(torch.min(theta, hi), lo)
                v = float(neg_log_posterior(x, ys, torch.exp(t[:d]), torch.exp(t[d]), torch.exp(t[d + 1])))
            if v < best:
                best = v
    return best


def gp_case(name, x, y, lengths, outputscale, noise, test, theta2):
    x, y, test = torch.tensor(x), torch.tensor(y), torch.tensor(test)
    d = x.shape[1]
    ys = standardise(y)
    mu, sd = posterior(x, y, torch.tensor(lengths), torch.tensor(outputscale), torch.tensor(noise), test)

    def nlp(lengths_, outputscale_, noise_):
        return float(neg_log_posterior(x, ys, torch.tensor(lengths_), torch.tensor(outputscale_),
                                       torch.tensor(noise_)))

    return {
        "name": name, "x": x.tolist(), "y": y.tolist(), "lengths": lengths, "output_scale": outputscale,
        "noise": noise, "test": test.tolist(), "mean": mu, "sd": sd,
        "neg_log_posterior": nlp(lengths, outputscale, noise),
        "lengths2": theta2[0], "output_scale2": theta2[1], "noise2": theta2[2],
        "neg_log_posterior2": nlp(*theta2),
        "map_neg_log_posterior": map_fit(x, ys), "dims": d,
    }


def branin(u):
    x1, x2 = -5 + 15 * u[0], 15 * u[1]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def main():
    gen = torch.Generator().manual_seed(20240611)
    power = [
        # scikit-learn's PowerTransformer / power_transform examples: Yeo-Johnson λ ≈ 1.386 and -3.100, Box-Cox
        # values ≈ (-1.332, 0.256, 1.076) and (-0.707, -0.707, 1.414)
        power_case([1.0, 3.0, 4.0], divide_by_std=False, yeo_johnson_only=True),
        power_case([2.0, 2.0, 5.0], divide_by_std=False, yeo_johnson_only=True),
        power_case([1.0, 3.0, 4.0], divide_by_std=False),
        power_case([2.0, 2.0, 5.0], divide_by_std=False),
        power_case([0.172, 0.181, 0.205, 0.233, 0.31, 0.45, 0.52, 0.69, 0.69, 2.5]),  # eval losses, one diverged
        power_case([0.40, 1.3, 5.2, 17.0, 24.0, 55.0, 102.0, 145.0, 250.0, 308.0]),  # Branin-like long tail
        power_case([-3.86, -3.2, -2.5, -1.0, -0.3, -0.05, -0.001, -0.2]),  # Hartmann-like, all negative
        power_case([-1.03, -0.2, 0.4, 2.1, 5.0, 30.0, 160.0]),  # mixed signs
    ]
    x2 = torch.rand(9, 2, generator=gen)
    y2 = torch.tensor([branin(p) for p in x2.tolist()])
    x3 = torch.rand(12, 3, generator=gen)
    y3 = torch.sin(6 * x3[:, 0]) + (x3[:, 1] - 0.3) ** 2 + 0.1 * torch.randn(12, generator=gen)
    t2 = torch.rand(5, 2, generator=gen)
    t3 = torch.rand(5, 3, generator=gen)
    gp = [
        gp_case("branin-9", x2.tolist(), y2.tolist(), [0.3, 0.5], 1.7, 1e-3, t2.tolist(), ([0.1, 0.2], 0.8, 0.05)),
        gp_case("noisy-3d-12", x3.tolist(), y3.tolist(), [0.25, 0.6, 2.0], 1.2, 0.05, t3.tolist(),
                ([1.0, 1.0, 1.0], 3.0, 1e-4)),
    ]
    OUT.write_text(json.dumps({
        "description": "tools/parity/golden_sweep.py: float64 torch references of the sweep's power transform and "
                       "Gaussian process",
        "power": power, "gp": gp}, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
