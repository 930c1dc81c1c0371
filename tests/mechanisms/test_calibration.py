"""Calibration: trials from the evidence, likelihoods, stacking, the posterior files, reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ldn.errors import InputError
from ldn.evidence.dataset import load_studies
from ldn.mechanisms.data import calibration_trials
from ldn.mechanisms.fit import ConvergenceError, check_convergence
from ldn.mechanisms.model import Layout, log_likelihood, placebo_change, sd_change
from ldn.mechanisms.report import at_assumed_bound, hypotheses_report
from ldn.mechanisms.weights import _stack, stacking_weights
from ldn.model.hypotheses import get_family
from ldn.parameters import default_parameters

PARAMS = default_parameters()


def _trials() -> dict:
    used, _ = calibration_trials()
    return {t.study_id: t for t in used}


def test_trials_read_from_the_evidence_at_their_reported_level() -> None:
    t = _trials()
    smith = t["Smith2011_CD"]  # Smith 2011: 88 % vs 40 % with a CDAI fall >= 70, 20 per arm
    assert (smith.kind, smith.counts, smith.threshold) == ("binomial", (18, 20, 8, 20), 70.0)
    cree = t["Cree2010_MS"]  # Cree 2010 crossover, MCS +3.3, p = 0.04, 60 completers
    assert cree.crossover and cree.se == pytest.approx(3.3 / stats.t.ppf(0.98, 59))
    final = t["Bruun2024_FINAL_FM"]  # FINAL: −0.34 (−0.95 to 0.27), 6 mg titrated over 4 weeks
    assert final.se == pytest.approx(1.22 / (2 * 1.959964), rel=1e-5)
    assert "6 mg daily at 22:00 from day 22" in final.regimen.describe()
    assert t["Younger2013_FM"].relative and all(x.role == "fit" for x in t.values())


def test_later_trials_are_validation_only() -> None:
    studies = load_studies()
    row = studies[studies["study_id"] == "Cree2010_MS"].iloc[[0]].copy()
    row["year"] = 2025
    row["study_id"] = "Later2025_MS"
    used, _ = calibration_trials(pd.concat([studies, row], ignore_index=True))
    roles = {t.study_id: t.role for t in used}
    assert roles["Later2025_MS"] == "validation" and roles["Cree2010_MS"] == "fit"


def test_likelihoods_at_the_reported_level() -> None:
    t = _trials()
    cree = t["Cree2010_MS"]
    eff, tau = np.array([0.0, 3.3]), np.array([0.0, 0.1])
    var = cree.se**2 + (0.1 * sd_change(cree, PARAMS)) ** 2
    expected = [stats.norm.logpdf(3.3, 0.0, cree.se), stats.norm.logpdf(3.3, 3.3, np.sqrt(var))]
    np.testing.assert_allclose(log_likelihood(eff, tau, cree, PARAMS), expected, rtol=1e-10)
    smith = t["Smith2011_CD"]
    m_c, sd = placebo_change(smith, PARAMS), sd_change(smith, PARAMS)
    p_c = stats.norm.cdf((-m_c - 70) / sd)  # 40 % of placebo patients respond (calibrated)
    assert p_c == pytest.approx(0.40, abs=0.005)
    p_t = stats.norm.cdf((-(m_c - 50) - 70) / sd)
    ll = log_likelihood(np.array([-50.0]), np.array([0.0]), smith, PARAMS)[0]
    assert ll == pytest.approx(stats.binom.logpmf(18, 20, p_t) + stats.binom.logpmf(8, 20, p_c))


def test_prior_support_and_draws() -> None:
    used, _ = calibration_trials()
    layout = Layout.build(get_family("rebound_threshold"), used, PARAMS)
    theta = layout.sample_prior(200, np.random.default_rng(0))
    assert np.all(np.isfinite(layout.log_prior(theta)))
    theta[0, 0] = 1.5  # outside the unit cube
    theta[1, layout.names.index("tau")] = -0.1
    assert np.all(np.isneginf(layout.log_prior(theta)[:2]))
    thr = layout.mechanism(theta[2:])["hypothesis.threshold_occupancy"]
    assert thr.min() >= 0.5 and thr.max() <= 0.95


def test_log_gain_takes_any_spelling_and_refuses_a_condition_without_trials() -> None:
    used, _ = calibration_trials()
    layout = Layout.build(get_family("rebound_threshold"), used, PARAMS)
    theta = layout.sample_prior(5, np.random.default_rng(1))
    assert "fibromyalgia" in layout.conditions and "sle" not in layout.conditions
    fm = layout.log_gain(theta, "fibromyalgia")
    np.testing.assert_array_equal(layout.log_gain(theta, "fm"), fm)
    np.testing.assert_array_equal(layout.log_gain(theta, "Fibromyalgia"), fm)
    with pytest.raises(InputError, match="no fitted trials for 'sle'"):
        layout.log_gain(theta, "sle")
    with pytest.raises(InputError, match="unknown condition"):
        layout.log_gain(theta, "gout")
    z = np.zeros(5)
    np.testing.assert_array_equal(
        layout.log_gain(theta, "sle", z), theta[:, layout.names.index("log_gain_mean")]
    )


def test_stacking_weights() -> None:
    rng = np.random.default_rng(0)
    elpd = np.column_stack([rng.normal(-3, 0.3, 8), rng.normal(-6, 0.3, 8)])
    w, lo, _ = stacking_weights(elpd)
    assert w.sum() == pytest.approx(1.0) and w[0] > 0.95 and np.all(lo <= w + 1e-9)
    # two equally good, independent families: stacking splits the weight between them
    elpd = np.array([[-1.0, -5.0], [-5.0, -1.0]])
    assert _stack(elpd, np.ones(2)) == pytest.approx([0.5, 0.5], abs=1e-3)


def test_convergence_check_fails_loudly() -> None:
    check_convergence({"rhat_max": 1.01, "ess_bulk_min": 900.0}, "x")
    with pytest.raises(ConvergenceError, match="not converged"):
        check_convergence({"rhat_max": 1.3, "ess_bulk_min": 900.0}, "x")
    with pytest.raises(ConvergenceError, match="ESS"):
        check_convergence({"rhat_max": 1.0, "ess_bulk_min": 20.0}, "x")


def test_calibration_files_and_provenance(tiny_calibration: tuple[Path, dict]) -> None:
    out, summary = tiny_calibration
    assert {p.name for p in out.iterdir()} == {"null.nc", "rebound_brain.nc", "summary.json"}
    prov = summary["provenance"]
    assert len(prov["evidence_sha256"]) == 64 and prov["cutoff_year"] == 2024
    w = summary["weights"]["all"]
    assert sum(v["weight"] for v in w.values()) == pytest.approx(1.0, abs=1e-6)
    assert json.loads((out / "summary.json").read_text())["families"].keys() == w.keys()
    for fam in summary["families"].values():
        assert len(fam["ppc"]) == 5 and {"covered", "loo_pit", "pp_low"} <= set(fam["ppc"][0])


def test_hypotheses_report_shape_and_flags(tiny_calibration: tuple[Path, dict]) -> None:
    out, _ = tiny_calibration
    rep = hypotheses_report("sle", out)
    assert set(rep) == {"condition", "hypotheses", "model_average"}
    assert {"converged", "rhat_max"} <= set(rep["hypotheses"][1])
    keys = {"regimen", "dose_mg", "scale", "weeks", "mean", "pi_low", "pi_high",
            "prior_dominated", "not_estimable", "at_assumed_bound"}  # fmt: skip
    for h in rep["hypotheses"]:
        assert {"name", "weight", "effects"} <= set(h)
        for e in h["effects"]:
            assert set(e) == keys and e["not_estimable"]
            assert e["pi_low"] <= e["mean"] <= e["pi_high"]
    assert {e["dose_mg"] for e in rep["model_average"]["effects"]} == {4.5, 50.0}
    crohns = hypotheses_report("crohns", out)
    assert not any(e["not_estimable"] for e in crohns["model_average"]["effects"])
    null = next(h for h in crohns["hypotheses"] if h["name"] == "null")
    assert all(e["mean"] == 0.0 for e in null["effects"])


def test_clipped_draws_are_flagged_as_echoing_the_assumed_bound() -> None:
    rng = np.random.default_rng(0)
    smooth = rng.normal(100.0, 20.0, 4000)
    assert not at_assumed_bound(smooth)
    assert not at_assumed_bound(np.zeros(100))  # the null family: constant, not clipped
    assert at_assumed_bound(np.minimum(smooth, 110.0))  # ~31 % of the draws at a ceiling
    assert at_assumed_bound(np.maximum(smooth, 80.0))  # and at a floor


def test_shipped_crohns_50mg_interval_is_flagged_when_it_reaches_the_ceiling() -> None:
    """The shipped posterior: Crohn's 50 mg daily sits on the assumed activity ceiling."""
    rep = hypotheses_report("crohns")
    for e in rep["model_average"]["effects"]:
        if e["dose_mg"] == 50.0 and e["at_assumed_bound"]:
            assert e["prior_dominated"]
    assert any(e["at_assumed_bound"] for e in rep["model_average"]["effects"])


