"""Element-wise comparison of ONNX Runtime results against the PyTorch goldens, with a loud failure that names
the worst element of every quantity out of tolerance."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Measured:
    quantity: str
    kind: str  # "rel" or "abs"
    tol: float
    max_err: float  # the checked error (relative or absolute)
    max_abs: float
    worst: str  # element index and values of the worst element

    @property
    def ok(self) -> bool:
        return self.max_err <= self.tol

    def line(self) -> str:
        flag = "ok  " if self.ok else "FAIL"
        return (f"{flag} {self.quantity:<42} max {self.kind} err {self.max_err:.3e} (tol {self.tol:.0e}), "
                f"max abs {self.max_abs:.3e}; worst {self.worst}")


class Parity:
    """Collects measurements for one model; ``finish`` raises if any is out of tolerance."""

    def __init__(self, model: str):
        self.model = model
        self.rows: list[Measured] = []

    def relative(self, quantity: str, got, want, tol: float, scale=None) -> Measured:
        """|got - want| / |scale| element-wise, scale defaulting to |want|."""
        g, w = _arrays(quantity, got, want)
        s = np.abs(w) if scale is None else np.abs(np.asarray(scale, dtype=np.float64)).reshape(w.shape)
        diff = np.abs(g - w)
        err = diff / np.maximum(s, np.finfo(np.float64).tiny)
        return self._add(quantity, "rel", tol, err, diff, g, w)

    def absolute(self, quantity: str, got, want, tol: float) -> Measured:
        g, w = _arrays(quantity, got, want)
        diff = np.abs(g - w)
        return self._add(quantity, "abs", tol, diff, diff, g, w)

    def _add(self, quantity, kind, tol, err, diff, g, w) -> Measured:
        if err.size == 0:
            raise ValueError(f"{self.model} {quantity}: nothing to compare")
        i = int(np.argmax(err))
        idx = np.unravel_index(i, err.shape) if err.ndim else ()
        worst = f"[{','.join(map(str, idx))}] ort={g.flat[i]!r} torch={w.flat[i]!r}"
        m = Measured(quantity, kind, tol, float(err.max()), float(diff.max()), worst)
        self.rows.append(m)
        print(f"  {self.model}: {m.line()}", flush=True)
        return m

    def summary(self) -> dict:
        return {m.quantity: {"check": m.kind, "tolerance": m.tol, "max_err": m.max_err, "max_abs": m.max_abs}
                for m in self.rows}

    def finish(self) -> None:
        bad = [m for m in self.rows if not m.ok]
        if bad:
            lines = "\n".join(f"  {m.line()}" for m in bad)
            raise SystemExit(f"golden parity FAILED for {self.model} ({len(bad)} quantities):\n{lines}")


def _arrays(quantity, got, want):
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    if g.shape != w.shape:
        raise SystemExit(f"golden parity: {quantity}: expected shape {w.shape} (torch), found {g.shape} (ort)")
    return g, w
