"""Dropout mechanisms and missing-data analyses on virtual trials with a stand-in response."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ldn.trials.dropout import adverse_event_hazards
from ldn.trials.power import power_from_outcomes

from .test_simulate import ENDPOINT, design, run

MC = 4.0  # tolerance in Monte-Carlo standard errors


def _with(out, **kw):
    return replace(out, design=replace(out.design, **kw))


def test_mar_dropout_depends_on_the_last_observed_score() -> None:
    out = run(design(weeks=8, n_per_arm=200, dropout_per_week=0.08, dropout_model="mar"), 0.0,
              n_trials=20)  # fmt: skip
    s, last = out.scores[:, 1], out.last_obs[:, 1]
    dropped = (last >= 1) & (last < 8)
    prev = np.take_along_axis(s, last[..., None], axis=-1)[..., 0]  # last observed score
    stayed = s[..., 1:8].mean(axis=-1)
    assert prev[dropped].mean() > stayed[~dropped].mean() + 0.2  # pain: higher is worse
    assert 0.2 < (last < 8).mean() < 0.7


def test_adverse_event_dropout_uses_the_evidence_rates() -> None:
    """FINAL 2024: 4/49 LDN vs 3/50 placebo stopped for side effects over 12 weeks."""
    drug, placebo = adverse_event_hazards()
    assert drug == pytest.approx(1 - (1 - 4 / 49) ** (1 / 12), rel=1e-12)
    assert placebo == pytest.approx(1 - (1 - 3 / 50) ** (1 / 12), rel=1e-12)
    out = run(design(weeks=12, n_per_arm=400, dropout_model="adverse-events"), 0.0, n_trials=20)
    frac = (out.last_obs < 12).mean(axis=(0, 2))
    assert frac[0] == pytest.approx(4 / 49, abs=0.02) and frac[1] == pytest.approx(3 / 50, abs=0.02)


def test_null_type_one_error_of_each_analysis_under_mar() -> None:
    """No drug effect, MAR dropout: one-sided significant fraction α/2 within MC error."""
    out = run(design(weeks=4, n_per_arm=40, dropout_per_week=0.1, dropout_model="mar"), 0.0,
              n_trials=600, pool_size=None)  # fmt: skip
    for name in ("mmrm", "ancova", "mi", "jump-to-reference"):
        pw = _with(out, analysis=name).power()
        assert abs(pw.power - 0.025) < MC * np.sqrt(0.025 * 0.975 / 600), name


def test_mmrm_is_unbiased_under_mar_and_biased_under_mnar_sensitivity_is_conservative() -> None:
    full = run(design(weeks=6, n_per_arm=150), 0.25, n_trials=150, pool_size=None)
    truth = power_from_outcomes(_with(full, analysis="ancova")).mean_effect
    mar = run(design(weeks=6, n_per_arm=150, dropout_per_week=0.08, dropout_model="mar"), 0.25,
              n_trials=150, pool_size=None)  # fmt: skip
    locf = power_from_outcomes(_with(mar, analysis="locf-ancova")).mean_effect
    mmrm = power_from_outcomes(_with(mar, analysis="mmrm"))
    assert abs(mmrm.mean_effect - truth) < 0.1 * abs(truth)
    assert abs(locf - truth) > abs(mmrm.mean_effect - truth)
    j2r = power_from_outcomes(_with(mar, analysis="jump-to-reference")).mean_effect
    assert abs(j2r) < abs(mmrm.mean_effect)  # treated dropouts lose their benefit
    tip = power_from_outcomes(_with(mar, analysis="tipping-point"))
    powers = [row["power"] for row in tip.extras["power_by_delta"]]
    assert powers == sorted(powers, reverse=True) and powers[-1] < powers[0]
    assert tip.extras["tipping_point_median"] > 0


def test_responder_dropouts_are_non_responders() -> None:
    """Non-responder imputation: a patient not seen at the last visit never counts."""
    out = run(design(endpoint="responder", n_per_arm=60, dropout_per_week=0.15), 0.3, n_trials=30)
    res = out.analyse()
    base, final = out.scores[..., 0], out.scores[..., -1]
    seen = out.last_obs == out.scores.shape[-1] - 1
    resp = ENDPOINT.responder(base, final) & seen
    expected = resp[:, 0].mean(axis=1) - resp[:, 1].mean(axis=1)
    np.testing.assert_allclose(res.estimate, expected, rtol=1e-12)
    loose = ENDPOINT.responder(base, final)
    assert np.any(loose & ~seen)  # some dropouts would have responded; they are not counted


def test_default_responder_test_keeps_type_one_error_at_small_n() -> None:
    """Exact (Boschloo) by default below 50 per arm: two-sided size ≤ α (MC tolerance)."""
    for n in (6, 8, 12):
        out = run(design(endpoint="responder", n_per_arm=n), 0.0, n_trials=400, pool_size=None)
        assert out.design.analysis_at(n) == "exact"
        size = (out.analyse().p_value < 0.05).mean()
        assert size <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 400), n


def test_small_pool_widens_the_interval_to_cover_the_truth() -> None:
    """A null trial (same regimen in both arms) from pools of 15: the interval includes α/2."""
    from ldn.regimen.schedule import daily
    from ldn.trials.design import Arm

    same = Arm("LDN", daily(4.5, "22:00"))
    out = run(design(control=same, n_per_arm=100, weeks=3), 0.3, n_trials=400, pool_size=15)
    res = power_from_outcomes(out)
    assert res.power.pool_se > 0 and res.warnings
    assert res.power.ci_low <= 0.025 <= res.power.ci_high
