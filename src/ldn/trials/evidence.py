"""Model vs evidence: the published placebo-controlled RCTs re-run as virtual trials.

From the evidence dataset (`ldn.evidence.dataset.load_studies`) we take every placebo-controlled
parallel or crossover RCT row whose outcome is on a scale the model has, in scale points
(`ldn.evidence.model_scales.model_scale`: CDAI, pain NRS, FIQR, SF-36 MCS; a result in % of
baseline, Younger 2013, is not re-run) and that reports an effect we can compare: a mean
difference (`md`) or responder counts (risk difference). The virtual trial copies the design —
n per arm (crossover: completers split into two sequences), dose, duration, endpoint — dosed as
`ldn.regimen.published.published_regimen` reads the dose (the calibration's reading too): daily
at 22:00 at the reported dose, and a `dose_text` "titrated over N weeks" as N weekly steps of
dose/N, 2·dose/N, … reaching the target in week N (FINAL 2024: 1.5, 3, 4.5, then 6 mg; the equal
weekly steps are an assumption, the paper's abstract gives only "titrated over 4 weeks").
Crossovers have no washout unless the dataset gives one (the published trials' own designs, not
the model's default). For each study we report the observed
effect, the mean predicted effect over replicate trials of the same size, the 2.5–97.5 %
range of the replicate estimates (where a trial of that size would land), and the predicted
power, so the model's calibration is visible at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ldn.evidence.model_scales import model_scale
from ldn.figures import save_figure
from ldn.model.chain import CONDITIONS
from ldn.parameters import ParameterSet
from ldn.population.endpoints import EndpointSpec
from ldn.regimen.published import published_regimen
from ldn.trials.design import Arm, TrialDesign
from ldn.trials.simulate import simulate_trials

Measure = Literal["md", "rd"]
_MEASURES = {"md": "mean difference", "rd": "risk difference"}


@dataclass(frozen=True)
class PublishedTrial:
    """One published result and the virtual design that re-runs it."""

    study_id: str
    outcome: str
    design: TrialDesign
    scale: str
    measure: Measure
    observed: float
    dose_text: str


def published_trials(studies: pd.DataFrame | None = None) -> list[PublishedTrial]:
    """Placebo-controlled RCT results in the dataset that the model can re-run (see module doc)."""
    if studies is None:
        from ldn.evidence.dataset import load_studies

        studies = load_studies()
    rows = studies[
        studies["design"].isin(["parallel_rct", "crossover_rct"])
        & (studies["comparator"] == "placebo")
        & studies["condition"].isin(CONDITIONS)
    ]
    out = []
    for rec in rows.to_dict(orient="records"):
        scale = model_scale(rec["condition"], str(rec["scale"]))
        dose = rec["dose_mg"]
        # a virtual trial reports scale points: a result in % of baseline is not re-run
        if scale is None or scale.relative or pd.isna(dose) or pd.isna(rec["duration_weeks"]):
            continue
        crossover = rec["design"] == "crossover_rct"
        if not pd.isna(rec["md"]):
            measure: Measure = "md"
            observed = float(rec["md"])
        elif rec["data_type"] == "counts" and not crossover:
            measure = "rd"
            observed = rec["events_ldn"] / rec["n_ldn"] - rec["events_control"] / rec["n_control"]
        elif "proportion" in str(rec["scale"]) and not crossover and not pd.isna(rec["ldn_mean"]):
            measure = "rd"  # reported proportions responding (no reconstructed counts)
            observed = float(rec["ldn_mean"]) - float(rec["control_mean"])
        else:
            continue
        n_ldn = int(rec["n_ldn"])
        regimen = published_regimen(float(dose), str(rec.get("dose_text") or ""))
        design = TrialDesign(
            condition=rec["condition"],
            kind="crossover" if crossover else "parallel",
            treatment=Arm(regimen.describe(), regimen),
            control=Arm("placebo", None),
            n_per_arm=max(2, n_ldn // 2) if crossover else n_ldn,
            weeks=max(1, round(float(rec["duration_weeks"]))),
            endpoint="responder" if measure == "rd" else "change",
            washout_weeks=0,
        )
        out.append(
            PublishedTrial(
                study_id=str(rec["study_id"]),
                outcome=str(rec["outcome"]),
                design=design,
                scale=scale.column,
                measure=measure,
                observed=float(observed),
                dose_text=str(rec.get("dose_text") or dose),
            )
        )
    return out


@dataclass(frozen=True)
class Comparison:
    """Observed vs predicted effect per published trial."""

    frame: pd.DataFrame

    def plot(self, path: Path) -> Path:
        """Observed effect (black) vs predicted mean and 95 % replicate range, one row each."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        f = self.frame
        fig, axes = plt.subplots(
            len(f), 1, figsize=(7.0, 1.1 * len(f) + 0.8), squeeze=False, sharex=False
        )
        for ax, rec in zip(axes[:, 0], f.to_dict(orient="records"), strict=True):
            lo, hi = rec["predicted_p2_5"], rec["predicted_p97_5"]
            mean = rec["predicted_mean"]
            ax.errorbar(
                mean, 0, xerr=[[mean - lo], [hi - mean]], fmt="o", color="C0", capsize=4,
                label="model (95 % of replicate trials)",
            )  # fmt: skip
            ax.plot(rec["observed"], 0, "kD", label="published")
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_yticks([])
            ax.set_title(f"{rec['study']}: {rec['endpoint']}", fontsize=8, loc="left")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=7)
        fig.tight_layout(rect=(0.0, 0.06, 1.0, 1.0))
        save_figure(fig, path)
        return path


def compare_with_evidence(
    params: ParameterSet,
    *,
    n_trials: int = 200,
    seed: int = 0,
    pool_size: int | None = 2000,
    trials: list[PublishedTrial] | None = None,
) -> Comparison:
    """Re-run each published design `n_trials` times; tabulate observed vs predicted effects."""
    rows = []
    for pt in trials if trials is not None else published_trials():
        endpoint = EndpointSpec.from_parameters(params, pt.design.condition, pt.scale)
        outcomes = simulate_trials(
            pt.design, params=params, n_trials=n_trials, seed=seed, pool_size=pool_size,
            endpoint=endpoint,
        )  # fmt: skip
        res = outcomes.analyse()
        est = res.estimate[np.isfinite(res.estimate)]
        power = outcomes.power()
        lo, hi = np.percentile(est, [2.5, 97.5])
        rows.append(
            {
                "study": pt.study_id,
                "endpoint": f"{pt.outcome} ({_MEASURES[pt.measure]}, {endpoint.scale.short_label})",
                "design": pt.design.describe(),
                "dose": pt.dose_text,
                "observed": round(pt.observed, 3),
                "predicted_mean": round(float(est.mean()), 3),
                "predicted_p2_5": round(float(lo), 3),
                "predicted_p97_5": round(float(hi), 3),
                "observed_within_95pct": bool(lo <= pt.observed <= hi),
                "predicted_power": round(power.power, 3),
            }
        )
    return Comparison(pd.DataFrame(rows))
