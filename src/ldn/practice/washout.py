"""Peri-operative washout on the occupancy engine: after daily dosing to steady state, how many
hours from the last dose until brain MOR occupancy stays below a threshold?

- `hours_typical`: the typical patient, computed with `ldn.model.exposure.exposure` — the function
  `ldn simulate` uses — on the regimen `daily(dose, at, days=1, steady_state=True)` (one last
  dose given at steady state, then nothing), located by bisection to 1e-6 h. A test checks it
  against `ldn simulate`'s own time series.
- `hours_p5` / `hours_p95`: the same for a virtual population (`ldn.population`) whose patients
  each take one posterior draw of the fitted typical values (PK, binding and the variant's brain
  parameters; `ldn.model.pk_setup.model_draws`, issue 11's fit) and then their own between-
  patient PK variability (F, CL, V, ka, metabolite clearance, body weight, hepatic impairment):
  the range covers both parameter uncertainty and variability between people.

"Stays below": occupancy rises after a dose and then falls; the washout is the last time the
occupancy is at or above the threshold (0 if it never reaches it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from ldn.errors import InputError
from ldn.parameters import ParameterSet, default_parameters
from ldn.regimen import DoseEvents, daily
from ldn.regimen.validate import as_number, check_clock, check_count, check_dose_mg
from ldn.types import FloatArray

GRID_STEP_H: Final = 0.05
HORIZON_H: Final = 24.0 * 60  # 60 days: far beyond any LDN or 50 mg washout in the model
DEFAULT_PATIENTS: Final = 500
VARIABILITY: Final = (
    "posterior parameter uncertainty of the fitted PK (one draw per virtual patient) and "
    "between-patient PK variability of the virtual population (ldn.population)"
)


@dataclass(frozen=True)
class WashoutResult:
    """Washout hours for one dose; `population_hours` holds every virtual patient's value and
    `hours_p5`, `hours_median` and `hours_p95` are its percentiles."""

    dose_mg: float
    at: str
    threshold: float
    hours_typical: float
    n_patients: int
    seed: int
    last_dose_h: float
    population_hours: FloatArray = field(repr=False)
    variability: str = VARIABILITY

    def _percentile(self, q: float) -> float:
        # Patients still above the threshold at the horizon count as +inf; `inverted_cdf` picks
        # an observed value, so a percentile is inf only when that share of patients never
        # crosses.
        return float(np.percentile(self.population_hours, q, method="inverted_cdf"))

    @property
    def hours_p5(self) -> float:
        """5th percentile of the population's washout hours."""
        return self._percentile(5)

    @property
    def hours_median(self) -> float:
        """Median of the population's washout hours."""
        return self._percentile(50)

    @property
    def hours_p95(self) -> float:
        """95th percentile of the population's washout hours."""
        return self._percentile(95)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (population values left out)."""
        return {
            "dose_mg": self.dose_mg,
            "at": self.at,
            "threshold": self.threshold,
            "hours_typical": round(self.hours_typical, 3),
            "hours_p5": round(self.hours_p5, 3),
            "hours_median": round(self.hours_median, 3),
            "hours_p95": round(self.hours_p95, 3),
            "days_typical": round(self.hours_typical / 24.0, 2),
            "n_patients": self.n_patients,
            "seed": self.seed,
            "variability": self.variability,
        }


def washout_regimen(dose_mg: float, at: str = "22:00") -> Any:
    """One dose at steady state of `dose_mg` daily at `at`, then no more doses (a `Regimen`)."""
    return daily(dose_mg, at=at, days=1, steady_state=True)


def _crossing(t_h: FloatArray, occ: FloatArray, threshold: float) -> FloatArray:
    """Per row: last grid time with occ >= threshold, linearly interpolated to the next point.

    Rows that never reach the threshold give t_h[0]; rows still above at the end give inf.
    """
    above = occ >= threshold
    any_above = above.any(axis=-1)
    last = occ.shape[-1] - 1 - np.argmax(above[..., ::-1], axis=-1)
    out = np.full(occ.shape[:-1], float(t_h[0]))
    still = any_above & (last == occ.shape[-1] - 1)
    inner = any_above & ~still
    i = last[inner]
    o0, o1 = occ[inner, i], occ[inner, i + 1]
    frac = (o0 - threshold) / np.where(o0 > o1, o0 - o1, 1.0)
    out[inner] = t_h[i] + np.clip(frac, 0.0, 1.0) * (t_h[i + 1] - t_h[i])
    out[still] = np.inf
    return out


def _typical_hours(events: DoseEvents, t0: float, threshold: float, ps: ParameterSet) -> float:
    """Typical patient: grid crossing refined by bisection on `exposure` (1e-6 h)."""
    from scipy.optimize import brentq

    from ldn.model.exposure import exposure

    grid = t0 + GRID_STEP_H * np.arange(int(HORIZON_H / GRID_STEP_H) + 1, dtype=np.float64)
    occ = exposure(events, grid, ps).mor_occupancy
    t_cross = float(_crossing(grid, occ[None, :], threshold)[0])
    if not np.isfinite(t_cross):
        raise InputError(
            f"MOR occupancy is still above {threshold:g} {HORIZON_H / 24:g} days after the last "
            "dose; choose a higher --threshold"
        )
    if t_cross == t0:
        return 0.0
    lo = max(t0, t_cross - GRID_STEP_H)
    hi = min(grid[-1], t_cross + GRID_STEP_H)

    def gap(t: float) -> float:
        return float(exposure(events, np.array([t]), ps).mor_occupancy[0]) - threshold

    if gap(lo) < 0 or gap(hi) > 0:  # not bracketed on the refined interval: keep the grid value
        return t_cross - t0
    return float(brentq(gap, lo, hi, xtol=1e-7)) - t0


def _population_hours(
    events: DoseEvents, t0: float, threshold: float, ps: ParameterSet, n: int, seed: int
) -> FloatArray:
    from ldn.model.exposure import exposure
    from ldn.model.pk_setup import model_draws
    from ldn.population.engine import scaled_pk
    from ldn.population.patient_pk import pick_draws
    from ldn.population.sampling import VariabilitySpec, sample_population

    pop = sample_population(n, seed=seed, spec=VariabilitySpec.from_parameters(ps))
    draws = model_draws(None, None, ps)  # the default PK variant's posterior draws
    n_draws = draws.n_draws or 1
    pick = np.random.default_rng([seed, 1]).integers(0, n_draws, size=n)  # one draw per patient

    drawn = pick_draws(draws, pick)
    pk = scaled_pk(drawn.pk, pop)
    n_grid = int(HORIZON_H / (2 * GRID_STEP_H)) + 1
    grid = t0 + GRID_STEP_H * 2 * np.arange(n_grid, dtype=np.float64)
    occ = exposure(events, grid, ps, pk=pk, binding=drawn.binding, extra=drawn.extra).mor_occupancy
    return _crossing(grid, occ, threshold) - t0


def washout(
    dose_mg: float,
    at: str = "22:00",
    threshold: float | None = None,
    *,
    n_patients: int = DEFAULT_PATIENTS,
    seed: int = 0,
    params: ParameterSet | None = None,
) -> WashoutResult:
    """Hours from the last steady-state dose until MOR occupancy stays below `threshold` (a
    fraction of receptors; default: the practice rule `washout_threshold`, an assumption)."""
    dose = check_dose_mg(dose_mg, "--dose-mg")
    check_clock(at, "--at")
    fraction = default_threshold() if threshold is None else as_number(threshold, "--threshold")
    if not 0.0 < fraction < 1.0:
        raise InputError(f"--threshold is a fraction of receptors between 0 and 1, got {threshold}")
    n = check_count(n_patients, "--patients", minimum=20)
    if n > 20_000:
        raise InputError("--patients above 20000 adds nothing to a 5-95 % range; use fewer")
    ps = params or default_parameters()
    events = washout_regimen(dose, at).events(until_h=HORIZON_H + 48.0)
    t0 = float(events.t_h[-1])
    typical = _typical_hours(events, t0, fraction, ps)
    pop = _population_hours(events, t0, fraction, ps, n, seed)
    return WashoutResult(
        dose_mg=dose,
        at=at,
        threshold=fraction,
        hours_typical=typical,
        n_patients=n,
        seed=seed,
        last_dose_h=t0,
        population_hours=pop,
    )


def restart_guidance() -> dict[str, Any]:
    """The reverse question — after opioids, how long before (re)starting LDN — from sources.

    The engine has no opioid pharmacokinetics, so the answer is the sourced practice rules.
    """
    from ldn.practice.rules import rule

    label, ldn_rt = rule("restart_after_opioids_label"), rule("restart_after_opioids_ldn")
    return {
        "answer": (
            "Restart LDN only when the patient has completely stopped opioid pain medicines "
            "(LDN Research Trust); the naltrexone label asks for 7-10 opioid-free days "
            "(longer after methadone or buprenorphine) in opioid-dependent patients, with a "
            "naloxone challenge if in doubt."
        ),
        "sources": [ldn_rt.as_dict(), label.as_dict()],
    }


def default_threshold() -> float:
    """The default washout threshold (fraction of MOR occupied): rule `washout_threshold`."""
    from ldn.practice.rules import value

    return float(value("washout_threshold"))


_CAVEATS: Final = (
    "Occupancy is brain MOR occupancy from a model fitted to PET in healthy volunteers at 2-50 "
    "mg; no plasma or PET data exist at LDN doses, so the LDN values are extrapolated.",
    "The slow decline of brain occupancy comes from fitting the 50 mg blockade data (Lee 1988 "
    "PET, label); the three structural variants of docs/model.md differ most below ~20 % "
    "occupancy, where the washout time is decided, so these hours carry that uncertainty.",
    "The range covers the fitted parameters' posterior uncertainty and between-patient PK "
    "differences in a virtual population (including hepatic impairment); it does not cover the "
    "choice between the structural variants.",
    "Published advice differs: stop LDN 3 days before surgery (LDN Research Trust), 48 h (LDN "
    "Direct), oral naltrexone 2-3 days (SPAQI consensus, secondary source). Follow the surgeon "
    "and anaesthetist.",
    "After stopping, opioid sensitivity may be increased (receptor up-regulation is described "
    "for naltrexone); opioid doses should be titrated with care.",
)


def caveats() -> list[str]:
    """What the washout hours do and do not mean (printed and written with every result)."""
    return [
        "Model estimate, not a clinical rule: no study links a naltrexone MOR occupancy level to "
        "adequate opioid analgesia, and the threshold is a choice (default "
        f"{default_threshold() * 100:g} %, an assumption).",
        *_CAVEATS,
    ]


def guidance_sources() -> list[dict[str, Any]]:
    """The peri-operative rules the caveats cite."""
    from ldn.practice.rules import rule

    ids = ("surgery_ldn_research_trust", "surgery_ldn_direct", "surgery_oral_naltrexone")
    return [rule(i).as_dict() for i in (*ids, "washout_threshold")]
