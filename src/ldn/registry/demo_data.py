"""Synthetic demo patients "from the model", so a newcomer sees the registry working.

`demo_rows(n_patients, seed, params)` is pure: it draws patients (condition, birth year, sex),
an LDN prescription each (4.5 mg at 22:00; some titrated 1.5 → 3 → 4.5 mg, some at 08:00,
some stopped), assessment series and adverse events, and returns them as rows of the registry
CSV format (`ldn.registry.import_export`). `fill_demo(session=...)` creates two clinics, the
demo users and imports the rows (one transaction per clinic, audited).

Trajectories come from the model chain: `ldn.simulation.scenarios.chain_columns(events, t_h,
condition, params)` gives the expected score on each of the condition's scales for the
patient's regimen (including the placebo/expectation response, since these are treated
patients). Each patient gets their own baseline (coefficient of variation
`registry_demo.baseline_cv`) and response (the modelled change × N(1, `response_sd`),
floored at 0), plus the scale's measurement noise `disease.<condition>.<scale>.noise_sd`
from parameters_chain.toml; values are clipped to the scale's range. Visits are 8 and 4
weeks before the start, at the start, and every 4 weeks for 24 weeks (a demo schedule).
Adverse-event probabilities and the other knobs are `registry_demo.*` in
src/ldn/data/parameters_registry_demo.toml, each sourced or labelled as an assumption.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ldn.errors import InputError
from ldn.parameters import ParameterSet, default_parameters
from ldn.registry import services as svc
from ldn.registry.csv_export import write_csv
from ldn.registry.import_export import import_csv
from ldn.registry.models import Clinic
from ldn.registry.permissions import SYSTEM
from ldn.scales import SCALES

DEMO_CLINICS: Final = ("Demo Clinic", "Riverside Clinic")
# (username, password, role, clinic name) — demo passwords are public; never use in production.
DEMO_USERS: Final = (
    ("admin", "ldn-demo-admin", "admin", None),
    ("clinician", "ldn-demo-clinician", "clinician", "Demo Clinic"),
    ("clinician2", "ldn-demo-clinician2", "clinician", "Riverside Clinic"),
    ("researcher", "ldn-demo-researcher", "researcher", None),
)
VISIT_DAYS: Final = (-56, -28, 0, 28, 56, 84, 112, 140, 168)
VISIT_HOUR: Final = 10.0
STOP_DAYS: Final = (56, 84, 112, 140)
FIRST_START: Final = date(2024, 1, 8)
START_SPREAD_DAYS: Final = 364
SECOND_CLINIC_EVERY: Final = 6  # every 6th patient belongs to the second clinic
AE_TYPES: Final = ("insomnia", "vivid_dreams", "headache", "diarrhoea", "nausea")
_DECIMALS: Final = {"das28": 2, "sledai2k": 0, "pasi": 1, "cdai": 0, "pain_nrs": 1, "fiqr": 1}


@dataclass(frozen=True)
class DemoSummary:
    """What `fill_demo` created."""

    clinics: tuple[str, ...]
    users: tuple[tuple[str, str, str], ...]  # (username, password, role)
    created: dict[str, int] = field(default_factory=dict)


def _fmt_value(value: float, decimals: int) -> str:
    return str(round(value)) if decimals == 0 else str(round(value, decimals))


def _regimen_events(kind: str, stop_day: int | None, horizon_h: float) -> Any:
    from ldn.regimen import daily, titration

    if kind == "titration":
        reg = titration([(1.5, 7), (3.0, 7), (4.5, None)], at="22:00")
    else:
        reg = daily(4.5, at="08:00" if kind == "morning" else "22:00")
    until = horizon_h if stop_day is None else stop_day * 24.0
    return reg.events(until_h=until)


def _trajectories(params: ParameterSet) -> Callable[[str, str, int | None], dict[str, np.ndarray]]:
    """Memoised expected score series (post-start visits) per (condition, regimen, stop day)."""
    from ldn.model.disease import get_condition
    from ldn.simulation.scenarios import chain_columns

    cache: dict[tuple[str, str, int | None], dict[str, np.ndarray]] = {}
    t_h = np.array([d * 24.0 + VISIT_HOUR for d in VISIT_DAYS if d >= 0])

    def get(condition: str, kind: str, stop_day: int | None) -> dict[str, np.ndarray]:
        key = (condition, kind, stop_day)
        if key not in cache:
            events = _regimen_events(kind, stop_day, float(t_h[-1]) + 24.0)
            cols = chain_columns(events, t_h, condition, params)
            scales = [s.column for s in get_condition(condition).scales]
            cache[key] = {s: np.asarray(cols[s], dtype=float) for s in scales}
        return cache[key]

    return get


def demo_rows(
    n_patients: int = 60, seed: int = 1, params: ParameterSet | None = None
) -> dict[str, list[dict[str, str]]]:
    """Synthetic registry rows per clinic name (CSV import format); pure and seeded."""
    from ldn.model.chain import CONDITIONS

    if not 1 <= n_patients <= 5000:
        raise InputError(f"--patients {n_patients} must be between 1 and 5000")
    params = params or default_parameters()
    knobs = params.group("registry_demo")
    rng = np.random.default_rng(seed)
    expected = _trajectories(params)
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in DEMO_CLINICS}
    for i in range(n_patients):
        clinic = DEMO_CLINICS[1] if (i + 1) % SECOND_CLINIC_EVERY == 0 else DEMO_CLINICS[0]
        code = f"D-{i + 1:04d}"
        condition = CONDITIONS[i % len(CONDITIONS)]
        sex = "female" if rng.random() < knobs["female_fraction"] else "male"
        birth_year = int(rng.integers(1945, 2001))
        out = rows[clinic]
        out.append(
            {
                "record_type": "patient",
                "patient_code": code,
                "birth_year": str(birth_year),
                "sex": sex,
                "conditions": condition,
            }
        )
        start, kind, stop_day, aes = _course(rng, knobs, code, out)
        out += _assessments(
            rng, knobs, params, code, condition, start, expected(condition, kind, stop_day)
        )
        for ae, severity, onset, end in aes:
            out.append(
                {
                    "record_type": "adverse_event",
                    "patient_code": code,
                    "event_type": ae,
                    "severity": severity,
                    "onset_date": onset.isoformat(),
                    "end_date": end.isoformat(),
                    "prescription_ref": "rx1",
                }
            )
    return rows


_AdverseEvent = tuple[str, str, date, date]  # (event type, severity, onset, end)


def _course(
    rng: np.random.Generator, knobs: Any, code: str, out: list[dict[str, str]]
) -> tuple[date, str, int | None, list[_AdverseEvent]]:
    """Draw a patient's prescription (appended to `out`) and side effects.

    Returns the start date, the regimen kind, the stop day (None: still taking it) and the
    side effects (drawn first: one can be the reason for stopping).
    """
    start = FIRST_START + timedelta(days=int(rng.integers(0, START_SPREAD_DAYS)))
    u = rng.random()
    kind = (
        "titration"
        if u < knobs["titration_fraction"]
        else "morning"
        if u < knobs["titration_fraction"] + knobs["morning_fraction"]
        else "bedtime"
    )
    stopped = rng.random() < knobs["stopped_fraction"]
    stop_day = int(rng.choice(STOP_DAYS)) if stopped else None
    aes = []
    for ae in AE_TYPES:
        if rng.random() < knobs[f"p_{ae}"]:
            onset = start + timedelta(days=int(rng.integers(1, 15)))
            length = int(rng.integers(3, int(knobs["ae_max_duration_days"]) + 1))
            severity = "mild" if rng.random() < knobs["ae_mild_fraction"] else "moderate"
            aes.append((ae, severity, onset, onset + timedelta(days=length)))
    reason = ""
    if stopped:
        reason = (
            f"side effect: {aes[0][0].replace('_', ' ')}"
            if aes
            else str(rng.choice(["no benefit", "patient choice", "cost"]))
        )
    stop = start + timedelta(days=stop_day) if stop_day is not None else None
    out.append(
        {
            "record_type": "prescription",
            "patient_code": code,
            "ref": "rx1",
            "dose_mg": "4.5",
            "clock_time": "08:00" if kind == "morning" else "22:00",
            "formulation": "capsule",
            "titration": "1.5:7,3:7" if kind == "titration" else "",
            "start_date": start.isoformat(),
            "stop_date": stop.isoformat() if stop else "",
            "stop_reason": reason,
        }
    )
    return start, kind, stop_day, aes


def _assessments(
    rng: np.random.Generator,
    knobs: Any,
    params: ParameterSet,
    code: str,
    condition: str,
    start: date,
    series: dict[str, np.ndarray],
) -> list[dict[str, str]]:
    """Scores at every visit: baseline before the start, then the expected course with this
    patient's baseline and response factors and visit noise, clipped to the scale."""
    from ldn.model.chain import scale_parameters

    sps = scale_parameters(params, condition)
    base_factor = max(0.3, 1.0 + knobs["baseline_cv"] * rng.standard_normal())
    response = max(0.0, 1.0 + knobs["response_sd"] * rng.standard_normal())
    rows = []
    for scale_code, post in series.items():
        sp, scale = sps[scale_code], SCALES[scale_code]
        pre_days = [d for d in VISIT_DAYS if d < 0]
        mean = np.concatenate(
            [np.full(len(pre_days), sp.baseline), sp.baseline + response * (post - sp.baseline)]
        )
        mean += (base_factor - 1.0) * sp.baseline
        values = mean + sp.noise_sd * rng.standard_normal(mean.size)
        values = np.clip(values, scale.min, scale.max)
        for day, val in zip(VISIT_DAYS, values, strict=True):
            rows.append(
                {
                    "record_type": "assessment",
                    "patient_code": code,
                    "scale": scale_code,
                    "value": _fmt_value(float(val), _DECIMALS.get(scale_code, 1)),
                    "assessed_on": (start + timedelta(days=day)).isoformat(),
                }
            )
    return rows


