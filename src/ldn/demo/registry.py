"""Demo section: a clinic registry in SQLite, filled with synthetic patients from the model.

Shows the registry on its embedded default (a SQLite file), the cohort report and one
patient's N-of-1 result, and says how to open the same database in the web app.
"""

from __future__ import annotations

from pathlib import Path

from ldn.demo.section import DemoSection
from ldn.markdown import markdown_table

N_PATIENTS = 60
SEED = 1


def run(out_dir: Path) -> DemoSection:
    """Fill `out_dir/registry.sqlite` with demo data; write the cohort report and an N-of-1 plot."""
    from ldn.registry.analysis_io import cohort_report, patient_analyses
    from ldn.registry.db import open_registry
    from ldn.registry.demo_data import fill_demo
    from ldn.report.cohort_html import render_cohort_html
    from ldn.report.n_of_1_plot import analysis_png

    db_path = out_dir / "registry.sqlite"
    db_path.unlink(missing_ok=True)
    url = f"sqlite:///{db_path.resolve()}"
    registry = open_registry(url)
    try:
        with registry.session() as session:
            summary = fill_demo(session=session, n_patients=N_PATIENTS, seed=SEED)
        with registry.session() as session:
            cohort = cohort_report(session)
            first = patient_analyses(session, "D-0001")
    finally:
        registry.dispose()

    (out_dir / "registry_cohort.html").write_text(render_cohort_html(cohort), encoding="utf-8")
    figures: list[str] = []
    if first:
        (out_dir / "registry_n_of_1.png").write_bytes(analysis_png(first[0]))
        figures.append("registry_n_of_1.png")

    overall = cohort.responders[cohort.responders["dose_band"] == "all doses"]
    table = overall[["condition", "scale", "n_evaluable", "n_responders", "responder_rate"]].copy()
    rate_pct = (100 * table["responder_rate"]).round(0).astype(int)
    table["responder_rate"] = rate_pct.astype(str) + " %"
    counts = ", ".join(f"{v} {k}" for k, v in summary.created.items())
    users = ", ".join(f"`{u}` / `{p}`" for u, p, _ in summary.users)
    text = (
        f"A SQLite registry (`{db_path.name}`) filled with {counts}: synthetic patients whose "
        "outcome series come from the model chain plus measurement noise. Responders are "
        "patients whose N-of-1 posterior probability of an improvement of at least the "
        f"scale's minimal important difference exceeds "
        f"{cohort.settings.responder_probability:g} (docs/n-of-1.md).\n\n"
        f"{markdown_table(table)}\n\n"
        f"Full cohort report: `registry_cohort.html`. Open the same data in the web app with "
        f"`LDN_DATABASE_URL={url} ldn serve` and log in as {users}."
    )
    return DemoSection(
        title="Clinic registry: synthetic cohort and N-of-1",
        markdown=text,
        figures=tuple(figures),
        files=(db_path.name, "registry_cohort.html"),
    )
