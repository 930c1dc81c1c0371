"""The chain's parameter vector: kernel names, parameter-file names and units.

`ldn.model.chain` (which re-exports all of this) reads the vector by these names;
`parameter_matrix` builds it for many patients from a `ParameterSet`, `scale_parameters` the
observation model of a condition's scales. Kernel times are hours, file times days or weeks.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from ldn.errors import InputError
from ldn.model.disease import ScaleParams, get_condition
from ldn.model.disease.base import H_PER_WEEK
from ldn.parameters import ParameterSet
from ldn.types import FloatArray
from ldn.units import H_PER_DAY

# (kernel name, parameter file name, factor from file unit to kernel unit). Kernel times are hours.
_PARAM_SPEC: Final[tuple[tuple[str, str, float], ...]] = (
    ("be_amplitude", "rebound.be_circadian_amplitude", 1.0),
    ("be_acrophase_h", "rebound.be_acrophase_h", 1.0),
    ("mor_gain", "rebound.mor_upregulation", 1.0),
    ("ogfr_gain", "rebound.ogfr_upregulation", 1.0),
    ("be_gain", "rebound.be_production_upregulation", 1.0),
    ("ogf_gain", "rebound.ogf_production_upregulation", 1.0),
    ("receptor_tau_up_h", "rebound.receptor_tau_up_d", H_PER_DAY),
    ("receptor_tau_down_h", "rebound.receptor_tau_down_d", H_PER_DAY),
    ("ligand_tau_up_h", "rebound.ligand_tau_up_d", H_PER_DAY),
    ("ligand_tau_down_h", "rebound.ligand_tau_down_d", H_PER_DAY),
    ("ogfr_affinity_rel", "rebound.ogfr_affinity_rel", 1.0),
    ("mor_weight", "rebound.mor_signalling_weight", 1.0),
    ("prolif_emax", "immune.proliferation_emax", 1.0),
    ("prolif_s50", "immune.proliferation_s50_rel", 1.0),
    ("lymph_tau_h", "immune.lymphocyte_tau_d", H_PER_DAY),
    ("cytokine_gamma", "immune.cytokine_gamma", 1.0),
    ("cytokine_tau_h", "immune.cytokine_tau_d", H_PER_DAY),
    ("tlr4_emax", "immune.tlr4_emax", 1.0),
    ("tlr4_ic50_nM", "immune.tlr4_ic50_nM", 1.0),
    ("effect_gain", "{prefix}.effect_gain", 1.0),
    ("disease_tau_h", "{prefix}.tau_weeks", H_PER_WEEK),
    ("activity_max", "disease.activity_max_rel", 1.0),
)
PARAM_NAMES: Final = tuple(s[0] for s in _PARAM_SPEC)
N_PARAMS: Final = len(PARAM_NAMES)
# The rebound's four upregulation gains: kernel names (the family laws read them), and file
# names (freed by calibration, scaled together by rebound.gain_scale).
GAIN_NAMES: Final = ("mor_gain", "ogfr_gain", "be_gain", "ogf_gain")
UPREGULATION_GAINS: Final = tuple(_PARAM_SPEC[PARAM_NAMES.index(n)][1] for n in GAIN_NAMES)


def file_parameter_names(condition: str) -> tuple[str, ...]:
    """Dotted parameter-file names of the kernel's parameter vector, in kernel order."""
    prefix = get_condition(condition).prefix
    return tuple(s[1].format(prefix=prefix) for s in _PARAM_SPEC)


def parameter_matrix(
    params: ParameterSet,
    condition: str,
    *,
    tlr4: bool = False,
    overrides: dict[str, FloatArray | float] | None = None,
    n_patients: int = 1,
) -> FloatArray:
    """Kernel parameter matrix (n_patients, N_PARAMS) in kernel units (hours).

    `overrides` maps dotted file names (in file units) to floats or arrays of shape
    (n_patients,); `tlr4=False` switches the TLR4 path off (`tlr4_emax` = 0).
    """
    names = file_parameter_names(condition)
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(names)
    if unknown:
        raise InputError(
            f"cannot override {sorted(unknown)}: not a chain parameter of {condition!r}; "
            f"known: {', '.join(names)}"
        )
    for val in overrides.values():
        n = np.size(val)
        if n > 1:
            n_patients = max(n_patients, n)
    out = np.empty((n_patients, N_PARAMS))
    for j, (name, (_, _, factor)) in enumerate(zip(names, _PARAM_SPEC, strict=True)):
        raw = overrides.get(name, params.value(name))
        out[:, j] = np.asarray(raw, dtype=np.float64) * factor
    if not tlr4:
        out[:, PARAM_NAMES.index("tlr4_emax")] = 0.0
    return out


def scale_parameters(params: ParameterSet, condition: str) -> dict[str, ScaleParams]:
    """`ScaleParams` of each scale of `condition`, keyed by column name (hours for times)."""
    cond = get_condition(condition)
    out = {}
    for scale in cond.scales:
        head = f"{cond.prefix}.{scale.column}"
        out[scale.column] = ScaleParams(
            baseline=params.value(f"{head}.baseline"),
            placebo_change=params.value(f"{head}.placebo_change"),
            placebo_tau_h=params.value(f"{head}.placebo_tau_weeks") * H_PER_WEEK,
            drift_per_week=params.value(f"{head}.drift_per_week"),
            noise_sd=params.value(f"{head}.noise_sd"),
            readout_h=cond.readout_weeks * H_PER_WEEK,
        )
    return out
