"""`ldn population --hypothesis NAME`: every family on the engine's per-patient PK."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.errors import InputError
from ldn.model.hypotheses import get_family
from ldn.parameters import default_parameters
from ldn.population.api import simulate_population
from ldn.population.engine import Schedule, adherence_mask, simulate_patients
from ldn.population.families import simulate_family_patients
from ldn.population.sampling import VariabilitySpec, sample_population
from ldn.regimen import daily

PARAMS = default_parameters()
REG = daily(4.5, "22:00")


def _patients(n: int, days: int) -> tuple:
    pop = sample_population(n, seed=3, spec=VariabilitySpec.from_parameters(PARAMS))
    schedule = Schedule.from_regimen(REG, days * 24.0)
    taken = adherence_mask(pop, schedule)
    taken[0] = False  # one patient takes no dose at all
    return pop, schedule, taken, np.arange(0, days + 1, 7) * 24.0


def test_rebound_brain_equals_the_fused_engine() -> None:
    pop, schedule, taken, t_obs = _patients(9, 28)
    ref = simulate_patients(pop, schedule, taken, t_obs, params=PARAMS, condition="crohns",
                            dt_h=0.5)  # fmt: skip
    fam = simulate_family_patients(pop, schedule, taken, t_obs, family=get_family("rebound_brain"),
                                   params=PARAMS, condition="crohns", dt_h=0.5)  # fmt: skip
    assert np.abs(ref.activity_rel - 1.0).max() > 1e-3  # a real effect to reproduce
    for name in ("activity_rel", "mor_mean", "mor_peak", "mor_trough",
                 "naltrexone_cmax_ng_per_ml", "naltrexol_cmax_ng_per_ml"):  # fmt: skip
        np.testing.assert_allclose(getattr(fam, name), getattr(ref, name), rtol=1e-9, atol=1e-12,
                                   err_msg=name)  # fmt: skip
    np.testing.assert_array_equal(fam.doses_taken, ref.doses_taken)


def test_every_family_runs_and_they_differ_where_their_mechanisms_do() -> None:
    pop, schedule, taken, t_obs = _patients(6, 21)
    end = {}
    for name in ("null", "rebound_brain", "rebound_peripheral", "ogf_blockade",
                 "rebound_linear", "rebound_threshold"):  # fmt: skip
        out = simulate_family_patients(pop, schedule, taken, t_obs, family=get_family(name),
                                       params=PARAMS, condition="ms", dt_h=1.0)  # fmt: skip
        assert np.all(np.isfinite(out.activity_rel)) and out.activity_rel.shape == (6, 4)
        end[name] = out.activity_rel[:, -1]
    np.testing.assert_array_equal(end["null"], 1.0)
    assert np.abs(end["rebound_peripheral"] - end["rebound_brain"]).max() > 1e-6  # plasma drive
    assert np.abs(end["rebound_threshold"] - end["rebound_brain"]).max() > 1e-6  # another law
    assert end["rebound_brain"][0] == 1.0  # no dose taken: untreated


def test_population_api_and_cli_take_a_family() -> None:
    res = simulate_population(REG, n=4, days=14, condition="ms", dt_h=1.0,
                              hypothesis="rebound_peripheral")  # fmt: skip
    assert res.description.endswith("hypothesis rebound_peripheral")
    with pytest.raises(InputError, match="drop --scheduler"):
        simulate_population(REG, n=4, days=14, condition="ms", hypothesis="ogf_blockade",
                            scheduler="local")  # fmt: skip
    args = ["population", "--n", "6", "--days", "14", "--condition", "ms", "--hypothesis", "null",
            "--format", "json", "--step-h", "1"]  # fmt: skip
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    q = json.loads(out.stdout)["quantities"]
    assert q["disease_activity_rel_end"]["sd"] == 0.0 and q["mor_occupancy_mean"]["mean"] > 0.1
