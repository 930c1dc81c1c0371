"""Cohort report over the registry: responders by condition and dose, adverse-event rates.

Pure functions over pandas DataFrames (`RegistryFrames`); the database adapter that builds the
frames is `ldn.registry.analysis_io`. Definitions (also in docs/n-of-1.md):

- **Unit of analysis**: one patient × one outcome scale with assessments.
- **Responder**: the N-of-1 posterior probability of an improvement of at least one MID exceeds
  `responder_probability` (0.8, `parameters_n_of_1.toml`). Series that cannot be analysed (fewer
  than 2 assessments off and 2 on LDN, no prescription, no variation) are *not evaluable* and
  left out of the denominators; their count is reported.
- **Dose**: the maintenance dose of the patient's most recent prescription, in bands
  <1.5, 1.5–<3, 3–<4.5, 4.5, >4.5 mg.
- **Responder rate** and **adverse events per patient**: proportions with Wilson score 95 %
  intervals (`ldn.stats.wilson_interval`).
- **Adverse events per 100 patient-months**: events / exposure, exposure = days on LDN up to
  the data's last date / 30.4375, with exact (Garwood) Poisson 95 % intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ldn.analysis.course import NOf1Settings, PatientCourse, analyse_course
from ldn.analysis.frames import RegistryFrames
from ldn.errors import InputError
from ldn.evidence.schema import CONDITIONS
from ldn.scales import SCALES, get_scale
from ldn.stats import wilson_interval

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DAYS_PER_MONTH = 30.4375
DOSE_BANDS: tuple[str, ...] = ("<1.5 mg", "1.5–<3 mg", "3–<4.5 mg", "4.5 mg", ">4.5 mg")

RESPONDER_COLUMNS = [
    "condition", "scale", "dose_band", "n_evaluable", "n_responders", "responder_rate",
    "ci95_low", "ci95_high", "n_not_evaluable", "mean_improvement_in_mid",
]  # fmt: skip


def dose_band(dose_mg: float) -> str:
    """The report's dose band of a maintenance dose in mg."""
    if dose_mg < 1.5:
        return DOSE_BANDS[0]
    if dose_mg < 3.0:
        return DOSE_BANDS[1]
    if dose_mg < 4.5:
        return DOSE_BANDS[2]
    if math.isclose(dose_mg, 4.5):
        return DOSE_BANDS[3]
    return DOSE_BANDS[4]


def poisson_rate_ci(events: int, exposure: float) -> tuple[float, float]:
    """Exact (Garwood 1936) 95 % interval of a Poisson rate events/exposure."""
    if exposure <= 0:
        return (math.nan, math.nan)
    lo = 0.0 if events == 0 else stats.chi2.ppf(0.025, 2 * events) / 2.0
    hi = stats.chi2.ppf(0.975, 2 * events + 2) / 2.0
    return (float(lo) / exposure, float(hi) / exposure)


def _dates(series: pd.Series) -> np.ndarray:
    return pd.to_datetime(series).to_numpy().astype("datetime64[D]")


def course_from_frames(frames: RegistryFrames, patient_id: int, scale: str) -> PatientCourse:
    """The `PatientCourse` of one patient on one scale (same-day assessments are averaged)."""
    pat = frames.patients.loc[frames.patients["patient_id"] == patient_id]
    if pat.empty:
        raise InputError(f"no patient with id {patient_id} in the data")
    sc = get_scale(scale)
    a = frames.assessments
    a = a.loc[(a["patient_id"] == patient_id) & (a["scale"] == sc.code)]
    daily = a.assign(day=_dates(a["assessed_on"])).groupby("day", sort=True)["value"].mean()
    rx = frames.prescriptions.loc[frames.prescriptions["patient_id"] == patient_id]
    rx = rx.sort_values("start_date")
    periods = tuple(
        (start, None if pd.isna(stop) else np.datetime64(pd.Timestamp(stop).date(), "D"))
        for start, stop in zip(_dates(rx["start_date"]), rx["stop_date"], strict=True)
    )
    return PatientCourse(
        patient_code=str(pat["code"].iloc[0]),
        scale=sc,
        dates=daily.index.to_numpy().astype("datetime64[D]"),
        values=daily.to_numpy(dtype=float),
        periods=periods,
        doses_mg=tuple(float(d) for d in rx["dose_mg"]),
    )


