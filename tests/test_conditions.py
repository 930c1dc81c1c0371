"""`ldn.conditions` is the one registry of condition names: every other list derives from it,
and every entry point turns a title or alias into the canonical name."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from ldn.conditions import (
    CONDITION_ENTRIES,
    CONDITION_NAMES,
    CONDITION_TITLES,
    canonical_condition,
)
from ldn.errors import InputError

SRC = Path(__file__).resolve().parents[1] / "src" / "ldn"


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("lupus", "sle"),
        ("crohn", "crohns"),
        ("Crohn's disease", "crohns"),
        ("crohns disease", "crohns"),
        ("fm", "fibromyalgia"),
        ("Multiple sclerosis", "ms"),
        (" MS ", "ms"),
        ("rheumatoid-arthritis", "ra"),
    ],
)
def test_names_titles_and_aliases_give_the_canonical_name(spelling: str, name: str) -> None:
    from ldn.model.disease import get_condition

    assert canonical_condition(spelling) == name
    assert get_condition(spelling) is get_condition(name)


@pytest.mark.parametrize("bad", ["gout", "", "lupus nephritis", None, 3])
def test_an_unknown_condition_is_an_input_error_listing_the_names(bad: object) -> None:
    with pytest.raises(InputError, match="choose one of crohns, ra, sle, psoriasis, ms"):
        canonical_condition(bad)  # type: ignore[arg-type]


def test_the_model_builds_its_conditions_from_the_registry_without_a_second_parse() -> None:
    import ldn.model.disease as disease

    assert tuple(disease.CONDITION_MODULES) == CONDITION_NAMES
    for name, cond in disease.CONDITION_MODULES.items():
        entry = CONDITION_ENTRIES[name]
        assert cond.title == entry.title and cond.target is entry.target
        assert tuple(s.code for s in cond.scales) == entry.scales
    assert "conditions.toml" not in inspect.getsource(disease).split('"""')[-1]


def test_every_derived_condition_list_equals_the_registry() -> None:
    from ldn.evidence.docs_gen import CORE
    from ldn.evidence.model_scales import SCALE_PATTERNS
    from ldn.evidence.schema import CONDITIONS as EVIDENCE
    from ldn.registry.models import CONDITIONS as REGISTRY
    from ldn.registry.schemas import PatientCreate

    assert {c: EVIDENCE[c] for c in CONDITION_NAMES} == CONDITION_TITLES
    assert tuple(CORE) == CONDITION_NAMES
    for name in CONDITION_NAMES:  # the evidence's scale map covers each condition's own scales
        assert all(SCALE_PATTERNS[code] for code in CONDITION_ENTRIES[name].scales)
    assert (*CONDITION_NAMES, "other") == REGISTRY
    items = PatientCreate.model_json_schema()["properties"]["conditions"]["items"]
    assert items["enum"] == list(REGISTRY)


def _literal_condition_lists(path: Path) -> list[int]:
    """Lines of tuple/list/set/dict literals naming two or more registry conditions (as
    elements, keys, or first items of tuple elements: `(("crohns", ...), ("ms", ...))`)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "ra | sle | ms" text
            if _JOINED.search(node.value):
                lines.append(node.lineno)
            continue
        if isinstance(node, ast.Dict):
            elts: list[ast.expr | None] = list(node.keys)
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):  # also rows keyed by a condition
            elts = [e.elts[0] if isinstance(e, ast.Tuple) and e.elts else e for e in node.elts]
        else:
            continue
        named = {e.value for e in elts if isinstance(e, ast.Constant) and e.value in CONDITIONS}
        if len(named) >= 2:
            lines.append(node.lineno)
    return sorted(lines)


CONDITIONS = set(CONDITION_NAMES)
_NAME = "|".join(re.escape(n) for n in CONDITION_NAMES)
# Two or more condition names joined by | , / "or" "and": a list written into a help text.
_JOINED = re.compile(rf"\b(?:{_NAME})\b(?:\s*(?:\||,|/|\bor\b|\band\b)\s*\b(?:{_NAME})\b)+")


def test_no_module_keeps_a_hand_written_list_of_conditions() -> None:
    """A Literal[...], tuple, list or dict of condition names written out in the source is a
    second registry that drifts from conditions.toml (the migrations are history: exempt)."""
    found = {
        str(p.relative_to(SRC)): lines
        for p in sorted(SRC.rglob("*.py"))
        if "migrations" not in p.parts and (lines := _literal_condition_lists(p))
    }
    assert found == {}


def test_a_literal_list_would_be_found(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text(
        'C = Literal["ra", "sle", "other"]\nD = {"ms": 1, "crohns": 2}\n'
        'E = (("ms", "x", 1), ("fibromyalgia", "y", 2))\nF = ("ms", "other")\n'
        'G = typer.Option(..., help="crohns | ra | sle")\nH = "e.g. --condition ms"\n'
    )
    assert _literal_condition_lists(sample) == [1, 2, 3, 5]


def test_the_database_constraint_allows_exactly_the_registry_conditions() -> None:
    """Adding a condition to conditions.toml needs a migration of patient_conditions' CHECK."""
    from ldn.registry.models import CONDITIONS as REGISTRY

    text = "".join(
        p.read_text(encoding="utf-8")
        for p in sorted((SRC / "registry" / "migrations" / "versions").glob("*.py"))
    )
    checks = re.findall(r'"condition IN \(([^)]*)\)"', text)
    assert checks, "no CHECK on patient_conditions.condition found in the migrations"
    assert set(re.findall(r"'([^']+)'", checks[-1])) == set(REGISTRY)


