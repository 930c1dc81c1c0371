"""The pharmacology demo section: its metrics table, dose–response sentence and posterior
ranges are recomputed here from `ldn.model.exposure.exposure` (a 0.001 h grid over the final
24 h of the same 14-day regimens), and its five figures are drawn PNGs at 120 dpi."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demo_checks import SavedFigure, check_png, recording_savefig, saved_as, table_with
from ldn.demo import pk as demo_pk
from ldn.demo.section import DemoSection

pytestmark = pytest.mark.slow  # the section draws 100 + 60 posterior samples: ~15 s

END_H = 14 * 24.0
REGIMENS = {"4.5 mg daily at 22:00": (4.5, "22:00"), "50 mg daily at 08:00": (50.0, "08:00")}
# figure → panels (Axes): concentrations naltrexone | naltrexol, occupancy MOR | KOR | DOR,
# dose-response with a twin axis for hours, blockade at 50 | 4.5 mg, bands conc / occupancy
PANELS = {
    "pk_concentrations.png": 2,
    "pk_occupancy.png": 3,
    "pk_dose_response.png": 2,
    "pk_variants_blockade.png": 2,
    "pk_simulation_bands.png": 2,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSection, Path, list[SavedFigure]]:
    out = tmp_path_factory.mktemp("pk")
    with recording_savefig() as saved:
        section = demo_pk.run(out)
    return section, out, saved


def _window_metrics(dose_mg: float, at: str) -> dict[str, float]:
    """The final-24-h metrics of `dose_mg` daily at `at` for 14 days, computed on a fine grid."""
    from ldn.model.exposure import exposure
    from ldn.regimen import daily

    events = daily(dose_mg, at=at).events(until_h=END_H)
    t = np.linspace(END_H - 24.0, END_H, 24_001)
    e = exposure(events, t)
    t_last = float(events.t_h[events.t_h < END_H].max())
    pre = exposure(events, np.array([t_last - 1e-6]))
    mor = e.mor_occupancy
    return {
        "naltrexone Cmax (ng/mL)": e.naltrexone_ng_per_ml.max(),
        "naltrexone trough (ng/mL)": pre.naltrexone_ng_per_ml[0],
        "naltrexone AUC over 24 h (ng·h/mL)": np.trapezoid(e.naltrexone_ng_per_ml, t),
        "6β-naltrexol Cmax (ng/mL)": e.naltrexol_ng_per_ml.max(),
        "6β-naltrexol trough (ng/mL)": pre.naltrexol_ng_per_ml[0],
        "6β-naltrexol AUC over 24 h (ng·h/mL)": np.trapezoid(e.naltrexol_ng_per_ml, t),
        "MOR occupancy peak": 100 * mor.max(),
        "MOR occupancy trough (pre-dose)": 100 * pre.mor_occupancy[0],
        "hours/day MOR occupancy > 50 %": 24.0 * float((mor > 0.5).mean()),
        "hours/day MOR occupancy > 90 %": 24.0 * float((mor > 0.9).mean()),
        "KOR occupancy peak": 100 * e.kor_occupancy.max(),
        "DOR occupancy peak": 100 * e.dor_occupancy.max(),
    }


def test_metrics_table_matches_exposure_on_a_fine_grid(
    demo: tuple[DemoSection, Path, list[SavedFigure]],
) -> None:
    rows = {r["metric (final 24 h of 14 days)"]: r for r in table_with(
        demo[0].markdown, "metric (final 24 h of 14 days)")}  # fmt: skip
    for column, (dose, at) in REGIMENS.items():
        for label, want in _window_metrics(dose, at).items():
            cell = rows[label][column]
            got = float(cell.rstrip("%"))
            if cell.endswith("%"):  # whole percent
                assert got == pytest.approx(want, abs=0.51), (column, label)
            elif label.startswith("hours/day"):  # one decimal, grid of the metric 0.05 h
                assert got == pytest.approx(want, abs=0.15), (column, label)
            else:  # three significant digits
                assert got == pytest.approx(want, rel=0.006), (column, label)
    # 50 mg is 11.1 × 4.5 mg: the linear model's exposures scale with the dose
    auc = rows["naltrexone AUC over 24 h (ng·h/mL)"]
    ratio = float(auc["50 mg daily at 08:00"]) / float(auc["4.5 mg daily at 22:00"])
    assert ratio == pytest.approx(50.0 / 4.5, rel=0.01)


def test_dose_response_sentence_is_the_steady_state_at_that_dose(
    demo: tuple[DemoSection, Path, list[SavedFigure]],
) -> None:
    from ldn.model.exposure import exposure
    from ldn.regimen import DoseEvents, SteadyState

    section, out = demo[0], demo[1]
    sweep = pd.read_csv(out / "pk_dose_response.csv")
    assert len(sweep) == 121 and sweep["dose_mg"].iloc[-1] == pytest.approx(50.0)
    dose = float(sweep["dose_mg"].iloc[(sweep["dose_mg"] - 4.5).abs().argmin()])
    m = re.search(r"at ([\d.]+) mg the peak MOR occupancy is (\d+)% and the occupancy stays "
                  r"above 50 % for ([\d.]+) h/day", section.markdown)  # fmt: skip
    assert m is not None
    t = np.linspace(0.0, 24.0, 24_001)
    ss = DoseEvents(t_h=[0.0], dose_mg=[dose], steady_state=SteadyState(dose, 24.0))
    mor = exposure(ss, t).mor_occupancy
    assert float(m[1]) == round(dose, 2)
    assert float(m[2]) == pytest.approx(100 * mor.max(), abs=0.51)
    assert float(m[3]) == pytest.approx(24.0 * float((mor[:-1] > 0.5).mean()), abs=0.15)


def test_the_brief_block_sentence_quotes_the_table_and_its_draws(
    demo: tuple[DemoSection, Path, list[SavedFigure]],
) -> None:
    """The 'Is the LDN block brief?' sentence and the 4.5 mg row of the table below it give the
    same numbers (one computation: the table's posterior draws at steady state), recomputed
    here from `ldn_values`."""
    from ldn.model.pk_setup import default_model, model_draws
    from ldn.report.ldn_answer import N_DRAWS, ldn_values

    draws = ldn_values(model_draws(default_model(), N_DRAWS), 4.5, "22:00")
    text = demo[0].markdown
    sentence = text[text.index("**Is the LDN block brief?**") :].split("\n")[0]
    row = next(ln for ln in text.splitlines() if ln.startswith("| 4.5 mg daily at 22:00 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    for key, column in (
        ("mor_hours_above_50pct_per_day", 1),
        ("mor_plasma_hours_above_50pct_per_day", 4),
    ):
        p5, p50, p95 = np.percentile(draws[key], (5, 50, 95))
        want = f"{p50:.1f} h/day [{p5:.1f}–{p95:.1f}]"
        assert want in sentence, (key, want, sentence)
        assert cells[column].startswith(f"{p50:.1f} [{p5:.1f}–{p95:.1f}]"), (key, cells[column])
        assert 0.0 <= p5 <= p50 <= p95 <= 24.0


def test_figures_are_drawn_at_120_dpi_with_their_panels(
    demo: tuple[DemoSection, Path, list[SavedFigure]],
) -> None:
    section, out, saved = demo
    assert set(section.figures) == set(PANELS)
    for name, panels in PANELS.items():
        fig = saved_as(saved, out / name)
        assert fig.n_axes == panels, name
        check_png(out / name, fig, dpi=120)
