"""Operating characteristics of the trial analyses (docs/trials.md, "Operating characteristics").

- type-I error and power of every continuous-endpoint analysis under each dropout mechanism
  (fibromyalgia, 100 per arm, 12 weeks, 3 %/week dropout). The null design is placebo vs
  placebo (an exact null: no drug, so no virtual-patient pool and no pool error; dropout,
  placebo response, baseline spread and noise as in any trial); power is 4.5 mg at 22:00 vs
  placebo (pool 5,000, interval includes the pool's uncertainty);
- the responder analyses' two-sided type-I error at small n (the same placebo-vs-placebo null);
- the wall time of a 1,000-trial power analysis of 200 patients × 12 weeks with MMRM;
- the MS crossover effect without washout and with the default washout.

Every power carries its Monte-Carlo 95 % interval (pool uncertainty included).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ldn.parameters import default_parameters
from ldn.regimen import daily
from ldn.trials.analysis import estimate_power
from ldn.trials.design import DEFAULT_WASHOUT_WEEKS, Arm, TrialDesign
from ldn.trials.power import power_from_outcomes
from ldn.trials.simulate import simulate_trials

RESULT_NAME = "trials.json"
PARAMS = default_parameters()
LDN = daily(4.5, "22:00")
TRIALS = 1000
CHANGE_ANALYSES = ("mmrm", "ancova", "mi", "locf-ancova", "jump-to-reference", "tipping-point")
MECHANISMS = ("mcar", "mar", "mnar", "adverse-events")
PLACEBO = Arm("placebo", None)


def _design(control: Arm, **kw: Any) -> TrialDesign:
    base: dict[str, Any] = dict(
        condition="fibromyalgia", kind="parallel", treatment=Arm(LDN.describe(), LDN),
        control=control, n_per_arm=100, weeks=12,
    )  # fmt: skip
    base.update(kw)
    return TrialDesign(**base)


def _cell(summary: dict[str, Any]) -> dict[str, Any]:
    keep = ("power", "ci95_low", "ci95_high", "mean_effect", "tipping_point_median")
    return {k: summary[k] for k in keep if k in summary}


def analyses_by_mechanism() -> list[dict[str, Any]]:
    """Type-I error (null) and power (vs placebo) for each analysis × mechanism."""
    rows = []
    for mech in MECHANISMS:
        for label, treatment in (("null", PLACEBO), ("power", Arm(LDN.describe(), LDN))):
            d = _design(PLACEBO, treatment=treatment, dropout_per_week=0.03, dropout_model=mech)
            m = 2 * TRIALS if label == "null" else TRIALS
            out = simulate_trials(d, params=PARAMS, n_trials=m, seed=11, pool_size=5000)
            dropped = float((out.last_obs[..., :100] < 12).mean())
            for name in CHANGE_ANALYSES:
                res = power_from_outcomes(replace(out, design=replace(d, analysis=name)))
                rows.append(
                    {"mechanism": mech, "design": label, "analysis": name,
                     "dropped_before_week_12": round(dropped, 3), **_cell(res.summary())}
                )  # fmt: skip
    return rows


def responder_type_one() -> list[dict[str, Any]]:
    """Two-sided type-I error of the responder tests (placebo vs placebo, 4,000 trials)."""
    from ldn.trials import analysis as an

    rows = []
    null = _design(PLACEBO, treatment=PLACEBO, endpoint="responder", n_per_arm=200)
    out = simulate_trials(null, params=PARAMS, n_trials=4000, seed=5)
    for n in (6, 8, 12, 25, 50, 100, 200):
        for name in ("auto", "exact", "logistic", "z-test"):
            if name == "z-test":
                m = out.n_trials
                s = out.scores[:, :, :n].reshape(m, 2 * n, -1)
                t = np.zeros((m, 2, n), bool)
                t[:, 0] = True
                resp = out.endpoint.responder(s[..., 0], s[..., -1])
                res = an.two_proportions(resp, t.reshape(m, 2 * n), np.ones((m, 2 * n), bool))
            else:
                if name == "exact" and n > 50:
                    continue
                o = replace(out, design=replace(null, analysis=name))
                res = o.analyse(n)
            pw = estimate_power(res.p_value < 0.05)
            label = name if name != "auto" else f"default ({null.analysis_at(n)})"
            rows.append(
                {"n_per_arm": n, "analysis": label, "type_one_two_sided": round(pw.power, 4),
                 "ci95": [round(pw.ci_low, 4), round(pw.ci_high, 4)]}
            )  # fmt: skip
    return rows


def mmrm_wall_time() -> dict[str, Any]:
    """1,000 trials × 200 patients (100 per arm) × 12 weeks, MAR dropout, MMRM; and 200 per arm."""
    out = {}
    for n in (100, 200):
        d = _design(Arm("placebo", None), n_per_arm=n, dropout_per_week=0.02, dropout_model="mar")
        start = time.perf_counter()
        sim = simulate_trials(d, params=PARAMS, n_trials=TRIALS, seed=1, pool_size=5000)
        mid = time.perf_counter()
        res = power_from_outcomes(sim)
        end = time.perf_counter()
        out[f"{2 * n}_patients"] = {
            "simulate_s": round(mid - start, 2), "mmrm_analysis_s": round(end - mid, 2),
            "total_s": round(end - start, 2), **_cell(res.summary()),
        }  # fmt: skip
    return out


def crossover_washout() -> list[dict[str, Any]]:
    """MS AB/BA crossover (50 per sequence, 12-week periods): washout 0 vs the default."""
    rows = []
    for wash in (0, DEFAULT_WASHOUT_WEEKS):
        d = TrialDesign(
            condition="ms", kind="crossover", treatment=Arm(LDN.describe(), LDN),
            control=Arm("placebo", None), n_per_arm=50, weeks=12, washout_weeks=wash,
        )  # fmt: skip
        res = power_from_outcomes(simulate_trials(d, params=PARAMS, n_trials=TRIALS, seed=0))
        s = res.summary()
        rows.append(
            {"washout_weeks": wash, **_cell(s), "period_effect_mean": s["period_effect_mean"],
             "carryover_mean": s["carryover_mean"],
             "carryover_flagged_fraction": s["carryover_flagged_fraction"]}
        )  # fmt: skip
    return rows


def _section(fn: Callable[[], Any]) -> dict[str, Any]:
    """`fn()`'s rows with when it ran, the host's 1-min load average at its start and its wall time.

    The host is a shared 2-core VM: the load average says how much of it the run had.
    """
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = round(os.getloadavg()[0], 2)
    t0 = time.perf_counter()
    rows = fn()
    return {"started": started, "load_average_1min_at_start": load,
            "wall_s": round(time.perf_counter() - t0, 1), "rows": rows}  # fmt: skip


def run() -> dict[str, Any]:
    """Entry point for benchmarks/run.py."""
    return {
        "mmrm_wall_time": _section(mmrm_wall_time),
        "crossover_washout": _section(crossover_washout),
        "responder_type_one": _section(responder_type_one),
        "analyses_by_mechanism": _section(analyses_by_mechanism),
    }


if __name__ == "__main__":
    import json
    import sys

    part = sys.argv[1] if len(sys.argv) > 1 else None
    fn = {"time": mmrm_wall_time, "cross": crossover_washout, "resp": responder_type_one,
          "mech": analyses_by_mechanism}  # fmt: skip
    print(json.dumps(fn[part]() if part else run(), indent=1, default=str))