def test_scales_name_only_registry_conditions() -> None:
    from ldn.registry.models import CONDITIONS as REGISTRY
    from ldn.scales import SCALES

    for scale in SCALES.values():
        assert set(scale.conditions) <= set(REGISTRY), scale.code


def test_every_modelled_scale_can_be_recorded_for_its_condition() -> None:
    """conditions.toml's `scales` (what the model predicts) and scales.toml's `conditions`
    (what the registry records) describe one relation from two sides: they must agree."""
    from ldn.scales import SCALES

    for name, entry in CONDITION_ENTRIES.items():
        for code in entry.scales:
            assert code in SCALES, (name, code)
            assert name in SCALES[code].conditions, (name, code)


def test_patient_schemas_store_the_canonical_name() -> None:
    from ldn.registry.schemas import PatientCreate, PatientUpdate

    base = {"code": "P-1", "birth_year": 1970, "sex": "female"}
    p = PatientCreate(**base, conditions=["lupus", "Crohn's disease", "FM", "Other", "sle"])
    assert p.conditions == ["crohns", "fibromyalgia", "other", "sle"]
    assert PatientUpdate(conditions=["Multiple sclerosis"]).conditions == ["ms"]
    with pytest.raises(ValueError, match="'gout' is not one of crohns, ra"):
        PatientCreate(**base, conditions=["gout"])


def test_csv_import_stores_the_canonical_name() -> None:
    from ldn.registry.import_export import parse_csv

    text = "record_type,patient_code,birth_year,sex,conditions\npatient,P-5,1970,male,lupus;fm\n"
    rows = parse_csv(text)
    assert rows[0].values.conditions == ["fibromyalgia", "sle"]


def test_trial_design_normalises_its_condition() -> None:
    from ldn.regimen import daily
    from ldn.trials.design import Arm, TrialDesign

    reg = daily(4.5, "22:00")
    design = TrialDesign("fm", "parallel", Arm("LDN", reg), Arm("placebo", None), 10, 12)
    assert design.condition == "fibromyalgia"
    with pytest.raises(InputError, match="unknown condition 'gout'"):
        TrialDesign("gout", "parallel", Arm("LDN", reg), Arm("placebo", None), 10, 12)


def test_evidence_accepts_registry_spellings_and_its_own_codes() -> None:
    from ldn.evidence import evidence_summary, load_studies
    from ldn.evidence.schema import evidence_condition

    assert evidence_condition("lupus") == "sle"
    assert evidence_condition("Long COVID") == evidence_condition("long_covid") == "long_covid"
    assert load_studies("fm").equals(load_studies("fibromyalgia"))
    summary = evidence_summary("Crohn's disease")
    assert summary["condition"] == "crohns" and summary["label"] == "Crohn's disease"
    with pytest.raises(InputError, match="condition 'gout' is unknown; use one of: crohns"):
        load_studies("gout")


def test_population_baseline_sd_takes_an_alias() -> None:
    from ldn.parameters import default_parameters
    from ldn.population.sampling import VariabilitySpec

    var = VariabilitySpec.from_parameters(default_parameters())
    assert var.baseline_relative_sd("fm") == var.baseline_relative_sd("fibromyalgia")
    assert np.isfinite(var.baseline_relative_sd("Crohn's disease"))
