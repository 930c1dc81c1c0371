"""Structural alternatives for the blockade tail: one name → one linear PK system (+ binding mode).

Every variant shares the regimen/superposition machinery (`ldn.model.superposition`) because each
is a linear system dx/dt = A x with the same four outputs as `ldn.model.pk` (plasma naltrexone,
plasma 6β-naltrexol, brain naltrexone, brain 6β-naltrexol, all ng/mL):

- `metabolite_tail` (c) — the base structure of `ldn.model.pk` (parent with a slow deep
  compartment, two-compartment 6β-naltrexol, effect compartments); in the fit its 6β-naltrexol
  clearance is bounded below by the measured renal clearance (Meyer 1984, 283 mL/min) and its
  terminal half-life is held to the urinary data (Cone 1974).  Binding at equilibrium.
- `brain_retention` (b) — the same plus a slowly exchanging brain pool for each ligand: the
  receptor-facing brain concentration C_e exchanges with a retained pool R (rates k_ret, k_rel,
  the same for both ligands), so drug that entered the brain leaves it slowly:
      dC_e/dt = ke0·(C_p − C_e) − k_ret·C_e + k_rel·R,    dR/dt = k_ret·C_e − k_rel·R.
  Binding at equilibrium.
- `binding_kinetics` (a) — the base PK, but receptor binding is not at equilibrium: both ligands
  associate and dissociate with a common dissociation rate k_off (association k_off/K_d), see
  `ldn.model.binding_kinetics`.  The PK system is the base one.

The model core stays pure: values come from the caller (`ldn.pk_fits` reads the fitted sets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from ldn.errors import InputError
from ldn.model.pk import NOL_E, NTX_E, STATE_NAMES, LinearSystem, PKParams, linear_system
from ldn.types import FloatLike


@dataclass(frozen=True)
class PKModelSpec:
    """A structural variant: its name, extra parameters and whether binding is kinetic."""

    name: str
    title: str
    extra_params: tuple[str, ...]
    kinetic_binding: bool


MODELS: Final = {
    "metabolite_tail": PKModelSpec(
        "metabolite_tail",
        "(c) metabolite tail, 6β-naltrexol CL ≥ renal CL, equilibrium binding",
        (),
        False,
    ),
    "brain_retention": PKModelSpec(
        "brain_retention",
        "(b) slow brain retention/efflux of naltrexone and 6β-naltrexol",
        ("k_ret_per_h", "k_rel_per_h"),
        False,
    ),
    "binding_kinetics": PKModelSpec(
        "binding_kinetics",
        "(a) slow receptor binding kinetics (k_on/k_off) at the brain site",
        ("koff_per_h",),
        True,
    ),
}
MODEL_NAMES: Final = tuple(MODELS)


def get_model(name: str) -> PKModelSpec:
    """The variant called `name`; InputError listing the choices otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise InputError(
            f"unknown PK model {name!r}; choose one of {', '.join(MODEL_NAMES)}"
        ) from None


def check_extra(spec: PKModelSpec, extra: Mapping[str, FloatLike]) -> None:
    """InputError if `extra` lacks a parameter the variant needs or has one it does not use."""
    missing = [k for k in spec.extra_params if k not in extra]
    unknown = [k for k in extra if k not in spec.extra_params]
    if missing or unknown:
        raise InputError(
            f"PK model {spec.name}: missing parameters {missing}, unknown parameters {unknown}"
        )
    for k in spec.extra_params:
        v = np.asarray(extra[k], dtype=float)
        if not np.all(np.isfinite(v) & (v > 0)):
            raise InputError(f"PK model {spec.name}: {k} must be finite and > 0, got {v}")


def model_system(
    name: str, p: PKParams, extra: Mapping[str, FloatLike] | None = None
) -> LinearSystem:
    """Linear PK system of variant `name` (outputs as `ldn.model.pk.OUTPUT_NAMES`)."""
    spec = get_model(name)
    extra = {} if extra is None else extra
    check_extra(spec, extra)
    base = linear_system(p)
    if spec.name != "brain_retention":
        return base
    return _with_brain_pools(base, extra["k_ret_per_h"], extra["k_rel_per_h"])


def _with_brain_pools(base: LinearSystem, k_ret: FloatLike, k_rel: FloatLike) -> LinearSystem:
    """Append retained brain pools (ntx_r, nol_r) exchanging with the effect states."""
    n = base.a.shape[-1]
    lead = base.a.shape[:-2]
    kr = np.broadcast_to(np.asarray(k_ret, dtype=float), lead)
    kl = np.broadcast_to(np.asarray(k_rel, dtype=float), lead)
    a = np.zeros((*lead, n + 2, n + 2))
    a[..., :n, :n] = base.a
    for e, r in ((NTX_E, n), (NOL_E, n + 1)):
        a[..., e, e] -= kr
        a[..., e, r] = kl
        a[..., r, e] = kr
        a[..., r, r] = -kl
    b = np.zeros((*lead, n + 2))
    b[..., :n] = base.b
    c = np.zeros((*base.c.shape[:-1], n + 2))
    c[..., :n] = base.c
    return LinearSystem(a=a, b=b, c=c, state_names=(*STATE_NAMES, "ntx_r", "nol_r"))
