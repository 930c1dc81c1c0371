"""The read-only DB adapter and the CLI commands, on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from ldn.cli.main import app, main
from ldn.errors import InputError
from ldn.registry import services
from ldn.registry.analysis_io import (
    cohort_report,
    evidence_prior,
    load_course,
    load_frames,
    patient_analyses,
    patient_analysis,
)
from ldn.registry.errors import NotFound, PermissionDenied

START = date(2025, 3, 1)


def _fill(session, world) -> None:
    """Patient A (RA): monthly DAS28 for a year, LDN from month 4, a vivid-dreams AE."""
    rng = np.random.default_rng(0)
    admin = world.admin
    services.add_prescription(
        session=session,
        actor=admin,
        patient_id=world.patient_a,
        data={"dose_mg": 4.5, "start_date": START, "notes": "free text never read"},
    )
    for i in range(12):
        day = START + timedelta(days=30 * (i - 3) + int(rng.integers(0, 4)))
        value = 5.6 - (1.8 if day > START else 0.0) + float(rng.normal(0, 0.3))
        services.add_assessment(
            session=session,
            actor=admin,
            patient_id=world.patient_a,
            data={"scale": "das28", "value": round(value, 2), "assessed_on": day},
        )
    services.add_assessment(
        session=session,
        actor=admin,
        patient_id=world.patient_a,
        data={"scale": "pain_nrs", "value": 6, "assessed_on": START},
    )
    services.add_adverse_event(
        session=session,
        actor=admin,
        patient_id=world.patient_a,
        data={"event_type": "vivid_dreams", "severity": "mild", "onset_date": START},
    )


def test_load_frames_reads_coded_fields_only(session, world):
    _fill(session, world)
    frames = load_frames(session)
    assert set(frames.patients["code"]) == {"P-0001"}  # one code in each clinic
    assert len(frames.patients) == 2
    row = frames.patients.set_index("patient_id").loc[world.patient_a]
    assert row["conditions"] == "ra"
    assert len(frames.assessments) == 13 and len(frames.adverse_events) == 1
    assert "notes" not in frames.prescriptions.columns
    assert frames.prescriptions["start_date"].iloc[0] == np.datetime64(START)


def test_clinicians_see_their_clinic_researchers_all(session, world):
    _fill(session, world)
    own = load_frames(session, actor=world.clin_b)
    assert list(own.patients["patient_id"]) == [world.patient_b]
    assert own.assessments.empty
    assert len(load_frames(session, actor=world.researcher).patients) == 2
    with pytest.raises(PermissionDenied, match="own clinic only"):
        load_frames(session, actor=world.clin_b, clinic_id=world.clinic_a)


def test_patient_analysis_from_the_database(session, world):
    _fill(session, world)
    course = load_course(session, "P-0001", clinic_id=world.clinic_a)
    assert course.scale.code == "das28" and course.values.size == 12  # most assessed scale
    analysis = patient_analysis(session, "P-0001", "das28", clinic_id=world.clinic_a)
    assert analysis.result is not None
    assert analysis.result.p_improvement_ge_mid > 0.8 and analysis.responder
    researcher = patient_analysis(
        session, "P-0001", clinic_id=world.clinic_a, actor=world.researcher
    )
    assert researcher.result.delta_mean == pytest.approx(analysis.result.delta_mean)
    one_point = patient_analysis(session, "P-0001", "pain_nrs", clinic_id=world.clinic_a)
    assert one_point.result is None and "got 1 off and 0 on" in one_point.message


def test_patient_analyses_one_per_scale(session, world):
    _fill(session, world)
    found = patient_analyses(session, "P-0001", clinic_id=world.clinic_a, actor=world.clin_a)
    assert [a.course.scale.code for a in found] == ["das28", "pain_nrs"]
    assert found[0].result is not None and found[1].result is None
    assert patient_analyses(session, "P-0001", clinic_id=world.clinic_b) == []
    with pytest.raises(PermissionDenied):
        patient_analyses(session, "P-0001", clinic_id=world.clinic_a, actor=world.clin_b)


def test_evidence_prior_uses_a_same_scale_mean_difference(monkeypatch):
    import pandas as pd

    import ldn.evidence

    table = pd.DataFrame(
        {"condition": ["ra"], "scale": ["das28"], "estimate": [0.9], "se": [0.3], "tau2": [0.16],
         "k": [3]}
    )  # fmt: skip
    monkeypatch.setattr(ldn.evidence, "pooled_by_condition", lambda **_: table, raising=False)
    prior = evidence_prior("ra", "das28")
    # MD favouring LDN by 0.9 on a lower-is-better scale → δ centred at −0.9; SD √(0.09+0.16)
    assert prior.mean == pytest.approx(-0.9) and prior.sd == pytest.approx(0.5)
    assert "k = 3" in prior.source
    with pytest.raises(InputError, match="no pooled mean difference on fiqr"):
        evidence_prior("ra", "fiqr")


def test_adapter_errors_are_clear(session, world):
    _fill(session, world)
    with pytest.raises(NotFound, match="no patient with code 'P-9999'"):
        load_course(session, "P-9999")
    with pytest.raises(InputError, match="exists in several clinics"):
        load_course(session, "P-0001")
    with pytest.raises(InputError, match="has no outcome assessments yet"):
        load_course(session, "P-0001", clinic_id=world.clinic_b)
    with pytest.raises(InputError, match="no sledai2k assessments; scales with assessments"):
        load_course(session, "P-0001", "sledai2k", clinic_id=world.clinic_a)
    with pytest.raises(InputError, match="use the sceptical prior"):
        evidence_prior("ra", "das28")


def test_cohort_report_from_the_database(session, world):
    _fill(session, world)
    report = cohort_report(session)
    assert report.n_patients == 2
    assert (
        report.responders.set_index(["condition", "scale", "dose_band"]).at[
            ("ra", "das28", "all doses"), "n_responders"
        ]
        == 1
    )
    assert report.adverse_events.set_index("event_type").at["any", "n_patients_exposed"] == 1


def test_cli_n_of_1_and_report(db_url, world, registry, tmp_path):
    with registry.session() as session:
        _fill(session, world)
    runner = CliRunner()
    plot = tmp_path / "p.png"
    args = ["registry", "n-of-1", "--patient", "P-0001", "--clinic", str(world.clinic_a)]
    res = runner.invoke(app, [*args, "--database", db_url, "--format", "json", "--plot", str(plot)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["scale"] == "das28" and out["evaluable"] and out["p_improvement_ge_mid"] > 0.8
    assert plot.read_bytes()[:4] == b"\x89PNG"
    res = runner.invoke(app, [*args, "--database", db_url])
    assert res.exit_code == 0 and "p_improvement_ge_mid" in res.output
    res = runner.invoke(app, ["registry", "n-of-1", "--patient", "P-404", "--database", db_url])
    assert isinstance(res.exception, NotFound) and "P-404" in str(res.exception)
    html, csv_dir = tmp_path / "r" / "report.html", tmp_path / "csv"
    argv = ["registry", "report", "--out", str(html), "--csv", str(csv_dir), "--database", db_url]
    res = runner.invoke(app, argv)  # the one output-path rule: a FILE's folder must exist
    assert res.exit_code == 1 and "the folder" in str(res.exception) and not csv_dir.exists()
    html.parent.mkdir()
    res = runner.invoke(app, argv)  # a FOLDER option (--csv) is created
    assert res.exit_code == 0, res.output
    assert "Responders by condition and dose" in html.read_text(encoding="utf-8")
    assert (csv_dir / "cohort_responders.csv").exists()


def test_cli_errors_are_one_sentence_with_exit_code_2(db_url, world, monkeypatch, capsys):
    for argv, message in [
        (["n-of-1", "--patient", "P-404"], "error: no patient with code 'P-404'"),
        (["n-of-1", "--patient", "P-0001"], "exists in several clinics; give the clinic too"),
        (["n-of-1", "--patient", "P-0001", "--clinic", str(world.clinic_b)],
         "has no outcome assessments yet"),
    ]:  # fmt: skip
        monkeypatch.setattr("sys.argv", ["ldn", "registry", *argv, "--database", db_url])
        with pytest.raises(SystemExit) as exit_info:
            main()
        assert exit_info.value.code == 2
        assert message in " ".join(capsys.readouterr().err.split())
