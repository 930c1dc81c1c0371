"""Disease modules: scales, bounds, placebo response, noise."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.model.chain import CONDITIONS, scale_parameters
from ldn.model.disease import get_condition
from ldn.model.disease.base import H_PER_WEEK, activity_target, expected_score, noisy_scores
from ldn.parameters import default_parameters

EXPECTED_COLUMNS = {
    "crohns": ("cdai",),
    "ra": ("das28",),
    "sle": ("sledai2k",),
    "psoriasis": ("pasi",),
    "ms": ("sf36_mcs",),
    "fibromyalgia": ("pain_nrs", "fiqr"),
}


def test_six_conditions_named_after_their_scales() -> None:
    assert set(CONDITIONS) == set(EXPECTED_COLUMNS)
    for name, cols in EXPECTED_COLUMNS.items():
        assert tuple(s.column for s in get_condition(name).scales) == cols


def test_unknown_condition_lists_the_choices() -> None:
    with pytest.raises(InputError, match="choose one of crohns, ra, sle"):
        get_condition("asthma")
    assert get_condition("Crohn's").name == "crohns"
    with pytest.raises(InputError, match="unknown condition"):
        get_condition(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spelling", "name"),
    [("Crohn's disease", "crohns"), ("CROHN", "crohns"), ("lupus", "sle"), ("F-M", "fibromyalgia"),
     ("Multiple sclerosis", "ms"), ("sclerosis", None), ("ra", "ra")],
)  # fmt: skip
def test_aliases_from_the_conditions_file(spelling: str, name: str | None) -> None:
    if name is None:
        with pytest.raises(InputError):
            get_condition(spelling)
    else:
        assert get_condition(spelling).name == name


def test_each_condition_is_calibrated_on_one_of_its_scales_with_parameters_on_file() -> None:
    params = default_parameters()
    for name in CONDITIONS:
        cond = get_condition(name)
        assert cond.target.column in {s.column for s in cond.scales}
        assert cond.target.source.strip()
        assert cond.target.weeks == cond.readout_weeks
        assert set(scale_parameters(params, name)) == {s.column for s in cond.scales}
        assert params.value(f"{cond.prefix}.effect_gain") is not None


@pytest.mark.parametrize("condition", sorted(EXPECTED_COLUMNS))
def test_placebo_arm_reaches_its_placebo_change_at_readout(condition: str) -> None:
    cond = get_condition(condition)
    for scale in cond.scales:
        sp = scale_parameters(default_parameters(), condition)[scale.column]
        t = np.array([0.0, cond.readout_weeks * H_PER_WEEK])
        score = expected_score(np.ones(2), t, scale, sp)
        assert score[0] == pytest.approx(sp.baseline)
        assert score[1] - score[0] == pytest.approx(sp.placebo_change)


@settings(deadline=None)
@given(a=st.floats(0.0, 50.0), seed=st.integers(0, 2**16))
def test_scores_stay_within_scale_bounds(a: float, seed: int) -> None:
    p = default_parameters()
    for condition in CONDITIONS:
        for scale in get_condition(condition).scales:
            sp = scale_parameters(p, condition)[scale.column]
            exp = expected_score(np.full(3, a), np.array([0.0, 500.0, 2000.0]), scale, sp)
            obs = noisy_scores(exp, scale, sp, seed)
            assert np.all((scale.low <= exp) & (exp <= scale.high))
            assert np.all((scale.low <= obs) & (obs <= scale.high))


def test_noise_has_the_stated_sd_and_is_reproducible() -> None:
    cond = get_condition("crohns")
    sp = scale_parameters(default_parameters(), "crohns")["cdai"]
    exp = np.full(20000, 300.0)
    a = noisy_scores(exp, cond.scales[0], sp, 7)
    np.testing.assert_array_equal(a, noisy_scores(exp, cond.scales[0], sp, 7))
    assert a.std() == pytest.approx(sp.noise_sd, rel=0.03)


@settings(deadline=None)
@given(c=st.floats(0.5, 1.5), beta=st.floats(0.0, 100.0), amax=st.floats(1.2, 3.0))
def test_activity_target_is_bounded_and_linear_near_baseline(
    c: float, beta: float, amax: float
) -> None:
    target = activity_target(c, beta, amax)
    assert 0.0 <= target <= amax
    assert activity_target(1.0, beta, amax) == pytest.approx(1.0)
    assert activity_target(1.0 + 1e-7, 1.0, amax) - 1.0 == pytest.approx(1e-7, rel=1e-4)
