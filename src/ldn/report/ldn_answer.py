"""The blockade numbers the issue asks for, per PK structural variant, with posterior ranges.

`blockade_table(model)` — MOR occupancy 24/48/72 h after one 50 mg dose, 48 h after 50 mg every
other day at steady state, the day-4 mean on 50 mg daily, the 6β-naltrexol terminal half-life
(log-linear 48–120 h after one dose) and clearance.  `ldn_table(model)` — hours/day with MOR
occupancy > 50 % and > 90 % and the pre-dose trough, brain and plasma, at steady state (day 28)
of 1.5/3/4.5/6 mg at 22:00 and 50 mg at 08:00.  Every cell is p50 [p5–p95] over the shipped
posterior draws; the maximum-likelihood value is given separately.

Run `python -m ldn.report.ldn_answer` to print the Markdown used in docs/model.md.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from ldn.model.exposure import summary_arrays
from ldn.model.pk import Y_NOL
from ldn.model.pk_models import MODEL_NAMES, model_system
from ldn.model.pk_setup import ModelSetup, model_draws, model_setup
from ldn.model.series import series
from ldn.regimen import DoseEvents, daily
from ldn.types import FloatArray

LDN_REGIMENS: Final = (
    (1.5, "22:00"),
    (3.0, "22:00"),
    (4.5, "22:00"),
    (6.0, "22:00"),
    (50.0, "08:00"),
)
SS_DAYS: Final = 28
N_DRAWS: Final = 200


def _mor(m: ModelSetup, events: DoseEvents, t: FloatArray) -> FloatArray:
    system = model_system(m.model, m.pk, m.extra)
    return series(m.model, system, m.binding, m.extra, events, t).brain["mor"]


def blockade_values(m: ModelSetup) -> dict[str, FloatArray]:
    """The single-dose/q48h/daily read-outs for one setup (arrays over draws if batched)."""
    system = model_system(m.model, m.pk, m.extra)
    one = DoseEvents(t_h=[0.0], dose_mg=[50.0])
    occ = _mor(m, one, np.array([24.0, 48.0, 72.0]))
    q48 = DoseEvents(t_h=48.0 * np.arange(20), dose_mg=[50.0] * 20)
    trough = _mor(m, q48, np.array([48.0 * 20 - 1e-6]))[..., 0]
    day4 = _mor(
        m, DoseEvents(t_h=24.0 * np.arange(4), dose_mg=[50.0] * 4), 72 + np.arange(0, 24, 0.05)
    )
    nol = series(m.model, system, m.binding, m.extra, one, np.array([48.0, 120.0])).y[..., Y_NOL, :]
    t_half = np.log(2.0) * 72.0 / np.log(nol[..., 0] / nol[..., 1])
    return {
        "MOR 24 h after one 50 mg": occ[..., 0],
        "MOR 48 h after one 50 mg": occ[..., 1],
        "MOR 72 h after one 50 mg": occ[..., 2],
        "MOR 48 h after 50 mg q48h (steady state)": trough,
        "MOR day-4 mean, 50 mg daily": day4.mean(axis=-1),
        "6β-naltrexol t½ 48–120 h (h)": t_half,
        "6β-naltrexol clearance (L/h)": np.asarray(m.pk.cl_m_l_per_h, dtype=float),
    }


def ldn_values(m: ModelSetup, dose_mg: float, at: str) -> dict[str, FloatArray]:
    ev = daily(dose_mg, at=at).events(until_h=SS_DAYS * 24.0)
    s = summary_arrays(m, ev, SS_DAYS * 24.0)
    keys = (
        "mor_hours_above_50pct_per_day",
        "mor_hours_above_90pct_per_day",
        "mor_occupancy_trough",
        "mor_plasma_hours_above_50pct_per_day",
        "mor_plasma_hours_above_90pct_per_day",
        "mor_occupancy_plasma_trough",
    )
    return {k: np.asarray(s[k], dtype=float) for k in keys}


def _cell(ml: float, draws: FloatArray, pct: bool) -> str:
    p5, p50, p95 = np.percentile(draws, (5, 50, 95))
    f = (lambda v: f"{100 * v:.0f} %") if pct else (lambda v: f"{v:.1f}")
    return f"{f(p50)} [{f(p5)}–{f(p95)}] (ML {f(ml)})"


def blockade_markdown(models: tuple[str, ...] = MODEL_NAMES) -> str:
    rows: dict[str, list[str]] = {}
    for model in models:
        ml = blockade_values(model_setup(model))
        dr = blockade_values(model_draws(model, N_DRAWS))
        for k in ml:
            rows.setdefault(k, []).append(
                _cell(float(np.squeeze(ml[k])), dr[k], k.startswith("MOR"))
            )
    head = "| read-out | " + " | ".join(models) + " |\n|---|" + "---|" * len(models) + "\n"
    return head + "".join(f"| {k} | " + " | ".join(v) + " |\n" for k, v in rows.items())


LdnTable = dict[tuple[float, str], tuple[dict[str, FloatArray], dict[str, FloatArray]]]


def ldn_table(model: str) -> LdnTable:
    """(maximum-likelihood values, values of `N_DRAWS` posterior draws) of `model` for each
    regimen of `LDN_REGIMENS`; the variant's setup and its draws are loaded once."""
    ml, draws = model_setup(model), model_draws(model, N_DRAWS)
    return {(d, at): (ldn_values(ml, d, at), ldn_values(draws, d, at)) for d, at in LDN_REGIMENS}


def ldn_markdown(model: str, table: LdnTable | None = None) -> str:
    """The LDN table of `model` (ML [p5–p95] per regimen); `table` when already computed."""
    table = ldn_table(model) if table is None else table
    labels = (
        "h/day > 50 % (brain)",
        "h/day > 90 % (brain)",
        "trough (brain)",
        "h/day > 50 % (plasma)",
        "h/day > 90 % (plasma)",
        "trough (plasma)",
    )
    head = "| regimen | " + " | ".join(labels) + " |\n|---|" + "---|" * len(labels) + "\n"
    body = ""
    for (dose, at), (ml, dr) in table.items():
        cells = [_cell(float(ml[k]), dr[k], "trough" in k) for k in ml]
        body += f"| {dose:g} mg daily at {at} | " + " | ".join(cells) + " |\n"
    return head + body


def main() -> None:
    print("### Blockade read-outs by structural variant\n")
    print(blockade_markdown())
    for model in MODEL_NAMES:
        print(f"\n### LDN at steady state (day {SS_DAYS}) — {model}\n")
        print(ldn_markdown(model))


if __name__ == "__main__":
    main()