def fill_demo(
    *, session: Session, n_patients: int = 60, seed: int = 1, params: ParameterSet | None = None
) -> DemoSummary:
    """Create the demo clinics, users and synthetic patients in an empty registry."""
    taken = session.scalar(select(Clinic.id).where(Clinic.name.in_(DEMO_CLINICS)))
    if taken is not None:
        raise InputError(
            "this database already holds the demo clinics; use a fresh database "
            "(--database sqlite:///demo.sqlite) to load the demo again"
        )
    rows = demo_rows(n_patients, seed, params)
    clinic_ids = {
        name: svc.create_clinic(session=session, actor=SYSTEM, data={"name": name}).id
        for name in DEMO_CLINICS
    }
    users = []
    for username, password, role, clinic in DEMO_USERS:
        svc.create_user(
            session=session,
            actor=SYSTEM,
            data={
                "username": username,
                "password": password,
                "role": role,
                "clinic_id": clinic_ids[clinic] if clinic else None,
            },
        )
        users.append((username, password, role))
    created: dict[str, int] = {}
    for name, clinic_rows in rows.items():
        if not clinic_rows:
            continue
        summary = import_csv(
            session=session, actor=SYSTEM, text=write_csv(clinic_rows), clinic_id=clinic_ids[name]
        )
        for k, v in summary.created.items():
            created[k] = created.get(k, 0) + v
    return DemoSummary(clinics=DEMO_CLINICS, users=tuple(users), created=created)
