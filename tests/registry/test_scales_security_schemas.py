"""Scales (ranges, MIDs with sources), password hashing, and schema validation messages."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.registry.models import CONDITIONS
from ldn.registry.schemas import (
    AssessmentCreate,
    PatientCreate,
    PrescriptionCreate,
    parse,
)
from ldn.registry.security import hash_password, needs_rehash, verify_password
from ldn.scales import SCALES, get_scale, scales_for_condition


@pytest.mark.parametrize("scale", list(SCALES.values()), ids=list(SCALES))
def test_every_mid_is_sourced_or_a_labelled_assumption(scale) -> None:
    assert scale.min < scale.max
    assert 0 < scale.mid < scale.max - scale.min
    mid = scale.mid_provenance
    if mid.kind == "sourced":
        assert mid.source and mid.url.startswith("http") and mid.quote
    else:
        assert mid.reason and scale.mid_range is not None
        assert scale.mid_range[0] <= scale.mid <= scale.mid_range[1]


def test_published_mids() -> None:
    """Values as published: DAS28 1.2 (EULAR), SLEDAI-2K 4 (SRI), pain NRS 2 / 30 % (Farrar
    2001), CDAI 70 (Smith 2011), MFIS 4 (Rooney 2019), MSIS-29 physical 8 (Costelloe 2007)."""
    got = {k: SCALES[k].mid for k in ("das28", "sledai2k", "pain_nrs", "cdai", "mfis")}
    assert got == {"das28": 1.2, "sledai2k": 4.0, "pain_nrs": 2.0, "cdai": 70.0, "mfis": 4.0}
    assert SCALES["pain_nrs"].mid_fraction == 0.30
    assert SCALES["msis29_phys"].mid == 8.0


def test_every_condition_but_other_has_a_scale() -> None:
    for cond in CONDITIONS:
        assert scales_for_condition(cond), cond


def test_scale_lookup_and_direction() -> None:
    assert get_scale(" DAS28 ").code == "das28"
    with pytest.raises(InputError, match="unknown scale 'hb'; use one of: das28"):
        get_scale("hb")
    assert SCALES["sf36_mcs"].improvement(40, 45) == 5
    assert SCALES["cdai"].improvement(300, 200) == 100


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_scale_check_accepts_exactly_the_range(value: float) -> None:
    scale = SCALES["fiqr"]
    if math.isfinite(value) and 0 <= value <= 100:
        assert scale.check(value) == value
    else:
        with pytest.raises(InputError, match=r"FIQR value .* outside the scale's range 0–100"):
            scale.check(value)


def test_password_hashing() -> None:
    h = hash_password("s3cret-pass")
    assert h.startswith("$argon2id$") and "s3cret" not in h
    assert verify_password(h, "s3cret-pass")
    assert not verify_password(h, "wrong")
    assert not verify_password("not-a-hash", "s3cret-pass")
    assert not needs_rehash(h)
    assert needs_rehash("not-a-hash")


def test_default_profile_is_rfc9106(monkeypatch: pytest.MonkeyPatch) -> None:
    from ldn.registry import security

    monkeypatch.delenv("LDN_PASSWORD_HASH_PROFILE")
    assert security._hasher().memory_cost == 65536  # 64 MiB, RFC 9106 low-memory option
    monkeypatch.setenv("LDN_PASSWORD_HASH_PROFILE", "fast")
    with pytest.raises(InputError, match="'fast' is unknown"):
        security._hasher()


@pytest.mark.parametrize(
    ("schema", "data", "message"),
    [
        (
            PatientCreate,
            {"code": "Jane Doe", "birth_year": 1970, "sex": "female"},
            "do not use names",
        ),
        (PatientCreate, {"code": "P-1", "birth_year": 1850, "sex": "female"}, "birth year 1850"),
        (PatientCreate, {"code": "P-1", "birth_year": 1970, "sex": "f"}, "sex: Input should be"),
        (
            PatientCreate,
            {"code": "P-1", "birth_year": 1970, "sex": "male", "conditions": ["flu"]},
            "conditions.0: condition 'flu' is not one of crohns, ra, sle",
        ),
        (PrescriptionCreate, {"dose_mg": 0, "start_date": "2024-01-01"}, "greater than 0 mg"),
        (PrescriptionCreate, {"dose_mg": 900, "start_date": "2024-01-01"}, "above 800 mg"),
        (
            PrescriptionCreate,
            {"dose_mg": 4.5, "clock_time": "9pm", "start_date": "2024-01-01"},
            "clock_time: clock time '9pm' is not HH:MM",
        ),
        (
            PrescriptionCreate,
            {"dose_mg": 4.5, "start_date": "2024-01-01", "stop_reason": "x"},
            "stop_reason is given but stop_date is empty",
        ),
        (
            PrescriptionCreate,
            {"dose_mg": 4.5, "start_date": "2024-01-01", "titration": [{"dose_mg": 1, "days": 0}]},
            "titration.0.days",
        ),
        (
            AssessmentCreate,
            {"scale": "pasi", "value": -1, "assessed_on": "2024-01-01"},
            "value: PASI value -1.0 is outside",
        ),
        (
            AssessmentCreate,
            {"scale": "pasi", "value": 3, "assessed_on": "2024-01-01", "x": 1},
            "x: Extra inputs are not permitted",
        ),
    ],
)
def test_schema_messages_name_field_and_rule(schema, data, message) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        parse(schema, data)


def test_clock_time_is_normalised() -> None:
    rx = parse(
        PrescriptionCreate, {"dose_mg": 4.5, "clock_time": "7:05", "start_date": "2024-01-01"}
    )
    assert rx.clock_time == "07:05"
