"""Exact closed-form exposure of a dosing regimen for a linear PK system.

The unit impulse response of dx/dt = A x, x(0+) = b, observed through C, is
    h(t) = C·expm(A t)·b = Σ_i coef_i · exp(λ_i t),   coef = (C V) · diag(V⁻¹ b),
with A = V diag(λ) V⁻¹ (eigendecomposition; eigenvalues real and negative for a compartmental
matrix with elimination).  A regimen's response is the superposition Σ_d D_d h(t − t_d) over
doses with t_d <= t.  Rather than materialising the (doses × times) matrix we keep, for each
mode i, its amplitude just after each dose,  a_i,k = a_i,k−1 · exp(λ_i (t_k − t_k−1)) + D_k,
and evaluate  z_i(t) = a_i,j · exp(λ_i (t − t_j))  with j the last dose at or before t.  This is
the same sum, term for term (exp(λ(t−t_j))·exp(λ(t_j−t_d)) = exp(λ(t−t_d))), but needs memory
(patients × modes × times) instead of (patients × modes × doses × times).

A steady-state first dose (NONMEM SS=1: doses of D_ss every τ before t_0) adds, for t >= t_0,
D_ss · exp(λ(t − t_0)) · r/(1 − r) with r = exp(λ τ) (geometric series), and for t < t_0 the
tail of the same series starting at the first past dose at or before t.

If the eigenvector matrix is ill-conditioned (near-equal eigenvalues, e.g. ka ≈ ke0), the
closed form loses accuracy; those patients fall back to the same recursion evaluated with the
matrix exponential (`scipy.linalg.expm`), which is exact for any A.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, Protocol

import numpy as np

from ldn.model.pk import LinearSystem
from ldn.types import BoolArray, FloatArray

# Above this condition number of the eigenvector matrix the eigen route is not trusted.
_MAX_COND: Final = 1e8
# Imaginary parts of eigenvalues below this (relative) are rounding noise of real spectra.
_MAX_IMAG_REL: Final = 1e-9
# Elements of the modal intermediate evaluated at once (memory ~ 8 bytes each, several copies).
_CHUNK_ELEMENTS: Final = 4_000_000


class SteadyStateLike(Protocol):
    @property
    def dose_mg(self) -> float: ...

    @property
    def tau_h(self) -> float: ...


class EventsLike(Protocol):
    @property
    def t_h(self) -> FloatArray: ...

    @property
    def dose_mg(self) -> FloatArray: ...

    @property
    def steady_state(self) -> SteadyStateLike | None: ...


@dataclass(frozen=True)
class Modes:
    """Modal form of a linear system: eigenvalues (1/h) and output coefficients per mode."""

    lam: FloatArray  # (..., n_states)
    coef: FloatArray  # (..., n_outputs, n_states); output per mg
    ok: BoolArray  # (...,) True where the eigen route is well-conditioned


def modes(system: LinearSystem) -> Modes:
    """Eigendecomposition of A → unit impulse response h(t) = Σ coef_i exp(λ_i t) per output."""
    lam_c, vec = np.linalg.eig(system.a)
    scale = np.max(np.abs(lam_c), axis=-1, keepdims=True)
    real_ok = np.all(np.abs(lam_c.imag) <= _MAX_IMAG_REL * scale, axis=-1)
    cond = np.linalg.cond(vec)
    ok = real_ok & np.isfinite(cond) & (cond < _MAX_COND)
    lam = lam_c.real
    vec_r = vec.real
    # Where not ok, substitute the identity so the solve below stays finite; those patients are
    # recomputed by the expm fallback.
    eye = np.broadcast_to(np.eye(vec.shape[-1]), vec_r.shape)
    vec_r = np.where(ok[..., None, None], vec_r, eye)
    lam = np.where(ok[..., None], lam, -1.0)
    w = np.linalg.solve(vec_r, system.b[..., None])[..., 0]  # V⁻¹ b
    coef = (system.c @ vec_r) * w[..., None, :]
    return Modes(lam=lam, coef=coef, ok=np.asarray(ok))


def _as_events(events: EventsLike) -> tuple[FloatArray, FloatArray, tuple[float, float] | None]:
    t_d = np.asarray(events.t_h, dtype=float)
    d = np.asarray(events.dose_mg, dtype=float)
    ss = events.steady_state
    ss_t = None if ss is None else (float(ss.dose_mg), float(ss.tau_h))
    return t_d, d, ss_t


def post_dose_amplitudes(
    lam: FloatArray,
    t_dose_h: FloatArray,
    dose_mg: FloatArray,
    steady_state: tuple[float, float] | None = None,
) -> FloatArray:
    """Modal amplitude just after each dose, a_k = a_{k−1}·exp(λ(t_k − t_{k−1})) + D_k.

    Shape (..., n_modes, max(n_doses, 1)); a steady-state history enters a_0 through the
    geometric series Σ_{k>=1} D_ss exp(λ k τ) = D_ss r/(1 − r), r = exp(λτ).
    """
    n_d = t_dose_h.size
    amp = np.zeros((*lam.shape, max(n_d, 1)))
    prev_t = t_dose_h[0] if n_d else 0.0
    carry = np.zeros(lam.shape)
    if steady_state is not None and n_d:
        d_ss, tau = steady_state
        carry = d_ss * np.exp(lam * tau) / -np.expm1(lam * tau)
    for k in range(n_d):
        carry = carry * np.exp(lam * (t_dose_h[k] - prev_t)) + dose_mg[k]
        amp[..., k] = carry
        prev_t = t_dose_h[k]
    return amp


def modal_amplitudes(
    lam: FloatArray,
    t_dose_h: FloatArray,
    dose_mg: FloatArray,
    t_h: FloatArray,
    steady_state: tuple[float, float] | None = None,
    *,
    left: bool = False,
    amp: FloatArray | None = None,
) -> FloatArray:
    """z_i(t) = Σ_d D_d exp(λ_i (t − t_d)) [t_d <= t] (+ steady-state history); (..., n_modes, n_t).

    `left=True` gives left limits (a dose at exactly t is not yet counted): pre-dose troughs.
    `amp` may pass precomputed `post_dose_amplitudes` (when evaluating in time chunks).
    """
    lam_e = lam[..., None]  # (..., n_modes, 1)
    n_d = t_dose_h.size
    t_h = np.asarray(t_h, dtype=float)
    if amp is None:
        amp = post_dose_amplitudes(lam, t_dose_h, dose_mg, steady_state)
    side: Literal["left", "right"] = "left" if left else "right"
    j = np.searchsorted(t_dose_h, t_h, side=side) - 1  # last dose at/before t
    jj = np.clip(j, 0, None)
    t_last = t_dose_h[jj] if n_d else np.zeros_like(t_h)
    # times before the first dose get lag 0 here (finite) and are overwritten below
    z = amp[..., jj] * np.exp(lam_e * np.maximum(t_h - t_last, 0.0))
    before = j < 0
    if np.any(before):
        if steady_state is not None and n_d:
            d_ss, tau = steady_state
            t0 = t_dose_h[0]
            tb = t_h[before]
            m = np.maximum(1.0, np.ceil((t0 - tb) / tau - 1e-12))
            # Σ_{k>=m} D exp(λ (t − t0 + kτ)) = D exp(λ (t − t0 + mτ)) / (1 − exp(λτ))
            z[..., before] = d_ss * np.exp(lam_e * (tb - t0 + m * tau)) / -np.expm1(lam_e * tau)
        else:
            z[..., before] = 0.0
    return z


def _expm_response(
    system_a: FloatArray,
    system_b: FloatArray,
    system_c: FloatArray,
    t_dose_h: FloatArray,
    dose_mg: FloatArray,
    t_h: FloatArray,
    steady_state: tuple[float, float] | None,
    left: bool,
) -> FloatArray:
    """Fallback for one patient: state recursion with the matrix exponential. (n_out, n_t)."""
    from scipy.linalg import expm

    n_s = system_a.shape[-1]
    x = np.zeros(n_s)
    x_after = np.zeros((max(t_dose_h.size, 1), n_s))
    prev = t_dose_h[0] if t_dose_h.size else 0.0
    if steady_state is not None and t_dose_h.size:
        d_ss, tau = steady_state
        e_tau = expm(system_a * tau)
        x = np.linalg.solve(np.eye(n_s) - e_tau, e_tau @ system_b) * d_ss
    for k in range(t_dose_h.size):
        x = expm(system_a * (t_dose_h[k] - prev)) @ x + system_b * dose_mg[k]
        x_after[k] = x
        prev = t_dose_h[k]
    j = np.searchsorted(t_dose_h, t_h, side="left" if left else "right") - 1
    out = np.zeros((system_c.shape[-2], t_h.size))
    for n, (tj, jn) in enumerate(zip(t_h, j, strict=True)):
        if jn >= 0:
            x_t = expm(system_a * (tj - t_dose_h[jn])) @ x_after[jn]
        elif steady_state is not None and t_dose_h.size:
            d_ss, tau = steady_state
            m = max(1.0, np.ceil((t_dose_h[0] - tj) / tau - 1e-12))
            e_tau = expm(system_a * tau)
            x_t = (
                expm(system_a * (tj - t_dose_h[0] + m * tau))
                @ np.linalg.solve(np.eye(n_s) - e_tau, system_b)
                * d_ss
            )
        else:
            x_t = np.zeros(n_s)
        out[:, n] = system_c @ x_t
    return out


def regimen_response(
    system: LinearSystem, events: EventsLike, t_h: FloatArray, *, left: bool = False
) -> FloatArray:
    """Outputs of the system for a dosing history at times t_h: (..., n_outputs, n_t).

    Exact closed form (sum of exponentials, superposed over doses); `left=True` returns left
    limits (pre-dose values at dose times).
    """
    t_d, d, ss = _as_events(events)
    t_h = np.atleast_1d(np.asarray(t_h, dtype=float))
    md = modes(system)
    # time chunks bound the memory of the (patients × modes × times) intermediate
    n_rows = int(np.prod(md.lam.shape))
    chunk = max(256, _CHUNK_ELEMENTS // max(n_rows, 1))
    amp = post_dose_amplitudes(md.lam, t_d, d, ss)
    parts = [
        np.einsum(
            "...os,...st->...ot",
            md.coef,
            modal_amplitudes(md.lam, t_d, d, t_h[i : i + chunk], ss, left=left, amp=amp),
        )
        for i in range(0, t_h.size, chunk)
    ]
    y = np.concatenate(parts, axis=-1) if parts else np.zeros((*md.coef.shape[:-1], 0))
    if not np.all(md.ok):
        bad = np.argwhere(~np.atleast_1d(md.ok))
        for idx in bad:
            key = tuple(idx) if md.ok.ndim else ()
            y[key] = _expm_response(
                system.a[key], system.b[key], system.c[key], t_d, d, t_h, ss, left
            )
    return y


def regimen_auc(
    system: LinearSystem, events: EventsLike, t_start_h: float, t_end_h: float
) -> FloatArray:
    """Exact ∫ y dt over [t_start_h, t_end_h] for every output: (..., n_outputs).

    Splits the window at dose times; on each piece a mode decays as a single exponential, so
    ∫_s^e z dt = z(s+)·(exp(λ(e−s)) − 1)/λ.  Uses the eigen route (patients needing the expm
    fallback are integrated with a fine Simpson rule instead).
    """
    t_d, d, ss = _as_events(events)
    inner = t_d[(t_d > t_start_h) & (t_d < t_end_h)]
    edges = np.concatenate([[t_start_h], inner, [t_end_h]])
    starts, widths = edges[:-1], np.diff(edges)
    md = modes(system)
    z0 = modal_amplitudes(md.lam, t_d, d, starts, ss)  # right limits
    lam_e = md.lam[..., None]
    integ = z0 * np.expm1(lam_e * widths) / lam_e
    auc = np.einsum("...os,...s->...o", md.coef, integ.sum(axis=-1))
    if not np.all(md.ok):
        from scipy.integrate import simpson

        grid = np.linspace(t_start_h, t_end_h, 20001)
        y = regimen_response(system, events, grid)
        auc = np.where(md.ok[..., None], auc, simpson(y, x=grid, axis=-1))
    return np.asarray(auc, dtype=np.float64)
