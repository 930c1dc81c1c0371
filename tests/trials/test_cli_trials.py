"""`ldn trial` / `ldn power`: new options, estimand in every output, defaults equal the API's."""

from __future__ import annotations

import inspect
import json

from typer.testing import CliRunner

from ldn.cli.main import app
from ldn.cli.population import power as power_cmd
from ldn.cli.population import trial as trial_cmd
from ldn.errors import InputError
from ldn.trials.design import DEFAULT_WASHOUT_WEEKS, TrialDesign
from ldn.trials.power import sample_size
from ldn.trials.simulate import DEFAULT_POOL, simulate_trials

RUNNER = CliRunner()
SMALL = ["--weeks", "3", "--trials", "20", "--pool", "30", "--n-per-arm", "8"]


def _json(args: list[str]) -> dict:
    result = RUNNER.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def test_trial_json_keeps_keys_and_adds_the_estimand() -> None:
    out = _json(["trial", *SMALL, "--dropout", "0.05", "--dropout-model", "mar"])
    for key in ("power", "trials", "mean_effect", "sd_effect", "n_per_arm"):
        assert key in out
    assert isinstance(out["n_per_arm"], int) and out["analysis"] == "mmrm"
    est = out["estimand"]
    assert set(est) == {
        "treatment", "population", "variable", "intercurrent_events", "summary_measure",
    }  # fmt: skip
    assert any("MAR" in k for k in est["intercurrent_events"])


def test_responder_default_is_exact_at_small_n_and_states_nri() -> None:
    out = _json(["trial", *SMALL, "--endpoint", "responder"])
    assert out["analysis"] == "exact"
    strategy = " ".join(out["estimand"]["intercurrent_events"].values())
    assert "non-response" in strategy


def test_deprecated_missing_prints_a_message_and_maps() -> None:
    result = RUNNER.invoke(app, ["trial", *SMALL, "--missing", "locf", "--format", "json"])
    assert result.exit_code == 0
    assert "deprecated" in result.stderr and "locf-ancova" in result.stderr
    assert json.loads(result.stdout)["analysis"] == "locf-ancova"


def test_bad_analysis_and_mechanism_are_refused_in_one_line() -> None:
    for args, text in (
        (["--analysis", "bayes"], "analysis 'bayes' is not one of"),
        (["--dropout-model", "sometimes"], "dropout model 'sometimes'"),
        (["--endpoint", "responder", "--analysis", "mmrm"], "does not fit"),
    ):
        result = RUNNER.invoke(app, ["trial", *SMALL, *args])
        assert isinstance(result.exception, InputError) and text in str(result.exception)


def test_small_pool_warns_and_power_reports_the_n_interval() -> None:
    result = RUNNER.invoke(app, ["trial", *SMALL, "--format", "json"])
    assert "pool of 30" in result.stderr
    out = _json(
        ["power", "--weeks", "3", "--trials", "30", "--n-max", "40", "--pool", "400",
         "--condition", "crohns", "--target", "0.8"]
    )  # fmt: skip
    assert len(out["n_per_arm_ci95"]) == 2 and "estimand" in out


def test_help_shows_the_fixed_washout_default() -> None:
    result = RUNNER.invoke(app, ["trial", "--help"])
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "carry-over falls below 5 %" in text
    assert f"[default: {DEFAULT_WASHOUT_WEEKS}]" in text


def _defaults(fn) -> dict[str, object]:
    return {
        name: getattr(p.default, "default", p.default)
        for name, p in inspect.signature(fn).parameters.items()
    }


def test_api_defaults_equal_the_cli_defaults() -> None:
    cli = _defaults(trial_cmd)
    design = _defaults(TrialDesign)
    sim = _defaults(simulate_trials)
    assert cli["washout_weeks"] == design["washout_weeks"] == DEFAULT_WASHOUT_WEEKS
    assert cli["analysis"] == design["analysis"] and cli["dropout_model"] == design["dropout_model"]
    assert cli["dropout"] == design["dropout_per_week"] and cli["alpha"] == design["alpha"]
    assert cli["trials"] == sim["n_trials"] and cli["seed"] == sim["seed"]
    assert cli["pool"] == sim["pool_size"] == DEFAULT_POOL
    pw = _defaults(power_cmd)
    ss = _defaults(sample_size)
    assert pw["target"] == ss["target"] and pw["n_max"] == ss["n_high"]
    assert pw["trials"] == ss["n_trials"]