def per_patient(frames: RegistryFrames, settings: NOf1Settings | None = None) -> pd.DataFrame:
    """One row per patient × scale: dose, N-of-1 estimate, responder status."""
    settings = settings or NOf1Settings.from_parameters()
    rows: list[dict[str, object]] = []
    pats = frames.patients.set_index("patient_id")
    pairs = frames.assessments[["patient_id", "scale"]].drop_duplicates()
    for pid, scale in pairs.sort_values(["patient_id", "scale"]).itertuples(index=False):
        if pid not in pats.index or scale not in SCALES:
            continue
        course = course_from_frames(frames, int(pid), str(scale))
        row: dict[str, object] = {
            "patient_id": int(pid),
            "code": course.patient_code,
            "clinic_id": pats.at[pid, "clinic_id"],
            "conditions": pats.at[pid, "conditions"],
            "scale": scale,
            "dose_mg": course.doses_mg[-1] if course.doses_mg else math.nan,
            "dose_band": dose_band(course.doses_mg[-1]) if course.doses_mg else "no LDN",
            "n_assessments": int(course.values.size),
        }
        try:
            res = analyse_course(course, settings)
        except InputError as exc:
            row.update(status="not evaluable", reason=str(exc).split(": ", 2)[-1])
        else:
            responder = settings.is_responder(res)
            row.update(
                status="responder" if responder else "non-responder",
                reason="",
                delta_mean=res.delta_mean,
                delta_ci95_low=res.delta_ci95[0],
                delta_ci95_high=res.delta_ci95[1],
                improvement_in_mid=res.improvement_mean / res.mid,
                p_improvement_ge_mid=res.p_improvement_ge_mid,
            )
        rows.append(row)
    cols = [
        "patient_id", "code", "clinic_id", "conditions", "scale", "dose_mg", "dose_band",
        "n_assessments", "status", "reason", "delta_mean", "delta_ci95_low", "delta_ci95_high",
        "improvement_in_mid", "p_improvement_ge_mid",
    ]  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=cols)


