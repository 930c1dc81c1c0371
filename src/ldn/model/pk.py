"""Linear pharmacokinetics of oral naltrexone and its active metabolite 6β-naltrexol.

The model is a linear, time-invariant compartmental system  dx/dt = A x,  a dose of D mg adds
D·b to the state, and the outputs are y = C x.  States (amounts in mg unless stated):

    0 gut        depot; absorbed with rate ka
    1 ntx_c      naltrexone, central volume V_c
    2 ntx_deep   naltrexone, slowly exchanging deep tissue (V_deep, Q_deep): 96 h terminal phase
    3 nol_c      6β-naltrexol, central volume V_m
    4 nol_p      6β-naltrexol, peripheral volume (V_mp, Q_m)
    5 ntx_e      naltrexone effect-site (brain) concentration, ng/mL plasma-equivalent (ke0)
    6 nol_e      6β-naltrexol effect-site concentration, ng/mL plasma-equivalent (ke0_m)

Absorption splits the absorbed fraction `fa` of the gut flux into systemic parent (fraction `f_sys`
of the dose reaches plasma as naltrexone) and first-pass metabolism (the rest of the absorbed flux);
a fraction `fm` of all naltrexone metabolism (first pass and systemic) forms 6β-naltrexol.

    d gut/dt      = -ka·gut
    d ntx_c/dt    =  f_sys·ka·gut − (CL + Q_deep)/V_c·ntx_c + Q_deep/V_deep·ntx_deep
    d ntx_deep/dt =  Q_deep/V_c·ntx_c − Q_deep/V_deep·ntx_deep
    d nol_c/dt    =  fm·(fa − f_sys)·ka·gut + fm·CL/V_c·ntx_c − (CL_m + Q_m)/V_m·nol_c
                     + Q_m/V_mp·nol_p
    d nol_p/dt    =  Q_m/V_m·nol_c − Q_m/V_mp·nol_p
    d ntx_e/dt    =  ke0·(C_ntx − ntx_e),   C_ntx = 1000·ntx_c/V_c   (ng/mL)
    d nol_e/dt    =  ke0_m·(C_nol − nol_e), C_nol = 1000·nol_c/V_m   (ng/mL)

Outputs (ng/mL): plasma naltrexone, plasma 6β-naltrexol, effect-site naltrexone, effect-site
6β-naltrexol.  Every parameter may be a float or an array of shape (n_patients,); matrices then
carry a leading patient axis.  Values and sources: `src/ldn/data/parameters.toml` (group `pk`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

import numpy as np

from ldn.errors import InputError
from ldn.parameters import ParameterSet, group_values
from ldn.types import FloatArray, FloatLike
from ldn.units import mg_per_l_to_ng_per_ml

STATE_NAMES: Final = ("gut", "ntx_c", "ntx_deep", "nol_c", "nol_p", "ntx_e", "nol_e")
OUTPUT_NAMES: Final = (
    "naltrexone_ng_per_ml",
    "naltrexol_ng_per_ml",
    "naltrexone_effect_ng_per_ml",
    "naltrexol_effect_ng_per_ml",
)
N_STATES: Final = len(STATE_NAMES)
N_OUTPUTS: Final = len(OUTPUT_NAMES)
# Positions looked up by name: the matrices below and every reader of the outputs `y` name the
# state or output they mean (reordering a names tuple cannot silently swap them).
GUT, NTX_C, NTX_DEEP, NOL_C, NOL_P, NTX_E, NOL_E = map(STATE_NAMES.index, (
    "gut", "ntx_c", "ntx_deep", "nol_c", "nol_p", "ntx_e", "nol_e",
))  # fmt: skip
Y_NTX, Y_NOL, Y_NTX_E, Y_NOL_E = map(OUTPUT_NAMES.index, (
    "naltrexone_ng_per_ml", "naltrexol_ng_per_ml",
    "naltrexone_effect_ng_per_ml", "naltrexol_effect_ng_per_ml",
))  # fmt: skip


@dataclass(frozen=True)
class PKParams:
    """PK constants (floats or arrays of shape (n_patients,)); names carry their units."""

    ka_per_h: FloatLike
    fa: FloatLike
    f_sys: FloatLike
    fm: FloatLike
    cl_l_per_h: FloatLike
    v_c_l: FloatLike
    q_deep_l_per_h: FloatLike
    v_deep_l: FloatLike
    cl_m_l_per_h: FloatLike
    v_m_l: FloatLike
    q_m_l_per_h: FloatLike
    v_mp_l: FloatLike
    ke0_per_h: FloatLike
    ke0_m_per_h: FloatLike

    @classmethod
    def from_parameters(cls, params: ParameterSet, **overrides: FloatLike) -> PKParams:
        """Read the `pk.*` group of a `ParameterSet`; keyword overrides replace single values."""
        return cls(**group_values(params, "pk", (f.name for f in fields(cls)), overrides))  # type: ignore[arg-type]

    def batch_shape(self) -> tuple[int, ...]:
        """() when every parameter is scalar, else (n_patients,)."""
        shapes = {np.shape(getattr(self, f.name)) for f in fields(self)}
        shape = np.broadcast_shapes(*shapes)
        if len(shape) > 1:
            raise InputError(
                f"PK parameters must be scalars or 1-D arrays (n_patients,), got shape {shape}"
            )
        return shape

    def validate(self) -> None:
        """Raise InputError if a rate/volume is not positive or a fraction is outside [0, 1]."""
        for f in fields(self):
            val = np.asarray(getattr(self, f.name), dtype=float)
            if not np.all(np.isfinite(val)):
                raise InputError(f"PK parameter {f.name} must be finite, got {val}")
            if f.name in ("fa", "f_sys", "fm"):
                if np.any((val < 0) | (val > 1)):
                    raise InputError(f"PK fraction {f.name} must lie in [0, 1], got {val}")
            elif np.any(val <= 0):
                raise InputError(f"PK parameter {f.name} must be > 0, got {val}")
        if np.any(np.asarray(self.f_sys) > np.asarray(self.fa)):
            raise InputError(
                "PK parameter f_sys (fraction reaching plasma as naltrexone) cannot exceed fa "
                f"(fraction absorbed): f_sys={self.f_sys}, fa={self.fa}"
            )


@dataclass(frozen=True)
class LinearSystem:
    """dx/dt = A x; a dose D (mg) adds D·b; outputs y = C x.  Leading axes = patients."""

    a: FloatArray  # (..., n_states, n_states), 1/h
    b: FloatArray  # (..., n_states), per mg
    c: FloatArray  # (..., n_outputs, n_states)
    state_names: tuple[str, ...] = STATE_NAMES
    output_names: tuple[str, ...] = OUTPUT_NAMES


def linear_system(p: PKParams) -> LinearSystem:
    """Build the state matrix, dose input vector and output map of the PK model (see module doc)."""
    p.validate()
    shape = p.batch_shape()

    def g(name: str) -> FloatArray:
        return np.broadcast_to(np.asarray(getattr(p, name), dtype=float), shape)

    ka, fa, f_sys, fm = g("ka_per_h"), g("fa"), g("f_sys"), g("fm")
    cl, vc, qd, vd = g("cl_l_per_h"), g("v_c_l"), g("q_deep_l_per_h"), g("v_deep_l")
    clm, vm, qm, vmp = g("cl_m_l_per_h"), g("v_m_l"), g("q_m_l_per_h"), g("v_mp_l")
    ke0, ke0m = g("ke0_per_h"), g("ke0_m_per_h")
    k = float(mg_per_l_to_ng_per_ml(1.0))  # mg/L per (mg dose / L volume) → ng/mL

    a = np.zeros((*shape, N_STATES, N_STATES))
    a[..., GUT, GUT] = -ka
    a[..., NTX_C, GUT] = f_sys * ka
    a[..., NTX_C, NTX_C] = -(cl + qd) / vc
    a[..., NTX_C, NTX_DEEP] = qd / vd
    a[..., NTX_DEEP, NTX_C] = qd / vc
    a[..., NTX_DEEP, NTX_DEEP] = -qd / vd
    a[..., NOL_C, GUT] = fm * (fa - f_sys) * ka
    a[..., NOL_C, NTX_C] = fm * cl / vc
    a[..., NOL_C, NOL_C] = -(clm + qm) / vm
    a[..., NOL_C, NOL_P] = qm / vmp
    a[..., NOL_P, NOL_C] = qm / vm
    a[..., NOL_P, NOL_P] = -qm / vmp
    a[..., NTX_E, NTX_C] = ke0 * k / vc
    a[..., NTX_E, NTX_E] = -ke0
    a[..., NOL_E, NOL_C] = ke0m * k / vm
    a[..., NOL_E, NOL_E] = -ke0m

    b = np.zeros((*shape, N_STATES))
    b[..., GUT] = 1.0

    c = np.zeros((*shape, N_OUTPUTS, N_STATES))
    c[..., Y_NTX, NTX_C] = k / vc
    c[..., Y_NOL, NOL_C] = k / vm
    c[..., Y_NTX_E, NTX_E] = 1.0
    c[..., Y_NOL_E, NOL_E] = 1.0
    return LinearSystem(a=a, b=b, c=c)
