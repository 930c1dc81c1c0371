"""Each PK variant's prediction of the check-only rows over its shipped posterior draws.

`predictions(model, rows, n)` evaluates `Predictor.value` once per posterior draw (the draws of
`ldn.model.pk_setup.model_draws`, split into scalar parameter sets) and returns, per row, the
array of predicted values.  `python tests/validation/posterior_checks.py` prints the Markdown
table of docs/model.md §4 ("Out-of-sample checks"): published value ± SD, each variant's
p50 [p5–p95], the z of the maximum-likelihood fit and pass/fail at 2 SD.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import numpy as np

from ldn.calibration.pk_data import Observation, observations
from ldn.calibration.pk_predict import Predictor
from ldn.model.pk_models import MODEL_NAMES
from ldn.model.pk_setup import ModelSetup, model_draws, model_setup

# Rows appended as out-of-sample checks (published human data that is not in /work/shared/facts).
NEW_CHECKS: Final = (
    "cnbe_cmax_ntx",
    "cnbe_tmax_ntx",
    "cnbe_auc_ntx",
    "cnbe_thalf_ntx",
    "cnbe_thalf_nol",
    "cnlabel_cmax_ntx",
    "cnlabel_cmax_nol",
    "cone_urine_nol_6d",
    "bekier_ss_sum_8h",
)
K_SD: Final = 2.0
N_DRAWS: Final = 100


def _pick(obj: Any, i: int) -> Any:
    """Draw `i` of a dataclass whose fields are scalars or arrays over draws."""
    vals = {
        f.name: np.asarray(getattr(obj, f.name))[i]
        for f in dataclasses.fields(obj)
        if np.ndim(getattr(obj, f.name)) > 0
    }
    return dataclasses.replace(obj, **vals)


def draw_predictors(model: str, n: int = N_DRAWS) -> list[Predictor]:
    """One scalar `Predictor` per posterior draw of `model`."""
    d = model_draws(model, n)
    k = d.n_draws or 1
    out = []
    for i in range(k):
        extra = {key: (np.asarray(v)[i] if np.ndim(v) > 0 else v) for key, v in d.extra.items()}
        out.append(Predictor(model, _pick(d.pk, i), _pick(d.binding, i), extra))
    return out


def ml_predictor(model: str) -> Predictor:
    s: ModelSetup = model_setup(model)
    return Predictor(model, s.pk, s.binding, s.extra)


def predictions(
    model: str, rows: tuple[Observation, ...], n: int = N_DRAWS
) -> dict[str, np.ndarray]:
    """Row id → predicted values over `n` posterior draws of `model`."""
    preds = draw_predictors(model, n)
    return {o.id: np.array([p.value(o) for p in preds]) for o in rows}


def new_check_rows() -> tuple[Observation, ...]:
    by = {o.id: o for o in observations()}
    return tuple(by[i] for i in NEW_CHECKS)


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def markdown_table(n: int = N_DRAWS) -> str:
    rows = new_check_rows()
    per_model = {m: predictions(m, rows, n) for m in MODEL_NAMES}
    ml = {m: ml_predictor(m) for m in MODEL_NAMES}
    head = "| check | published ± SD | " + " | ".join(
        f"`{m}` p50 [p5–p95]; z (ML)" for m in MODEL_NAMES
    )
    lines = [head + " |", "|---|---|" + "---|" * len(MODEL_NAMES)]
    passed = dict.fromkeys(MODEL_NAMES, 0)
    for o in rows:
        cells = []
        for m in MODEL_NAMES:
            p5, p50, p95 = np.percentile(per_model[m][o.id], (5, 50, 95))
            z = (ml[m].value(o) - o.value) / o.sd
            verdict = "pass" if abs(z) <= K_SD else "**fail**"
            band = "in band" if p5 <= o.value <= p95 else "outside band"
            cells.append(f"{_fmt(p50)} [{_fmt(p5)}–{_fmt(p95)}] ({band}); z {z:+.1f} {verdict}")
            passed[m] += abs(z) <= K_SD
        lines.append(
            f"| `{o.id}` ({o.quantity}, {o.analyte}, {_fmt(o.dose_mg)} mg) "
            f"| {_fmt(o.value)} ± {_fmt(o.sd)} {o.unit} | " + " | ".join(cells) + " |"
        )
    lines.append(
        f"| passed (ML within {K_SD:g} SD) | | "
        + " | ".join(f"{passed[m]}/{len(rows)}" for m in MODEL_NAMES)
        + " |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