def _explode_conditions(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.assign(condition=frame["conditions"].fillna("").astype(str).str.split(";"))
    out = out.explode("condition")
    out["condition"] = out["condition"].replace("", "unspecified")
    return out


def responder_table(patients: pd.DataFrame) -> pd.DataFrame:
    """Responders by condition, scale and dose band (plus an 'all doses' row per group)."""
    units = _explode_conditions(patients)
    units = pd.concat([units, units.assign(dose_band="all doses")], ignore_index=True)
    order = {b: i for i, b in enumerate((*DOSE_BANDS, "no LDN", "all doses"))}
    rows = []
    for (cond, scale, band), grp in units.groupby(["condition", "scale", "dose_band"]):
        evaluable = grp.loc[grp["status"] != "not evaluable"]
        n = len(evaluable)
        k = int((evaluable["status"] == "responder").sum())
        lo, hi = wilson_interval(k, n)
        rows.append(
            {
                "condition": cond,
                "scale": scale,
                "dose_band": band,
                "n_evaluable": n,
                "n_responders": k,
                "responder_rate": k / n if n else math.nan,
                "ci95_low": lo,
                "ci95_high": hi,
                "n_not_evaluable": len(grp) - n,
                "mean_improvement_in_mid": (
                    float(evaluable["improvement_in_mid"].mean()) if n else math.nan
                ),
            }
        )
    table = pd.DataFrame(rows, columns=RESPONDER_COLUMNS)
    if table.empty:
        return table
    table["_o"] = table["dose_band"].map(order)
    return table.sort_values(["condition", "scale", "_o"]).drop(columns="_o").reset_index(drop=True)


def exposure_months(frames: RegistryFrames, as_of: np.datetime64) -> pd.Series:
    """Months on LDN per patient up to `as_of` (overlapping prescriptions counted once)."""
    out: dict[int, float] = {}
    for pid, rx in frames.prescriptions.groupby("patient_id"):
        start = _dates(rx["start_date"])
        stop = np.minimum(_dates(rx["stop_date"].fillna(pd.Timestamp(as_of))), as_of)
        days: set[int] = set()
        for a, b in zip(start.astype("int64"), stop.astype("int64"), strict=True):
            days.update(range(int(a), int(b)))
        out[int(pid)] = len(days) / DAYS_PER_MONTH
    return pd.Series(out, name="months", dtype=float)


def adverse_event_table(frames: RegistryFrames, as_of: np.datetime64) -> pd.DataFrame:
    """Adverse events by type: patients affected (Wilson CI) and events per 100 patient-months."""
    months = exposure_months(frames, as_of)
    exposed = months.index[months > 0]
    n_exposed = len(exposed)
    total_months = float(months.sum())
    ae = frames.adverse_events.loc[frames.adverse_events["patient_id"].isin(exposed)]
    rows = []
    types = sorted(ae["event_type"].unique())
    for label, grp in [*((t, ae.loc[ae["event_type"] == t]) for t in types), ("any", ae)]:
        k = int(grp["patient_id"].nunique())
        lo, hi = wilson_interval(k, n_exposed)
        r_lo, r_hi = poisson_rate_ci(len(grp), total_months)
        rows.append(
            {
                "event_type": label,
                "n_events": len(grp),
                "n_patients_with_event": k,
                "n_patients_exposed": n_exposed,
                "proportion": k / n_exposed if n_exposed else math.nan,
                "ci95_low": lo,
                "ci95_high": hi,
                "patient_months": total_months,
                "rate_per_100_pm": 100 * len(grp) / total_months if total_months else math.nan,
                "rate_ci95_low": 100 * r_lo,
                "rate_ci95_high": 100 * r_hi,
                "n_severe": int((grp["severity"] == "severe").sum()),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class CohortReport:
    """Everything the cohort report shows; tables as DataFrames, figures on demand."""

    as_of: np.datetime64
    settings: NOf1Settings
    patients: pd.DataFrame
    responders: pd.DataFrame
    adverse_events: pd.DataFrame
    evidence: pd.DataFrame | None
    evidence_note: str = ""
    trial_adverse_events: pd.DataFrame | None = None
    n_patients: int = 0
    tables: tuple[str, ...] = field(
        default=(
            "patients",
            "responders",
            "adverse_events",
            "side_by_side",
            "trial_adverse_events",
        ),
        repr=False,
    )

    def to_csv(self, out_dir: Path) -> list[Path]:
        """Write each table as CSV into `out_dir`; returns the paths written. Text cells that a
        spreadsheet would run as a formula get a leading `'` (`ldn.spreadsheet`)."""
        from ldn.spreadsheet import neutralise_frame

        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name in self.tables:
            attr = getattr(self, name)
            frame = attr() if callable(attr) else attr
            if frame is None:
                continue
            path = out_dir / f"cohort_{name}.csv"
            neutralise_frame(frame).to_csv(path, index=False)
            written.append(path)
        return written

    def side_by_side(self) -> pd.DataFrame:
        """Per condition and scale: the cohort's responders next to the pooled trial evidence."""
        cols = ["condition", "scale", "n_evaluable", "n_responders", "responder_rate"]
        cols += ["ci95_low", "ci95_high", "mean_improvement_in_mid"]
        cohort = self.responders.loc[self.responders["dose_band"] == "all doses", cols]
        cohort = cohort.rename(
            columns={"ci95_low": "responder_ci95_low", "ci95_high": "responder_ci95_high"}
        ).reset_index(drop=True)
        if self.evidence is None or self.evidence.empty:
            return cohort.assign(trial_evidence="no pooled trial evidence")
        keep = [
            c
            for c in ("condition", "k", "n_total", "estimate", "ci_low", "ci_high", "i2",
                      "pi_low", "pi_high", "pooled", "certainty", "studies")
            if c in self.evidence.columns
        ]  # fmt: skip
        ev = self.evidence[keep].rename(columns={c: f"trial_{c}" for c in keep if c != "condition"})
        merged = cohort.merge(ev, on="condition", how="left")
        has = merged["trial_estimate"].notna() if "trial_estimate" in merged else False
        single = merged["trial_pooled"].eq(False) if "trial_pooled" in merged else False
        merged["trial_evidence"] = np.select(
            [has & single, has], ["single trial", "pooled"], "no pooled trial evidence"
        )
        return merged

    def plot_responders(self) -> Figure:
        """Responder rate (Wilson 95 % CI) per condition and scale, all doses."""
        from matplotlib.figure import Figure

        tab = self.responders
        tab = tab.loc[(tab["dose_band"] == "all doses") & (tab["n_evaluable"] > 0)]
        tab = tab.reset_index(drop=True)
        fig = Figure(figsize=(7.5, 0.9 + 0.35 * max(len(tab), 2)), layout="constrained")
        ax = fig.add_subplot()
        if tab.empty:
            ax.text(0.5, 0.5, "no evaluable patients yet", ha="center", va="center")
            ax.set_axis_off()
            return fig
        ypos = np.arange(len(tab))[::-1]
        labels = [
            f"{CONDITIONS.get(str(r.condition), str(r.condition))} · {SCALES[r.scale].label} "
            f"(n={r.n_evaluable})"
            for r in tab.itertuples()
        ]
        err = np.vstack(
            [tab["responder_rate"] - tab["ci95_low"], tab["ci95_high"] - tab["responder_rate"]]
        )
        ax.errorbar(tab["responder_rate"], ypos, xerr=err, fmt="o", color="tab:green", capsize=3)
        ax.set_yticks(ypos, labels)
        ax.set_xlim(0, 1)
        ax.set_xlabel(
            f"share of responders (P(improvement ≥ MID) > "
            f"{self.settings.responder_probability:g}), Wilson 95% CI",
            loc="right",
        )
        ax.grid(axis="x", alpha=0.3)
        return fig

    def plot_adverse_events(self) -> Figure:
        """Share of exposed patients with each adverse-event type (Wilson 95 % CI)."""
        from matplotlib.figure import Figure

        tab = self.adverse_events
        fig = Figure(figsize=(7.5, 0.5 + 0.4 * max(len(tab), 2)), layout="constrained")
        ax = fig.add_subplot()
        if tab.empty or tab["n_patients_exposed"].iloc[0] == 0:
            ax.text(0.5, 0.5, "no exposed patients yet", ha="center", va="center")
            ax.set_axis_off()
            return fig
        ypos = np.arange(len(tab))[::-1]
        err = np.vstack([tab["proportion"] - tab["ci95_low"], tab["ci95_high"] - tab["proportion"]])
        ax.errorbar(tab["proportion"], ypos, xerr=err, fmt="s", color="tab:red", capsize=3)
        ax.set_yticks(
            ypos,
            [
                "any side effect" if t == "any" else str(t).replace("_", " ")
                for t in tab["event_type"]
            ],
        )
        ax.set_xlim(0, 1)
        ax.set_xlabel("patients with the event (Wilson 95% CI)")
        ax.grid(axis="x", alpha=0.3)
        return fig


def build_report(
    frames: RegistryFrames,
    settings: NOf1Settings | None = None,
    *,
    evidence: pd.DataFrame | None = None,
    evidence_note: str = "",
    trial_adverse_events: pd.DataFrame | None = None,
    as_of: np.datetime64 | None = None,
) -> CohortReport:
    """Analyse every patient and assemble the cohort tables.

    `evidence` is an optional per-condition table of pooled trial results (from
    `ldn.registry.analysis_io.pooled_evidence`), restricted to the conditions present;
    `trial_adverse_events` the trial-reported rates of the registry's event types.
    """
    settings = settings or NOf1Settings.from_parameters()
    as_of = frames.last_date() if as_of is None else np.datetime64(as_of, "D")  # type: ignore[call-overload]  # numpy stubs lack (datetime64, unit)
    patients = per_patient(frames, settings)
    if evidence is not None and "condition" in evidence.columns:
        present = set(_explode_conditions(frames.patients)["condition"])
        evidence = evidence.loc[evidence["condition"].isin(present)].reset_index(drop=True)
    return CohortReport(
        as_of=as_of,
        settings=settings,
        patients=patients,
        responders=responder_table(patients),
        adverse_events=adverse_event_table(frames, as_of),
        evidence=evidence,
        evidence_note=evidence_note,
        trial_adverse_events=trial_adverse_events,
        n_patients=int(frames.patients["patient_id"].nunique()),
    )
