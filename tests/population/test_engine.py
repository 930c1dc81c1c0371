"""Population engine against the single-patient exposure API, and chunk/Dask invariance."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ldn.errors import InputError
from ldn.model.exposure import exposure
from ldn.model.pk_setup import model_setup
from ldn.parameters import default_parameters
from ldn.population.engine import (
    PKChoice,
    Schedule,
    adherence_mask,
    exposure_grid,
    patient_regimen,
    patient_setup,
    pk_parameters,
    pk_recursion,
    simulate_patients,
)
from ldn.population.runner import DrugWindows, Scenario, run
from ldn.population.sampling import VariabilitySpec, sample_population
from ldn.regimen.schedule import daily

PARAMS = default_parameters()
SPEC = VariabilitySpec.from_parameters(PARAMS)
REGIMEN = daily(4.5, "22:00")
DAYS = 14


def test_grid_occupancy_matches_simulate_exposure_per_patient() -> None:
    """Exact PK propagation + occupancy equals ldn.simulation.exposure, missed doses included.

    Both are exact solutions of the same linear ODE; tolerance 1e-9 relative (rounding).
    """
    pop = sample_population(6, seed=11, spec=SPEC)
    schedule = Schedule.from_regimen(REGIMEN, DAYS * 24.0)
    taken = adherence_mask(pop, schedule)
    taken[0, 3:6] = False  # a patient who missed three nights for sure
    dt_h = 0.5
    n_steps = int(DAYS * 24 / dt_h)
    r = pk_recursion(pop, schedule, taken, PARAMS, dt_h=dt_h, n_steps=n_steps, tlr4=True)
    drive, peak = exposure_grid(r, dt_h, n_steps)
    t_h = np.arange(2 * n_steps + 1) * dt_h / 2
    for i in range(pop.n):
        events = patient_regimen(REGIMEN, taken[i]).events(DAYS * 24.0)
        # the fitted default PK variant drives the chain (the one PK of every output)
        ref = exposure(events, t_h, PARAMS, pk=pk_parameters(pop.take([i]), PARAMS))
        np.testing.assert_allclose(drive[i, :, 0], ref.mor_occupancy[0], rtol=1e-9, atol=1e-12)
        unbound = ref.naltrexone_unbound_nM[0] + ref.naltrexol_unbound_nM[0]
        np.testing.assert_allclose(drive[i, :, 1], unbound, rtol=1e-9, atol=1e-12)
        last = t_h >= t_h[-1] - 24.0
        assert peak[i, 0] == pytest.approx(ref.naltrexone_ng_per_ml[0, last].max(), rel=1e-9)


def test_patients_without_doses_stay_at_untreated_steady_state() -> None:
    pop = sample_population(4, seed=2, spec=SPEC)
    schedule = Schedule.from_regimen(REGIMEN, 7 * 24.0)
    taken = np.zeros((4, schedule.n), dtype=bool)
    out = simulate_patients(
        pop, schedule, taken, np.array([0.0, 168.0]), params=PARAMS, condition="ms", dt_h=1.0
    )
    np.testing.assert_array_equal(out.activity_rel, 1.0)
    np.testing.assert_array_equal(out.mor_mean, 0.0)


def _scenario(seed: int = 5) -> Scenario:
    return Scenario(
        params=PARAMS,
        spec=SPEC,
        condition="crohns",
        schedule=Schedule.from_regimen(REGIMEN, DAYS * 24.0),
        t_obs_h=np.array([0.0, 168.0, 336.0]),
        seed=seed,
        dt_h=1.0,
    )


def test_chunking_does_not_change_results() -> None:
    scen = _scenario()
    index = np.arange(40)
    whole = run(scen, index, chunk_size=40)
    parts = run(scen, index, chunk_size=7)
    np.testing.assert_array_equal(whole.activity_rel, parts.activity_rel)
    np.testing.assert_array_equal(whole.mor_mean, parts.mor_mean)
    assert whole.activity_rel[:, -1].std() > 0  # patients differ


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_results() -> None:
    scen = _scenario(seed=9)
    index = np.arange(30)
    local = run(scen, index, chunk_size=30)
    seen: list[int] = []
    dask = run(scen, index, chunk_size=8, scheduler="local", progress=seen.append)
    np.testing.assert_array_equal(local.activity_rel, dask.activity_rel)
    np.testing.assert_array_equal(local.naltrexone_cmax_ng_per_ml, dask.naltrexone_cmax_ng_per_ml)
    assert sum(seen) == 30


def test_drug_windows_mask_crossover_and_n_of_1() -> None:
    pop = sample_population(50, seed=3, spec=SPEC)
    schedule = Schedule.from_regimen(REGIMEN, 28 * 24.0)
    first = DrugWindows(periods_h=((0.0, 7 * 24.0),)).mask(pop, schedule)
    assert first[:, :7].all() and not first[:, 7:].any()
    nof1 = DrugWindows(n_of_1_cycles=2, period_h=7 * 24.0, washout_h=0.0)
    mask = nof1.mask(pop, schedule)
    assert (mask.sum(axis=1) == 14).all()  # two drug weeks of 7 nightly doses each
    order = nof1.drug_first(pop)
    np.testing.assert_array_equal(mask[:, 0], order[:, 0])


def test_bad_grid_and_observation_messages() -> None:
    pop = sample_population(2, seed=1, spec=SPEC)
    odd = Schedule(np.array([22.1]), np.array([4.5]))
    with pytest.raises(InputError, match="does not fall on the simulation grid"):
        simulate_patients(
            pop, odd, np.ones((2, 1), bool), np.array([0.0, 24.0]), params=PARAMS,
            condition="ms", dt_h=1.0,
        )  # fmt: skip
    with pytest.raises(InputError, match="strictly increasing"):
        simulate_patients(
            pop, odd, np.ones((2, 1), bool), np.array([24.0, 0.0]), params=PARAMS,
            condition="ms", dt_h=1.0,
        )  # fmt: skip


def test_unreachable_scheduler_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        run(_scenario(), np.arange(3), scheduler="tcp://127.0.0.1:9")


def _take(obj, i):  # type: ignore[no-untyped-def]
    return dataclasses.replace(
        obj,
        **{
            f.name: np.asarray(getattr(obj, f.name))[[i]]
            if np.ndim(getattr(obj, f.name))
            else getattr(obj, f.name)
            for f in dataclasses.fields(obj)
        },
    )


@pytest.mark.parametrize("model", ["metabolite_tail", "brain_retention"])
def test_posterior_pk_draws_per_patient_match_exposure(model: str) -> None:
    """PKChoice(posterior=True): each patient's PK, binding and variant parameters are one shipped
    posterior draw (× their IIV factors); the engine's drive equals `exposure` with them."""
    pop = sample_population(4, seed=3, spec=SPEC)
    schedule = Schedule.from_regimen(REGIMEN, 7 * 24.0)
    taken = adherence_mask(pop, schedule)
    choice = PKChoice(model, posterior=True)
    r = pk_recursion(pop, schedule, taken, PARAMS, dt_h=1.0, n_steps=168, tlr4=False,
                     pk_choice=choice)  # fmt: skip
    drive, _ = exposure_grid(r, 1.0, 168)
    setup = patient_setup(pop, PARAMS, choice)
    assert np.unique(np.asarray(setup.binding.invivo_scale)).size == pop.n  # draws differ
    t_h = np.arange(2 * 168 + 1) * 0.5
    for i in range(pop.n):
        events = patient_regimen(REGIMEN, taken[i]).events(7 * 24.0)
        extra = {k: np.asarray(v)[[i]] for k, v in setup.extra.items()}
        ref = exposure(events, t_h, PARAMS, pk=_take(setup.pk, i),
                       binding=_take(setup.binding, i), pk_model=model, extra=extra)  # fmt: skip
        np.testing.assert_allclose(drive[i, :, 0], ref.mor_occupancy[0], rtol=1e-9, atol=1e-12)
    # a patient's draw does not depend on which chunk they are simulated in
    alone = patient_setup(pop.take([2]), PARAMS, choice)
    assert float(np.asarray(alone.pk.cl_l_per_h)[0]) == float(np.asarray(setup.pk.cl_l_per_h)[2])


def test_default_pk_is_the_fitted_default_variant() -> None:
    pop = sample_population(3, seed=1, spec=SPEC)
    assert patient_setup(pop, PARAMS, PKChoice()).model == model_setup().model


def test_kinetic_pk_variant_is_refused_with_a_clear_message() -> None:
    pop = sample_population(2, seed=1, spec=SPEC)
    with pytest.raises(InputError, match=r"kinetic receptor binding.*metabolite_tail"):
        patient_setup(pop, PARAMS, PKChoice("binding_kinetics"))
