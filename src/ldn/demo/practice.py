"""Demo section: practice tools — a titration plan, a compounding worksheet, a patient hand-out
with its calendar, and a washout table (1.5, 3, 4.5 and 50 mg) from the occupancy engine."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from ldn.demo.section import DemoSection
from ldn.markdown import markdown_table

DOSES_MG = (1.5, 3.0, 4.5, 50.0)
N_PATIENTS = 200
START = date(2027, 1, 4)


def run(out_dir: Path) -> DemoSection:
    """Write plan.json, compound.json, handout.pdf, plan.ics and washout.json to `out_dir`."""
    from ldn.practice.compound import compound
    from ldn.practice.handout import dose_calendar, handout_pdf
    from ldn.practice.titration import titration_plan
    from ldn.practice.washout import washout

    plan = titration_plan(
        start_mg=1.5,
        step_mg=1.5,
        every_days=7,
        target_mg=4.5,
        at="22:00",
        liquid_mg_per_ml=1,
        step_back_on="insomnia",
    )
    (out_dir / "plan.json").write_text(json.dumps(plan.to_dict(), indent=1), encoding="utf-8")
    sheet = compound(form="liquid", strength_mg_per_ml=1, volume_ml=100, compounded_on=START)
    (out_dir / "compound.json").write_text(json.dumps(sheet.to_dict(), indent=1), "utf-8")
    (out_dir / "handout.pdf").write_bytes(handout_pdf(plan, START, 28, patient="D-0001"))
    (out_dir / "plan.ics").write_bytes(dose_calendar(plan, START, 28, patient="D-0001"))
    rows = [washout(d, "22:00", n_patients=N_PATIENTS, seed=0).to_dict() for d in DOSES_MG]
    (out_dir / "washout.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")

    steps = pd.DataFrame(plan.rows())[["day", "dose_mg", "volume_ml", "step_back_volume_ml"]]
    steps["days"] = [s.days or "ongoing" for s in plan.steps]
    wash = pd.DataFrame(rows)[["dose_mg", "hours_typical", "hours_p5", "hours_p95"]].round(1)
    text = (
        "Titration 1.5 → 4.5 mg in steps of 1.5 mg every 7 days, 22:00, 1 mg/mL liquid, with "
        "the step-back rule for insomnia (halve the dose, then climb again; LDN Research Trust):"
        f"\n\n{markdown_table(steps)}\n\n"
        f"Compounding 100 mL of 1 mg/mL: {sheet.tablets_50mg} × 50 mg tablets, Fawcett 1997 "
        f"preserved formula, beyond-use date {sheet.beyond_use_date} ({sheet.beyond_use_days} "
        "days, USP <795> preserved aqueous default) — `compound.json` lists every rule with "
        "its source.\n\n"
        "Patient hand-out (one page, text extractable) `handout.pdf` and dose calendar "
        "`plan.ics` (28 events).\n\n"
        "Washout after steady state: hours from the last dose until brain MOR occupancy stays "
        f"below 10 % (typical patient; 5-95 % over {N_PATIENTS} virtual patients, PK "
        "variability only):\n\n"
        f"{markdown_table(wash)}\n\n"
        "Published advice to stop LDN before surgery ranges from 48 h to 3 days; the model, "
        "fitted to the 50 mg blockade data, gives longer washouts because brain occupancy "
        "declines slowly (docs/model.md §6, docs/practice.md)."
    )
    return DemoSection(
        title="Practice tools: titration, compounding, hand-out, washout",
        markdown=text,
        files=("plan.json", "compound.json", "handout.pdf", "plan.ics", "washout.json"),
    )
