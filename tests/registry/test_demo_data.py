"""Demo data: seeded, valid for import, trajectories taken from the model chain."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ldn.errors import InputError
from ldn.parameters import default_parameters
from ldn.registry.csv_export import write_csv
from ldn.registry.demo_data import VISIT_DAYS, VISIT_HOUR, demo_rows, fill_demo
from ldn.registry.import_export import parse_csv
from ldn.registry.models import Assessment, AuditLog, Patient, User
from ldn.registry.security import verify_password
from ldn.scales import SCALES


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict[str, str]]]:
    return demo_rows(12, seed=5)


def test_rows_are_seeded_and_valid(rows) -> None:
    assert demo_rows(12, seed=5) == rows
    for clinic_rows in rows.values():
        parsed = parse_csv(write_csv(clinic_rows))
        for r in parsed:
            if r.record_type == "assessment":
                scale = SCALES[r.values.scale]  # type: ignore[attr-defined]
                assert scale.min <= r.values.value <= scale.max  # type: ignore[attr-defined]
    flat = [r for v in rows.values() for r in v]
    conditions = {r["conditions"] for r in flat if r["record_type"] == "patient"}
    assert conditions == {"crohns", "ra", "sle", "psoriasis", "ms", "fibromyalgia"}
    assert all(r["dose_mg"] == "4.5" for r in flat if r["record_type"] == "prescription")


def test_trajectory_is_the_model_expectation_when_noise_and_spread_are_zero() -> None:
    """With measurement noise, baseline spread and response spread set to 0, a patient's
    post-start values equal `chain_columns` for their regimen (rounded to the scale's step)."""
    from ldn.regimen import daily, titration
    from ldn.simulation.scenarios import chain_columns

    p = default_parameters().with_values(
        registry_demo__baseline_cv=0.0,
        registry_demo__response_sd=0.0,
        disease__crohns__cdai__noise_sd=0.0,
    )
    rows = demo_rows(1, seed=2, params=p)["Demo Clinic"]
    rx = next(r for r in rows if r["record_type"] == "prescription")
    assert rx["stop_date"] == "" or rx["stop_date"]
    got = [float(r["value"]) for r in rows if r["record_type"] == "assessment"]
    post = [d for d in VISIT_DAYS if d >= 0]
    t_h = np.array([d * 24.0 + VISIT_HOUR for d in post])
    reg = (
        titration([(1.5, 7), (3.0, 7), (4.5, None)], at="22:00")
        if rx["titration"]
        else daily(4.5, at=rx["clock_time"])
    )
    if rx["stop_date"]:
        from datetime import date

        stop_day = (date.fromisoformat(rx["stop_date"]) - date.fromisoformat(rx["start_date"])).days
        events = reg.events(until_h=stop_day * 24.0)
    else:
        events = reg.events(until_h=t_h[-1] + 24.0)
    expected = chain_columns(events, t_h, "crohns", p)["cdai"]
    baseline = p.value("disease.crohns.cdai.baseline")
    n_pre = len(VISIT_DAYS) - len(post)
    assert got[:n_pre] == [round(baseline)] * n_pre
    np.testing.assert_allclose(got[n_pre:], np.round(expected), atol=0.5 + 1e-9)


def test_patient_count_is_checked() -> None:
    with pytest.raises(InputError, match="--patients 0 must be between 1 and 5000"):
        demo_rows(0)


def test_fill_demo_creates_users_and_patients(session: Session) -> None:
    summary = fill_demo(session=session, n_patients=6, seed=1)
    assert summary.created["patient"] == 6
    assert session.scalar(select(func.count()).select_from(Patient)) == 6
    assert (
        session.scalar(select(func.count()).select_from(Assessment))
        == summary.created["assessment"]
    )
    users = {u.username: u for u in session.scalars(select(User))}
    assert verify_password(users["admin"].password_hash, "ldn-demo-admin")
    assert users["clinician"].clinic_id is not None and users["researcher"].clinic_id is None
    assert session.scalar(select(func.count()).select_from(AuditLog)) > 6
    with pytest.raises(InputError, match="already holds the demo clinics"):
        fill_demo(session=session, n_patients=6, seed=1)
