"""Out-of-sample checks: published human values appended to pk_observations.csv after the fit.

They are `use = check` rows, so the fit never saw them; the tests below prove that (the stored
fit of every variant holds exactly the `fit` rows), compare the default variant's posterior
draws with each of them at the study's reported spread, and record the misses honestly (strict
expected failures with the measured z; see docs/model.md §4, "Out-of-sample checks").
The per-row comparison of the maximum-likelihood model is in test_published_values.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from ldn.calibration.pk_data import Observation, fit_set
from ldn.pk_fits import default_model, fits

from .posterior_checks import K_SD, NEW_CHECKS, new_check_rows, predictions

# Default variant's posterior median misses the published value by more than 2 SD (measured
# z of the posterior p50; reasons in docs/model.md §4).
POSTERIOR_MISSES: dict[str, str] = {
    "cnbe_auc_ntx": "posterior p50 92.3 vs 66.2 ± 8.4 ng·h/mL (z +3.1): the model's naltrexone "
    "AUC0-24 after 50 mg (fitted to Bertolotti's 200 ng·h/mL after 100 mg) is ~1.4× this "
    "Chinese bioequivalence study's, whose Cmax is higher and half-life shorter (3.3 h)",
    "cnlabel_cmax_ntx": "posterior p50 14.5 vs 8.6 ± 2.6 ng/mL (z +2.3; the ML fit passes, "
    "z +1.7): the older US label's 8.6 ng/mL and the Chinese study's 16.6 ng/mL bracket the "
    "model's 13-14.5 ng/mL; the spread of the label value is an assumption (CV 30 %)",
    "bekier_ss_sum_8h": "posterior p50 48.6 ng/mL vs 18.5 ± 11 (z +2.7): naltrexone + "
    "6β-naltrexol 8 h after the dose at steady state in outpatients is ~2.6× lower than the "
    "model (which follows the label's 108 ng/mL 6β-naltrexol peak); adherence unverified",
}


def test_check_rows_never_enter_the_fit() -> None:
    fitted = {o.id for o in fit_set()}
    assert not fitted & set(NEW_CHECKS)
    for name, table in fits()["models"].items():
        assert set(table["z"]) == fitted, name
        assert table["n_obs"] == len(fitted), name


def test_new_rows_are_sourced_check_rows() -> None:
    for o in new_check_rows():
        assert o.use == "check"
        assert o.provenance.url.startswith("http") and o.provenance.quote and o.provenance.source
        assert np.isfinite(o.value) and np.isfinite(o.sd) and o.sd > 0


def _case(o: Observation) -> object:
    marks = []
    if o.id in POSTERIOR_MISSES:
        marks.append(pytest.mark.xfail(strict=True, reason=POSTERIOR_MISSES[o.id]))
    return pytest.param(o, id=o.id, marks=marks)


@pytest.fixture(scope="module")
def default_draws() -> dict[str, np.ndarray]:
    return predictions(default_model(), new_check_rows(), 100)


@pytest.mark.parametrize("obs", [_case(o) for o in new_check_rows()])
def test_default_posterior_median_within_two_sd(
    obs: Observation, default_draws: dict[str, np.ndarray]
) -> None:
    p50 = float(np.median(default_draws[obs.id]))
    z = (p50 - obs.value) / obs.sd
    assert abs(z) <= K_SD, f"{obs.id}: posterior p50 {p50:.4g} vs {obs.value:.4g} ± {obs.sd:.3g}"


def test_doubling_the_daily_dose_doubles_6b_naltrexol() -> None:
    """Laboratory study in heavy drinkers, 50 vs 100 mg/day for 8 days (n = 23): "Doubling
    the naltrexone dose (50 vs. 100 mg/day) doubled the mean serum 6-beta-naltrexol levels."
    (https://acnpsearch.tweb-dev.unibo.it/singlejournalindex/75478705).  Check: the default
    variant's steady-state 6β-naltrexol at 8 h scales 2.0 ± 0.1 with the dose."""
    from .posterior_checks import ml_predictor

    p = ml_predictor(default_model())
    ratio = p.steady_state_sum(100.0, 8.0) / p.steady_state_sum(50.0, 8.0)
    assert ratio == pytest.approx(2.0, abs=0.1)