def test_assurance_hook_draws_one_trajectory_per_replicate(
    tiny_calibration: tuple[Path, dict],
) -> None:
    from ldn.mechanisms.assurance import posterior_hook, supports
    from ldn.regimen import daily
    from ldn.trials.design import Arm, TrialDesign

    out, _ = tiny_calibration
    reg = daily(4.5, "22:00")
    design = TrialDesign("crohns", "parallel", Arm(reg.describe(), reg), Arm("placebo", None),
                         n_per_arm=4, weeks=3)  # fmt: skip
    assert supports(design) and not supports(
        TrialDesign("crohns", "n_of_1", Arm(reg.describe(), reg), Arm("placebo", None), 4, 3)
    )
    hook = posterior_hook(design, PARAMS, n_trials=6, seed=0, directory=out)
    act = 1.0 + 0.01 * np.random.default_rng(0).normal(size=(6, 4, 4))
    new = hook(0, act)
    assert new.shape == act.shape
    # each patient keeps their deviation from the others in the same replicate
    np.testing.assert_allclose(new - new[:, :1], act - act[:, :1], atol=1e-12)
    assert np.allclose(new[:, :, 0].mean(axis=1), act[:, :, 0].mean(axis=1) - act[:, :, 0].mean()
                       + 1.0)  # fmt: skip  # week 0: every draw starts untreated
    np.testing.assert_array_equal(hook(1, np.ones((6, 4, 4))), np.ones((6, 4, 4)))  # placebo


