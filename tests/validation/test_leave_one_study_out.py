"""Leave-one-study-out: each study is predicted by a fit that never saw it.

`ldn calibrate-pk` refits every variant without each study and stores the RMS z-score of the
left-out study's values (pk_models.toml, table `loso`).  The first test reads those; the second
repeats one refit live (Weerts 2008, the only steady-state daily-dosing PET value) from the
shipped optimum with a bounded number of evaluations, so the machinery itself is exercised.
"""

from __future__ import annotations

import numpy as np
import pytest

from ldn.calibration import pk_fit
from ldn.calibration.pk_data import fit_set
from ldn.calibration.pk_predict import Predictor
from ldn.parameters import default_parameters
from ldn.pk_fits import default_model, fits

# A left-out study predicted within 2.5 SD (RMS over its values) counts as predicted.
MAX_RMS_Z = 2.5
# Studies the default variant does NOT predict when left out, and why (docs/model.md §4).
# Listed so the test fails the day one of them becomes predictable (then remove it here).
KNOWN_LOSO_MISSES = {
    "label": "holds the 48-h q48h occupancy, heroin onset/durations and Cmax: without it nothing "
    "else pins the height of the blockade tail",
    "meyer1984": "the only value tying 6β-naltrexol AUC to its renal clearance; without it the "
    "fit follows Bertolotti's AUC, which implies ~2× Meyer's urinary recovery",
    "lee1988": "the only terminal-phase and PET half-time data; without them the tail is set by "
    "the label's q48h statement alone and the half-time drifts",
}


def test_stored_loso_errors_of_the_default_variant() -> None:
    loso = fits()["models"][default_model()]["loso"]
    assert set(loso) == {o.study for o in fit_set()}
    overall = float(np.sqrt(np.mean(np.square(list(loso.values())))))
    assert overall <= MAX_RMS_Z
    for study, rms in loso.items():
        if study in KNOWN_LOSO_MISSES:
            assert rms > MAX_RMS_Z, f"{study} is now predicted (RMS z {rms}); update the list"
        else:
            assert rms <= MAX_RMS_Z, f"{study} not predicted when left out: RMS z {rms}"


def test_weerts_2008_predicted_without_it() -> None:
    base = default_parameters()
    model = default_model()
    sp = pk_fit.space(model)
    stored = fits()["models"][model]["values"]
    x0 = np.log([stored[n] for n in sp.names])
    train = tuple(o for o in fit_set() if o.study != "weerts2008")
    test = tuple(o for o in fit_set() if o.study == "weerts2008")
    from scipy.optimize import least_squares

    sol = least_squares(pk_fit.residual_fn(sp, base, train), x0, bounds=(sp.lo, sp.hi), max_nfev=40)
    pk, b, extra = pk_fit.unpack(sp, sol.x, base)
    z = pk_fit.z_scores(Predictor(model, pk, b, extra), test)
    assert np.all(np.abs(z) <= MAX_RMS_Z), z
    assert test[0].value == pytest.approx(0.949)
