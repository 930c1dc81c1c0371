"""The trials' responder rule is the scale's (scales.toml via `ldn.scales`): no second copy."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from ldn.errors import DataFileError
from ldn.model.disease import CONDITION_MODULES
from ldn.parameters import default_parameters, parse_parameter_files
from ldn.population.endpoints import EndpointSpec
from ldn.scales import SCALES, _check_responder

RAW = tomllib.loads(files("ldn.data").joinpath("scales.toml").read_text(encoding="utf-8"))
ENDPOINTS = [
    (cond, scale.column) for cond, module in CONDITION_MODULES.items() for scale in module.scales
]


def _expected(code: str) -> tuple[float, bool]:
    """(threshold, relative) read straight from scales.toml: own responder field, else the MID."""
    entry = RAW[code]
    for key, relative in (
        ("responder_fraction", True), ("responder_points", False), ("mid_fraction", True),
    ):  # fmt: skip
        if key in entry:
            return float(entry[key]), relative
    return float(entry["mid"]), False


@pytest.mark.parametrize(("condition", "column"), ENDPOINTS)
def test_trial_responder_threshold_is_the_scales(condition: str, column: str) -> None:
    spec = EndpointSpec.from_parameters(default_parameters(), condition, column)
    threshold, relative = _expected(column)
    scale = spec.scale
    baseline = np.full(3, scale.min + 0.6 * (scale.max - scale.min))
    burden = baseline if scale.lower_is_better else scale.max - baseline
    needed = threshold * burden if relative else np.full(3, threshold)
    improvement = needed * np.array([1.0 - 1e-9, 1.0 + 1e-9, 1.0 - 0.05])
    final = baseline - improvement if scale.lower_is_better else baseline + improvement
    assert spec.responder(baseline, final).tolist() == [False, True, False]
    rule = scale.responder_rule
    assert (rule.threshold, rule.relative) == (threshold, relative)


@pytest.mark.parametrize("code", list(SCALES))
def test_every_responder_rule_names_a_source_or_an_assumption(code: str) -> None:
    rule = SCALES[code].responder_rule
    cited = rule.provenance
    if cited.kind == "sourced":
        assert cited.source and cited.url and cited.quote, (code, rule)
    else:
        assert cited.kind == "assumption" and cited.reason, (code, rule)
    assert rule.origin in RAW[code]  # the scales.toml field the threshold is


def test_primary_scale_rules_of_the_trials() -> None:
    """The rule each condition's trials use, in words (MS: the SF-36 MCS MID, 3 points)."""
    rules = {c: m.scales[0].responder_rule.text for c, m in CONDITION_MODULES.items()}
    assert rules == {
        "crohns": "improvement >= 70 points",
        "ra": "improvement >= 1.2 points",
        "sle": "improvement >= 4 points",
        "psoriasis": "improvement >= 75 % of baseline",
        "ms": "improvement >= 3 points",
        "fibromyalgia": "improvement >= 30 % of baseline",
    }


def test_no_parameter_file_repeats_a_responder_threshold(tmp_path: Path) -> None:
    # n_of_1.responder_probability is a posterior-probability cut-off, not a scale threshold
    names = [n for n in default_parameters() if "responder" in n]
    assert names == ["n_of_1.responder_probability"]
    old = tmp_path / "mine.toml"
    old.write_text(
        '[population.responder.ms_points]\nvalue = 5.0\nunit = "SF-36 MCS points"\n'
        'kind = "sourced"\nsource = "x"\ndescription = "old"\n',
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"population\.responder\].*scales\.toml"):
        parse_parameter_files([old])
    with pytest.raises(KeyError, match=r"Scale\.responder_rule"):
        default_parameters().with_values(population__responder__ms_points=3.0)


def test_a_responder_threshold_without_a_source_is_refused() -> None:
    pasi = SCALES["pasi"]
    with pytest.raises(DataFileError, match="needs exactly one of"):
        unquoted = replace(pasi.responder_provenance, quote="")
        _check_responder(replace(pasi, responder_provenance=unquoted))
    with pytest.raises(DataFileError, match="needs exactly one of"):
        _check_responder(replace(pasi, responder_points=5.0))
    assert _check_responder(SCALES["cdai"]) is SCALES["cdai"]
