"""Virtual populations: reproducibility, chunk invariance and the variability they encode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ldn.errors import InputError
from ldn.parameters import default_parameters
from ldn.population.rng import BLOCK, patient_normals
from ldn.population.sampling import VariabilitySpec, sample_patients, sample_population

SPEC = VariabilitySpec.from_parameters(default_parameters())


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 3 * BLOCK), st.integers(1, 2 * BLOCK), st.integers(0, 2**32))
def test_any_slice_equals_the_same_rows_of_a_larger_sample(start: int, n: int, seed: int) -> None:
    whole = patient_normals(seed, 1, np.arange(0, 5 * BLOCK), 3)
    part = patient_normals(seed, 1, np.arange(start, start + n), 3)
    np.testing.assert_array_equal(part, whole[start : start + n])


def test_population_is_chunk_invariant_and_order_free() -> None:
    whole = sample_population(1000, seed=7, spec=SPEC)
    shuffled = np.random.default_rng(0).permutation(1000)
    parts = sample_patients(shuffled, seed=7, spec=SPEC)
    np.testing.assert_array_equal(parts.cl_factor, whole.cl_factor[shuffled])
    np.testing.assert_array_equal(parts.adherence, whole.adherence[shuffled])
    again = sample_population(300, seed=7, spec=SPEC, start=500)
    np.testing.assert_array_equal(again.baseline_z, whole.baseline_z[500:800])
    other = sample_population(1000, seed=8, spec=SPEC)
    assert not np.allclose(other.cl_factor, whole.cl_factor)


@pytest.mark.calibration_round_trip
def test_exposure_spread_reproduces_bertolotti_auc_cv() -> None:
    """Parent AUC ∝ F/CL: its CV must equal 97/200 = 0.485 (Bertolotti controls) without covariates.

    A calibration round trip, not a validation: `population.iiv.auc_parent_cv` (0.485, split
    between F and CL) and `auc_metabolite_cv` (730/2467 = 0.296) in parameters_population.toml
    are these same Bertolotti CVs, so this checks that the sampler gives them back.
    Tolerance: Monte-Carlo with 60 000 patients, ±0.015.
    """
    spec = VariabilitySpec.from_parameters(
        default_parameters().with_values(population__covariates__weight_cv=0.1)
    )
    pop = sample_population(60_000, seed=1, spec=spec, female_fraction=1.0)
    auc = pop.f_factor / (pop.cl_factor / (pop.weight_kg / 70.0) ** 0.75)
    assert np.std(auc) / np.mean(auc) == pytest.approx(0.485, abs=0.015)
    auc_m = 1.0 / (pop.cl_metabolite_factor / (pop.weight_kg / 70.0) ** 0.75)
    assert np.std(auc_m) / np.mean(auc_m) == pytest.approx(0.296, abs=0.015)


def test_cl_v_correlation_and_lognormality() -> None:
    pop = sample_population(50_000, seed=3, spec=SPEC, female_fraction=1.0)
    size = pop.weight_kg / 70.0
    eta_cl = np.log(pop.cl_factor / size**0.75)
    eta_v = np.log(pop.v_factor / size)
    assert np.corrcoef(eta_cl, eta_v)[0, 1] == pytest.approx(0.3, abs=0.02)
    ks = stats.kstest(np.log(pop.ka_factor), "norm", args=(0, np.sqrt(np.log1p(0.5**2))))
    assert ks.pvalue > 0.01


def test_adherence_beta_and_hepatic_fraction() -> None:
    params = default_parameters().with_values(
        population__covariates__hepatic_impairment_fraction=0.05
    )
    spec = VariabilitySpec.from_parameters(params)
    pop = sample_population(40_000, seed=5, spec=spec)
    ks = stats.kstest(pop.adherence, "beta", args=(18.0, 2.0))
    assert ks.pvalue > 0.01
    assert pop.hepatic_impairment.mean() == pytest.approx(0.05, abs=0.005)
    ratio = np.median(pop.cl_factor[~pop.hepatic_impairment]) / np.median(
        pop.cl_factor[pop.hepatic_impairment]
    )
    assert ratio == pytest.approx(8.05, rel=0.1)
    assert 0.45 < pop.female.mean() < 0.55
    assert pop.age_y.min() >= 18 and pop.age_y.max() <= 80


def test_bad_input_messages() -> None:
    with pytest.raises(InputError, match="at least 1"):
        sample_population(0, seed=1, spec=SPEC)
    with pytest.raises(InputError, match="female fraction"):
        sample_population(5, seed=1, spec=SPEC, female_fraction=1.5)
    with pytest.raises(InputError, match="seed"):
        sample_population(5, seed=-1, spec=SPEC)
    bad = default_parameters().with_values(
        population__iiv__f_cv=0.45, population__iiv__auc_parent_cv=0.2
    )
    with pytest.raises(InputError, match="f_cv"):
        VariabilitySpec.from_parameters(bad)
