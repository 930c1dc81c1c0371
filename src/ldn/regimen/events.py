"""`DoseEvents`: the materialised dose list the PK engine consumes.

The model core trusts this object: its constructor checks the invariants (times finite and
strictly increasing, doses finite and > 0) and raises `ValueError` on a programming error. User
input is validated earlier, by the regimen builders and readers, which raise `InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ldn.types import FloatArray


@dataclass(frozen=True, slots=True)
class SteadyState:
    """The first event follows infinitely many doses of `dose_mg` every `tau_h` (NONMEM SS=1).

    The first event itself is the last dose of that history: at its time the body holds the
    steady-state trough plus the new dose.
    """

    dose_mg: float
    tau_h: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.dose_mg) and self.dose_mg > 0):
            raise ValueError(f"SteadyState.dose_mg must be finite and > 0, got {self.dose_mg!r}")
        if not (np.isfinite(self.tau_h) and self.tau_h > 0):
            raise ValueError(f"SteadyState.tau_h must be finite and > 0, got {self.tau_h!r}")


def _frozen_array(values: object, name: str) -> FloatArray:
    array = np.array(values, dtype=np.float64, copy=True)
    if array.ndim != 1:
        raise ValueError(f"DoseEvents.{name} must be one-dimensional, got shape {array.shape}")
    array.setflags(write=False)
    return array


@dataclass(frozen=True, slots=True, eq=False)
class DoseEvents:
    """Doses `dose_mg[i]` (mg naltrexone HCl) at times `t_h[i]` (h; strictly increasing).

    `steady_state`, when set, means the first dose is given at steady state (see `SteadyState`).
    The arrays are read-only copies.
    """

    t_h: FloatArray
    dose_mg: FloatArray
    steady_state: SteadyState | None = None

    if TYPE_CHECKING:  # the generated __init__ takes any array-like and stores float64 arrays

        def __init__(
            self, t_h: ArrayLike, dose_mg: ArrayLike, steady_state: SteadyState | None = None
        ) -> None: ...

    def __post_init__(self) -> None:
        t_h = _frozen_array(self.t_h, "t_h")
        dose_mg = _frozen_array(self.dose_mg, "dose_mg")
        if t_h.shape != dose_mg.shape:
            raise ValueError(
                f"DoseEvents: t_h has {t_h.size} entries but dose_mg has {dose_mg.size}"
            )
        if not np.all(np.isfinite(t_h)):
            raise ValueError("DoseEvents.t_h must be finite")
        if t_h.size > 1 and not np.all(np.diff(t_h) > 0):
            raise ValueError("DoseEvents.t_h must be strictly increasing")
        if not np.all(np.isfinite(dose_mg) & (dose_mg > 0)):
            raise ValueError("DoseEvents.dose_mg must be finite and > 0")
        if self.steady_state is not None and t_h.size == 0:
            raise ValueError("DoseEvents.steady_state needs at least one event")
        object.__setattr__(self, "t_h", t_h)
        object.__setattr__(self, "dose_mg", dose_mg)

    def __len__(self) -> int:
        return int(self.t_h.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DoseEvents):
            return NotImplemented
        return (
            np.array_equal(self.t_h, other.t_h)
            and np.array_equal(self.dose_mg, other.dose_mg)
            and self.steady_state == other.steady_state
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking arrays: not hashable

    def __reduce__(self) -> tuple[type[DoseEvents], tuple[object, ...]]:
        # Rebuild through the constructor so unpickled arrays are checked and read-only again.
        return (DoseEvents, (self.t_h, self.dose_mg, self.steady_state))

    @property
    def total_mg(self) -> float:
        """Sum of the listed doses (mg); a steady-state history before them is not counted."""
        return float(self.dose_mg.sum())

    def window(self, t0_h: float, t1_h: float) -> DoseEvents:
        """The doses with `t0_h <= t_h < t1_h`; the steady-state flag stays only with the first."""
        keep = (self.t_h >= t0_h) & (self.t_h < t1_h)
        first_kept = bool(keep[0]) if keep.size else False
        return DoseEvents(
            t_h=self.t_h[keep],
            dose_mg=self.dose_mg[keep],
            steady_state=self.steady_state if first_kept else None,
        )
