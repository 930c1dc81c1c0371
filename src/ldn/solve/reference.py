"""SciPy ODE reference for the linear PK: an independent check of the closed form.

Integrates dx/dt = A x with `scipy.integrate.solve_ivp` (DOP853, rtol 1e-12) between doses and
applies each dose as a jump x += D·b.  A steady-state first dose starts from
x_ss = (I − e^{Aτ})⁻¹ e^{Aτ} b D_ss, the state just before a dose after infinitely many doses
every τ, computed with `scipy.linalg.expm` (a different route from the eigendecomposition used
by the closed form).  One patient at a time;
used in tests, not in production paths.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ldn.model.pk import LinearSystem
from ldn.model.superposition import EventsLike

FloatArray = npt.NDArray[np.float64]


def ode_response(
    system: LinearSystem,
    events: EventsLike,
    t_h: FloatArray,
    *,
    method: str = "DOP853",
    rtol: float = 1e-12,
    atol: float = 1e-14,
) -> FloatArray:
    """Outputs (n_outputs, n_t) at times t_h by numerical integration with dose jumps."""
    from scipy.integrate import solve_ivp
    from scipy.linalg import expm

    a, b, c = system.a, system.b, system.c
    if a.ndim != 2:
        raise ValueError("ode_response handles one patient (2-D state matrix) at a time")
    t_h = np.asarray(t_h, dtype=float)
    t_d = np.asarray(events.t_h, dtype=float)
    d = np.asarray(events.dose_mg, dtype=float)
    n_s = a.shape[0]
    x = np.zeros(n_s)
    t_now = min(float(t_h.min()), float(t_d[0]) if t_d.size else 0.0)
    ss = events.steady_state
    if ss is not None and t_d.size:
        e_tau = expm(a * ss.tau_h)
        x_pre = np.linalg.solve(np.eye(n_s) - e_tau, e_tau @ b) * ss.dose_mg  # just before t0
        if t_now < t_d[0]:
            # go back to the latest past dose at or before t_now and start from its post-dose state
            m = max(1.0, np.ceil((t_d[0] - t_now) / ss.tau_h - 1e-12))
            t_now = float(t_d[0] - m * ss.tau_h)
            x = x_pre + b * ss.dose_mg
            past = t_d[0] - ss.tau_h * np.arange(m - 1, 0, -1)  # remaining past doses
            t_d = np.concatenate([past, t_d])
            d = np.concatenate([np.full(past.size, ss.dose_mg), d])
        else:
            x = x_pre
            t_now = float(t_d[0])

    def rhs(_t: float, y: FloatArray) -> FloatArray:
        return a @ y

    # explicit 8th-order Dormand–Prince is accurate and fast here (the system is mildly stiff);
    # implicit methods get the exact Jacobian
    extra = {"jac": a} if method in ("Radau", "BDF", "LSODA") else {}

    out = np.zeros((c.shape[0], t_h.size))
    t_end = float(t_h.max())
    for k in range(t_d.size + 1):
        t_next = float(t_d[k]) if k < t_d.size else np.inf
        mask = (t_h >= t_now) & (t_h < t_next)
        stop = min(t_next, t_end)
        if stop > t_now:
            sol = solve_ivp(
                rhs,
                (t_now, stop),
                x,
                method=method,
                rtol=rtol,
                atol=atol,
                t_eval=np.unique(np.concatenate([t_h[mask], [stop]])),
                **extra,
            )
            if not sol.success:
                raise RuntimeError(sol.message)
            at = np.searchsorted(sol.t, t_h[mask])
            out[:, mask] = c @ sol.y[:, at]
            x = sol.y[:, -1]
        else:
            out[:, mask] = (c @ x)[:, None]
        if k == t_d.size:
            break
        if t_next > t_end:
            # later doses do not affect the requested times
            break
        x = x + b * d[k]
        t_now = t_next
    return out
