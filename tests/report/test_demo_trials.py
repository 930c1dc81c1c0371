"""The virtual-trials demo section: its sample size and power are what `ldn power` gives for
the same design, seed, pool and number of trials; its evidence table carries the published
effects of the dataset and the model's predictions for them; its two figures are drawn."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cli_runner import run
from demo_checks import SavedFigure, check_png, recording_savefig, saved_as, table_with
from ldn.demo import trials as demo_trials
from ldn.demo.section import DemoSection

pytestmark = pytest.mark.slow  # replicate MMRM trials up to 600 per arm: ~15 s at this size

TRIALS, POOL = 20, 100  # the demo's 200 trials and pool of 1,000, scaled down


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSection, Path, list[SavedFigure]]:
    out = tmp_path_factory.mktemp("trials")
    with pytest.MonkeyPatch.context() as mp, recording_savefig() as saved:
        mp.setattr(demo_trials, "TRIALS", TRIALS)
        mp.setattr(demo_trials, "POOL", POOL)
        section = demo_trials.run(out)
    return section, out, saved


def test_sample_size_is_what_ldn_power_finds(
    demo: tuple[DemoSection, Path, list[SavedFigure]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = (
        "power --condition fibromyalgia --dose-mg 4.5 --at 22:00 --weeks 12 --dropout 0.01 "
        f"--dropout-model mar --fixed-parameters --seed 0 --pool {POOL} --trials {TRIALS} "
        "--n-max 600 --target 0.9 --format json"
    )
    code, out, _ = run(args.split(), capsys)
    assert code == 0
    ref = json.loads(out)
    assert ref["analysis"] == "mmrm" and ref["n_per_arm"] is not None
    low, high = ref["n_per_arm_ci95"]
    text = " ".join(demo[0].markdown.split())
    want = (
        f"about **{ref['n_per_arm']} patients per arm** reach 90 % power (estimated "
        f"{ref['power']:.0%}; Monte-Carlo interval of n: {low} to {high or 'above 600'})"
    )
    assert want in text
    assert f"{TRIALS} replicate trials per sample size drawn from a pool of {POOL:,}" in text


def test_evidence_table_has_the_published_effects_and_their_predictions(
    demo: tuple[DemoSection, Path, list[SavedFigure]],
) -> None:
    from ldn.parameters import default_parameters
    from ldn.trials.evidence import compare_with_evidence, published_trials

    rows = table_with(demo[0].markdown, "study")
    published = published_trials()
    assert [r["study"] for r in rows] == [t.study_id for t in published]
    for row, trial in zip(rows, published, strict=True):
        assert float(row["observed"]) == pytest.approx(trial.observed, abs=5e-4)
        m = re.fullmatch(r"(\S+) \[(\S+), (\S+)\]", row["predicted"])
        assert m is not None, row["predicted"]
        mean, lo, hi = (float(x) for x in m.groups())
        assert lo <= mean <= hi
        assert 0.0 <= float(row["predicted_power"]) <= 1.0
    # one row re-run through the API with the section's seed and sizes: the same numbers
    final = [t for t in published if t.study_id == "Bruun2024_FINAL_FM" and t.measure == "md"]
    ref = compare_with_evidence(
        default_parameters(), n_trials=TRIALS, pool_size=POOL, trials=final
    ).frame.iloc[0]
    (row,) = [r for r in rows if r["study"] == "Bruun2024_FINAL_FM" and "mean difference" in
              r["endpoint"]]  # fmt: skip
    want = f"{ref['predicted_mean']} [{ref['predicted_p2_5']}, {ref['predicted_p97_5']}]"
    assert row["predicted"] == want
    assert float(row["predicted_power"]) == ref["predicted_power"]


def test_figures_are_drawn_at_120_dpi(demo: tuple[DemoSection, Path, list[SavedFigure]]) -> None:
    section, out, saved = demo
    assert section.figures == ("trials_power_curve.png", "trials_model_vs_evidence.png")
    curve = saved_as(saved, out / "trials_power_curve.png")
    assert curve.size_in == (6.4, 4.0) and curve.n_axes == 1
    check_png(out / "trials_power_curve.png", curve, dpi=120)
    evidence = saved_as(saved, out / "trials_model_vs_evidence.png")
    assert evidence.n_axes == len(table_with(section.markdown, "study"))  # one panel per row
    check_png(out / "trials_model_vs_evidence.png", evidence, dpi=120)
