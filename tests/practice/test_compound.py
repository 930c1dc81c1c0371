"""Compounding worksheets and the practice rules file."""

from __future__ import annotations

from datetime import date

import pytest

from ldn.errors import InputError
from ldn.practice.compound import compound
from ldn.practice.rules import all_rules

MADE = date(2026, 11, 28)


def test_100_ml_of_1_mg_per_ml_from_tablets() -> None:
    ws = compound(form="liquid", strength_mg_per_ml=1, volume_ml=100, compounded_on=MADE)
    # Fawcett 1997 formula: 2 x 50 mg tablets per 100 mL (rule liquid_from_tablets)
    assert ws.tablets_50mg == 2
    assert ws.api_mg == 100
    names = {n: (a, u) for n, a, u in ws.ingredients}
    assert names["ascorbic acid"] == (500, "mg")
    assert names["glycerol"] == (20, "mL")
    # USP <795> preserved aqueous default: 35 days (rule bud_aqueous_preserved)
    assert ws.beyond_use_days == 35
    assert ws.beyond_use_date == date(2027, 1, 2)
    assert "2027-01-02" in ws.label_text and "Shake well" in ws.label_text
    assert ws.batch["surplus_ml"] == 0


def test_non_whole_tablets_raise_the_batch_volume() -> None:
    ws = compound(form="liquid", strength_mg_per_ml=1, volume_ml=120, compounded_on=MADE)
    assert ws.tablets_50mg == 3
    assert ws.batch == {"volume_ml": 150.0, "surplus_ml": 30.0}


def test_plain_water_gets_the_non_preserved_bud() -> None:
    ws = compound(
        form="liquid", strength_mg_per_ml=1, volume_ml=50, vehicle="water", compounded_on=MADE
    )
    assert ws.beyond_use_days == 14
    assert "refrigerator" in ws.storage


def test_study_basis_uses_fawcett_60_days_only_for_that_formula() -> None:
    ws = compound(
        form="liquid", strength_mg_per_ml=1, volume_ml=100, bud_basis="study", compounded_on=MADE
    )
    assert ws.beyond_use_days == 60
    with pytest.raises(InputError, match="Fawcett"):
        compound(
            form="liquid", strength_mg_per_ml=1, volume_ml=100, vehicle="water", bud_basis="study"
        )


def test_earliest_expiry_caps_the_bud() -> None:
    ws = compound(
        form="liquid",
        strength_mg_per_ml=1,
        volume_ml=100,
        compounded_on=MADE,
        earliest_expiry=date(2026, 12, 10),
    )
    assert ws.beyond_use_date == date(2026, 12, 10) and ws.beyond_use_days == 12


def test_capsules_from_api_with_mcc() -> None:
    ws = compound(form="capsule", capsule_mg=4.5, capsule_count=30, compounded_on=MADE)
    assert ws.api_mg == 135 and ws.tablets_50mg is None
    assert ws.ingredients[1] == ("microcrystalline cellulose (Avicel)", 30 * (225 - 4.5), "mg")
    assert ws.beyond_use_days == 180
    tablets = compound(form="capsule", capsule_mg=4.5, capsule_count=30, source="tablets")
    assert tablets.tablets_50mg == 3


@pytest.mark.parametrize(
    "filler", ["calcium carbonate", "calcium_carbonate", "HPMC", "methylcellulose"]
)
def test_refused_fillers(filler: str) -> None:
    with pytest.raises(InputError, match="not used for LDN"):
        compound(form="capsule", capsule_mg=4.5, capsule_count=30, filler=filler)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"form": "cream"}, "--form"),
        ({"form": "liquid", "strength_mg_per_ml": 1}, "--volume-ml"),
        ({"form": "liquid", "strength_mg_per_ml": 1, "volume_ml": 0}, "greater than 0"),
        ({"form": "capsule", "capsule_mg": 4.5}, "--capsule-count"),
        (
            {"form": "capsule", "capsule_mg": 4.5, "capsule_count": 3, "volume_ml": 1},
            "not a volume",
        ),
        ({"form": "capsule", "capsule_mg": 4.5, "capsule_count": 3, "filler": "chalk"}, "unknown"),
        ({"form": "liquid", "strength_mg_per_ml": 1, "volume_ml": 9, "overage_pct": 50}, "20"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        compound(**kwargs)


def test_every_applied_rule_is_sourced_or_a_reasoned_assumption() -> None:
    ws = compound(form="liquid", strength_mg_per_ml=1, volume_ml=100)
    cs = compound(form="capsule", capsule_mg=1.5, capsule_count=60)
    for r in [*ws.rules, *cs.rules]:
        cited = r.provenance
        assert cited.kind in ("sourced", "secondary", "assumption")
        assert (
            (cited.source and cited.url.startswith("http"))
            if cited.kind != "assumption"
            else cited.reason
        )


def test_rules_file_is_complete() -> None:
    rules = all_rules()
    assert len(rules) >= 30
    for r in rules.values():
        if r.provenance.kind != "assumption":
            assert r.provenance.url.startswith("http") and r.provenance.quote, r.id