def test_untested_condition_weights_are_pseudo_bma_over_all_trials(
    tiny_calibration: tuple[Path, dict], tmp_path: Path
) -> None:
    """SLE has no trial: its family weights are every trial's pseudo-BMA weights (not the
    degenerate stacking optimum), and `reweigh` recomputes the stored weights exactly."""
    import shutil

    from ldn.mechanisms.report import family_weights, load_posterior
    from ldn.mechanisms.run import reweigh

    out, summary = tiny_calibration
    weights = summary["weights"]
    untested = weights["untested"]
    assert sum(v["weight"] for v in untested.values()) == pytest.approx(1.0, abs=1e-9)

    # pseudo-BMA over all trials ∝ Π_conditions (per-condition weight · its normaliser): with
    # two families the log-odds of the pooled weights is the sum of the per-condition log-odds
    def logit(w: dict) -> float:
        return float(np.log(w["rebound_brain"]["weight"]) - np.log(w["null"]["weight"]))

    per_condition = sum(logit(weights[c]) for c in ("crohns", "ms", "fibromyalgia"))
    assert logit(untested) == pytest.approx(per_condition, rel=1e-9, abs=1e-9)
    assert family_weights(load_posterior(out), "sle") == untested
    copy = tmp_path / "fit"
    shutil.copytree(out, copy)
    assert reweigh(copy)["weights"] == json.loads((out / "summary.json").read_text())["weights"]
    old = json.loads((copy / "summary.json").read_text())
    del old["weights"]["untested"]
    (copy / "summary.json").write_text(json.dumps(old))
    with pytest.raises(InputError, match="--reweigh"):
        family_weights(load_posterior(copy), "sle")
