"""The practice demo section reports what the practice tools and the occupancy engine give.

The titration table is checked against the plan worked out by hand (1.5 → 4.5 mg in 1.5 mg
steps every 7 days, 1 mg/mL, step back to half the dose), the compounding line against the
arithmetic of 100 mL at 1 mg/mL, the calendar against the plan day by day, and the washout
table against `ldn.practice.washout.washout` for the section's seed and, for the typical
patient, against MOR occupancy computed here with `ldn.model.exposure.exposure`.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from demo_checks import table_with
from ldn.demo import practice as demo_practice
from ldn.demo.section import DemoSection

N_PATIENTS = 20  # the smallest population `washout` accepts; the demo uses 200


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSection, Path]:
    out = tmp_path_factory.mktemp("practice")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo_practice, "N_PATIENTS", N_PATIENTS)
        return demo_practice.run(out), out


def test_titration_table_is_the_plan_worked_out_by_hand(section: tuple[DemoSection, Path]) -> None:
    text, out = section[0].markdown, section[1]
    rows = table_with(text, "day")
    got = [
        (r["day"], r["dose_mg"], r["volume_ml"], r["step_back_volume_ml"], r["days"]) for r in rows
    ]
    # day 1, 8, 15; 1 mg/mL so mL = mg; step back = half the dose
    assert got == [
        ("1", "1.5", "1.5", "0.75", "7"),
        ("8", "3.0", "3.0", "1.5", "7"),
        ("15", "4.5", "4.5", "2.25", "ongoing"),
    ]
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert [(s["day"], s["dose_mg"], s["volume_ml"]) for s in plan["steps"]] == [
        (1, 1.5, 1.5),
        (8, 3.0, 3.0),
        (15, 4.5, 4.5),
    ]


def test_compounding_line_matches_the_worksheet_arithmetic(
    section: tuple[DemoSection, Path],
) -> None:
    text, out = section[0].markdown, section[1]
    sheet = json.loads((out / "compound.json").read_text(encoding="utf-8"))
    assert sheet["tablets_50mg"] == 2  # 100 mL × 1 mg/mL = 100 mg = 2 × 50 mg
    assert "100 mL of 1 mg/mL: 2 × 50 mg tablets" in text
    bud = demo_practice.START + timedelta(days=sheet["beyond_use_days"])
    assert sheet["beyond_use_date"] == bud.isoformat()
    assert f"beyond-use date {bud.isoformat()} ({sheet['beyond_use_days']} days" in text


def test_calendar_and_handout_follow_the_plan_day_by_day(
    section: tuple[DemoSection, Path],
) -> None:
    out = section[1]
    ics = (out / "plan.ics").read_text(encoding="utf-8")
    starts = re.findall(r"^DTSTART:(\d{8})T(\d{6})", ics, flags=re.M)
    doses = re.findall(r"^SUMMARY:LDN ([\d.]+) mg \(([\d.]+) mL\)", ics, flags=re.M)
    assert len(starts) == len(doses) == 28
    first = demo_practice.START
    assert [d for d, _ in starts] == [
        (first + timedelta(days=i)).strftime("%Y%m%d") for i in range(28)
    ]
    assert {t for _, t in starts} == {"220000"}
    expected = ["1.5"] * 7 + ["3"] * 7 + ["4.5"] * 14
    assert [float(mg) for mg, _ in doses] == [float(x) for x in expected]
    assert all(mg == ml for mg, ml in doses)  # 1 mg/mL
    pages = PdfReader(out / "handout.pdf").pages
    assert len(pages) == 1
    handout = pages[0].extract_text()
    assert "D-0001" in handout
    assert all(d in handout for d in ("1.5", "3", "4.5"))


def _typical_washout_h(dose_mg: float, threshold: float = 0.1) -> float:
    """Last hour after the final steady-state dose with MOR occupancy ≥ threshold (0.01 h grid)."""
    from ldn.model.exposure import exposure
    from ldn.regimen import daily

    events = daily(dose_mg, at="22:00", days=1, steady_state=True).events(until_h=24.0 * 62)
    t_last = float(events.t_h[-1])
    t = t_last + np.arange(0.0, 24.0 * 20, 0.01)
    above = np.flatnonzero(exposure(events, t).mor_occupancy >= threshold)
    return float(t[above[-1]] - t_last)


def test_washout_table_matches_the_engine_for_the_demo_seed(
    section: tuple[DemoSection, Path],
) -> None:
    from ldn.practice.washout import washout

    text, out = section[0].markdown, section[1]
    table = table_with(text, "dose_mg")
    saved = json.loads((out / "washout.json").read_text(encoding="utf-8"))
    assert [float(r["dose_mg"]) for r in table] == list(demo_practice.DOSES_MG)
    for row, written, dose in zip(table, saved, demo_practice.DOSES_MG, strict=True):
        ref = washout(dose, "22:00", n_patients=N_PATIENTS, seed=0)
        assert written == ref.to_dict()
        for key in ("hours_typical", "hours_p5", "hours_p95"):
            assert float(row[key]) == round(getattr(ref, key), 1), (dose, key)
        assert float(row["hours_typical"]) == pytest.approx(_typical_washout_h(dose), abs=0.06)
        assert ref.hours_p5 < ref.hours_p95
    typical = [float(r["hours_typical"]) for r in table]
    assert typical == sorted(typical) and typical[0] < typical[-1]  # more drug, longer washout
    assert f"over {N_PATIENTS} virtual patients" in text
