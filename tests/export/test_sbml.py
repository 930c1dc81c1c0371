"""SBML export: libroadrunner simulates the file and reproduces the engine (≤ 1e-4 relative)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ldn.errors import InputError
from ldn.export.sbml import build_sbml
from ldn.model.chain import STATE_NAMES
from ldn.parameters import default_parameters
from ldn.population.endpoints import EndpointSpec
from ldn.population.engine import (
    Schedule,
    chain_parameters,
    exposure_grid,
    pk_parameters,
    pk_recursion,
)
from ldn.population.sampling import VariabilitySpec, sample_population
from ldn.regimen import daily
from ldn.solve.compiled import integrate_chain

PARAMS = default_parameters()
DAYS = 21
DT_H = 0.125  # engine RK4 step: error far below the 1e-4 tolerance (module doc of solve.compiled)


def _scalar(pk_params):
    return dataclasses.replace(
        pk_params,
        **{
            f.name: float(np.asarray(getattr(pk_params, f.name)).ravel()[0])
            for f in dataclasses.fields(pk_params)
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize(("condition", "placebo", "seed"), [("crohns", False, 4), ("ms", True, 7)])
def test_roadrunner_matches_engine(condition: str, placebo: bool, seed: int) -> None:
    roadrunner = pytest.importorskip("roadrunner")
    spec = VariabilitySpec.from_parameters(PARAMS)
    pop = sample_population(1, seed=seed, spec=spec)
    schedule = Schedule.from_regimen(daily(4.5, "22:00"), DAYS * 24.0)
    taken = np.ones((1, schedule.n), dtype=bool)
    taken[0, [3, 9, 10]] = False  # missed nights become zero-dose events
    chain_row = chain_parameters(pop, PARAMS, condition)[0]
    model = build_sbml(
        PARAMS, condition, schedule.t_h, np.where(taken[0], schedule.dose_mg, 0.0),
        pk_params=_scalar(pk_parameters(pop, PARAMS)), chain_row=chain_row, placebo=placebo,
    )  # fmt: skip
    rr = roadrunner.RoadRunner(model.xml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    rr.integrator.setValue("maximum_num_steps", 500_000)
    t_out = np.arange(0.0, DAYS * 24.0 + 1.0, 6.0)
    rr.timeCourseSelections = ["time", model.occupancy_id, model.activity_id, model.score_id]
    res = rr.simulate(times=t_out)

    n_steps = round(DAYS * 24.0 / DT_H)
    r = pk_recursion(pop, schedule, taken, PARAMS, dt_h=DT_H, n_steps=n_steps, tlr4=False)
    drive, _ = exposure_grid(r, DT_H, n_steps)
    sol = integrate_chain(drive, chain_row[None], DT_H, n_steps, record_every=round(6.0 / DT_H))
    occ = drive[0, :: round(12.0 / DT_H), 0]
    activity = sol.trajectory[0, :, STATE_NAMES.index("disease_activity_rel")]
    endpoint = EndpointSpec.from_parameters(PARAMS, condition)
    score = endpoint.expected(activity[None], t_out, np.ones(1), placebo=placebo)[0]

    dosed = occ > 0
    np.testing.assert_allclose(res[model.occupancy_id][dosed], occ[dosed], rtol=1e-4)
    np.testing.assert_allclose(res[model.activity_id], activity, rtol=1e-4)
    np.testing.assert_allclose(res[model.score_id], score, rtol=1e-4)
    assert np.ptp(score) > 0  # the comparison is not between two constants


def test_document_is_valid_sbml_with_one_event_per_dose() -> None:
    import libsbml

    model = build_sbml(PARAMS, "fibromyalgia", np.array([22.0, 46.0]), np.array([4.5, 4.5]))
    doc = libsbml.readSBMLFromString(model.xml)
    assert doc.getLevel() == 3 and doc.getVersion() == 2
    assert doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    assert doc.getModel().getNumEvents() == 2
    assert model.dose_ids == ("dose_0", "dose_1")


def test_bad_dose_arrays_are_refused() -> None:
    with pytest.raises(InputError, match="equal length"):
        build_sbml(PARAMS, "ms", np.array([1.0, 2.0]), np.array([4.5]))


def test_cli_writes_the_file(tmp_path) -> None:
    from typer.testing import CliRunner

    from ldn.cli.main import app

    out = tmp_path / "model.xml"
    result = CliRunner().invoke(app, ["export", "sbml", "--out", str(out), "--days", "3"])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<?xml")


def test_cli_refuses_a_missing_folder_before_any_work(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The one output-path rule (`ldn.cli._output`): a file option needs an existing folder."""
    from ldn.cli.main import main

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was built before the output path was checked")

    monkeypatch.setattr("ldn.export.sbml.build_sbml", must_not_run)
    out = tmp_path / "missing" / "model.xml"
    monkeypatch.setattr("sys.argv", ["ldn", "export", "sbml", "--out", str(out), "--days", "3"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    assert "does not exist" in capsys.readouterr().err.replace("\n", " ")
    assert not out.parent.exists()


@pytest.mark.slow
@pytest.mark.parametrize("pk_model", ["brain_retention", "metabolite_tail"])
def test_roadrunner_matches_fitted_pk_variant(pk_model: str) -> None:
    """`--pk-model`: the exported fitted structure reproduces `ldn.model.exposure` (≤ 1e-4)."""
    roadrunner = pytest.importorskip("roadrunner")
    from ldn.model.exposure import exposure

    schedule = Schedule.from_regimen(daily(4.5, "22:00"), 14 * 24.0)
    model = build_sbml(PARAMS, "ms", schedule.t_h, schedule.dose_mg, pk_model=pk_model)
    rr = roadrunner.RoadRunner(model.xml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    rr.integrator.setValue("maximum_num_steps", 500_000)
    t_out = np.arange(0.0, 14 * 24.0 + 1.0, 3.0)
    rr.timeCourseSelections = ["time", model.occupancy_id, "naltrexone_ng_per_ml"]
    res = rr.simulate(times=t_out)
    events = daily(4.5, "22:00").events(14 * 24.0)
    ref = exposure(events, t_out, PARAMS, pk_model=pk_model)
    dosed = ref.mor_occupancy > 1e-6
    np.testing.assert_allclose(res[model.occupancy_id][dosed], ref.mor_occupancy[dosed], rtol=1e-4)
    np.testing.assert_allclose(
        res["naltrexone_ng_per_ml"][dosed], ref.naltrexone_ng_per_ml[dosed], rtol=1e-4, atol=1e-9
    )


def test_kinetic_variant_is_refused_for_sbml() -> None:
    with pytest.raises(InputError, match="kinetic receptor binding"):
        build_sbml(PARAMS, "ms", np.array([22.0]), np.array([4.5]), pk_model="binding_kinetics")
