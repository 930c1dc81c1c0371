"""Every published human value, compared at its published dose and time with the default model.

Data: src/ldn/data/pk_observations.csv (value, time, dose, spread, source URL and quote, and
whether the value was used to FIT the model or only to CHECK it).  Tolerance: 2 × the study's
reported spread (SD of the subjects; half the range when a range is published; where no spread
was published the file carries a labelled assumption).  A value that the default model misses
is listed in KNOWN_MISSES with the reason, and tested as a strict expected failure, so the day
the model reaches it the test says so.

The `fit-…` cases are calibration round trips, marked `calibration_round_trip`: the model was
fitted to those very numbers, so they show consistency, not predictive accuracy.  Only the
`check-…` cases are out-of-sample (`pytest -m "not calibration_round_trip"` runs those alone).

Scan/sample times: Rabiner 2011 published only "< 8 h" — the model's mean over 1–8 h is
compared; Weerts 2008 gives the scan day, not the hour — the mean over that dosing day is
compared.  These are the published windows, not tolerances added by us.
"""

from __future__ import annotations

import numpy as np
import pytest

from ldn.calibration.pk_data import Observation, observations
from ldn.calibration.pk_predict import Predictor
from ldn.model.pk_setup import model_setup

K_SD = 2.0
NUMERIC = tuple(o for o in observations() if o.use in ("fit", "check") and np.isfinite(o.sd))
# id → reason the default model misses it (tested as strict xfail)
KNOWN_MISSES: dict[str, str] = {
    # out-of-sample checks added after the fit (docs/model.md §4, "Out-of-sample checks")
    "cnbe_cmax_ntx": "model Cmax 13.0 vs 16.6 ± 1.6 ng/mL (z -2.3): fitted to the label's "
    "13.3 ng/mL; this 10-subject Chinese study has a small SD and a higher peak",
    "cnbe_auc_ntx": "model AUC0-24 85.0 vs 66.2 ± 8.4 ng·h/mL (z +2.2): the model's naltrexone "
    "declines more slowly than this study's (t½β 3.3 h); AUC interval not given (0-24 h assumed)",
    "bekier_ss_sum_8h": "model 50.8 vs 18.5 ± 11 ng/mL (z +2.9): naltrexone + 6β-naltrexol "
    "8 h after the dose at steady state in outpatients is ~2.7× below the model, which follows "
    "the label's 108 ng/mL 6β-naltrexol peak; adherence unverified, group sizes assumed",
}


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    s = model_setup()
    return Predictor(s.model, s.pk, s.binding, s.extra)


def _case(o: Observation) -> object:
    marks = [pytest.mark.calibration_round_trip] if o.use == "fit" else []
    if o.id in KNOWN_MISSES:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[o.id]))
    return pytest.param(o, id=f"{o.use}-{o.id}", marks=marks)


@pytest.mark.parametrize("obs", [_case(o) for o in NUMERIC])
def test_published_value_within_two_sd(obs: Observation, predictor: Predictor) -> None:
    model = predictor.value(obs)
    assert abs(model - obs.value) <= K_SD * obs.sd, (
        f"{obs.id} ({obs.use}): model {model:.4g} vs published {obs.value:.4g} ± {obs.sd:.3g} "
        f"[{obs.provenance.source}]"
    )


def test_every_row_says_fit_or_check_and_has_a_source() -> None:
    rows = observations()
    assert {o.use for o in rows} <= {"fit", "check", "constraint"}
    assert sum(o.use == "fit" for o in rows) >= 20
    assert sum(o.use == "check" for o in rows) >= 8
    assert all(o.provenance.url.startswith("http") and o.provenance.quote for o in rows)


# --- qualitative statements (no number published): check data only -------------------------
DETECTABLE = 0.10  # ASSUMED PET detection threshold (typical test-retest variability)


def test_cpt_2005_blockade_detected_where_reported(predictor: Predictor) -> None:
    """CPT 2005;77:P26: significant blockade 24 h after 12.5 mg and 144 h after 50/100 mg."""
    assert predictor.at(12.5, 24.0) >= DETECTABLE
    assert predictor.at(50.0, 144.0) >= DETECTABLE


def test_cpt_2005_low_dose_fades_first(predictor: Predictor) -> None:
    """CPT 2005: 12.5 mg not significant at 72 h while 50/100 mg still were."""
    assert predictor.at(12.5, 72.0) < predictor.at(50.0, 72.0) < predictor.at(100.0, 72.0)


def test_volavka_1976_80mg_still_blocks_at_48h(predictor: Predictor) -> None:
    """155 ex-addicts: 80 mg effective for 48 h (heroin challenge); with the label's 50 mg/24 h
    blockade level as the threshold, 80 mg must still exceed it at 48 h."""
    assert predictor.at(80.0, 48.0) >= predictor.at(50.0, 24.0) - 0.02


def test_trostheim_50mg_session_above_85pct(predictor: Predictor) -> None:
    """Trøstheim 2022: > 90 % MOR blockade for a ~60-min session after 50 mg (model-based
    statement of the authors); check: ≥ 0.85 at 1–2 h."""
    assert min(predictor.at(50.0, 1.0), predictor.at(50.0, 2.0)) >= 0.85


def test_meyer_1984_dose_proportional_auc(predictor: Predictor) -> None:
    """Meyer 1984 (check): "excellent linearity" of AUC with dose 50-200 mg; the model is linear."""
    from ldn.model.superposition import regimen_auc
    from ldn.regimen import DoseEvents

    auc = [
        regimen_auc(predictor.system, DoseEvents(t_h=[0.0], dose_mg=[d]), 0.0, 240.0)[:2]
        for d in (50.0, 100.0, 200.0)
    ]
    np.testing.assert_allclose(np.array(auc[2]) / auc[0], 4.0, rtol=1e-9)


def test_trostheim_2022_dor_at_50mg_is_small(predictor: Predictor) -> None:
    """Trøstheim 2022 (check, model-based): about 10 % DOR blockade after 50 mg; 3-25 %."""
    _, occ = predictor.single(50.0)
    assert 0.03 <= occ["dor"][:800].max() <= 0.25
