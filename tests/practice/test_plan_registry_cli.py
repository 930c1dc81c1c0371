"""`ldn plan diary-link | trial | unblind` on a SQLite registry."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.registry.db import open_registry
from ldn.registry.models import Assessment, Clinic, Patient
from ldn.registry.practice_models import DiaryToken

runner = CliRunner()


def _db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    reg = open_registry(url)
    with reg.session() as s:
        clinic = Clinic(name="North")
        s.add(clinic)
        s.flush()
        s.add(Patient(clinic_id=clinic.id, code="P-0009", birth_year=1970, sex="female"))
        s.commit()
    reg.dispose()
    return url


def test_diary_link_make_list_revoke(tmp_path: Path) -> None:
    db = _db(tmp_path)
    made = runner.invoke(app, ["plan", "diary-link", "--patient", "P-0009", "--database", db])
    assert made.exit_code == 0, made.output
    url = made.output.strip().splitlines()[-1]
    assert url.startswith("http://127.0.0.1:8000/diary/")
    listed = runner.invoke(
        app, ["plan", "diary-link", "--patient", "P-0009", "--list", "--database", db]
    )
    assert "\tactive\t" in listed.output
    gone = runner.invoke(
        app, ["plan", "diary-link", "--patient", "P-0009", "--revoke", "1", "--database", db]
    )
    assert "withdrawn" in gone.output
    reg = open_registry(db)
    with reg.session() as s:
        assert s.get(DiaryToken, 1).revoked_at is not None  # type: ignore[union-attr]
    reg.dispose()


def test_trial_and_unblind(tmp_path: Path) -> None:
    db = _db(tmp_path)
    key, cal = tmp_path / "key.json", tmp_path / "cal.json"
    r = runner.invoke(
        app,
        [
            "plan",
            "trial",
            "--patient",
            "P-0009",
            "--start",
            "2027-01-04",
            "--seed",
            "3",
            "--key-out",
            str(key),
            "--calendar-out",
            str(cal),
            "--database",
            db,
        ],
    )
    assert r.exit_code == 0, r.output
    bottles = json.loads(key.read_text())["bottles"]
    assert "placebo" not in cal.read_text()
    reg = open_registry(db)
    rng = np.random.default_rng(2)
    with reg.session() as s:
        for b in bottles:
            for k in range(b["days"]):
                value = 6.0 - (3.0 if b["treatment"] == "ldn" else 0.0) + rng.normal(0, 0.7)
                day = date(2027, 1, 4) + timedelta(days=b["start_day"] - 1 + k)
                s.add(
                    Assessment(
                        patient_id=1,
                        scale="pain_nrs",
                        value=float(np.clip(value, 0, 10)),
                        assessed_on=day,
                    )
                )
        s.commit()
    reg.dispose()
    out = runner.invoke(
        app, ["plan", "unblind", "--trial", "1", "--format", "json", "--database", db]
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["p_improvement_ge_mid"] > 0.8 and result["n_used"] == 84
    table = runner.invoke(app, ["plan", "unblind", "--trial", "1", "--database", db])
    assert "P(improvement" in table.output
