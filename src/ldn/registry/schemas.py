"""Pydantic schemas: what a client may send (`*Create`, `*Update`) and what it gets back
(`*Public`), per entity. Validation lives here so the web API, the CLI and the CSV importer
share the same rules and messages:

- dose: `ldn.regimen.validate.check_dose_mg` (> 0 and at most the label's 800 mg);
- clock time: "HH:MM", 24-hour (`ldn.units.clock_to_hours`);
- dates ordered (stop ≥ start, end ≥ onset), no dates before 1900 or in the far future;
- assessment value within its scale's range (`ldn.scales`);
- birth year between 1900 and the current year; codes are 1-32 characters of letters,
  digits, '-', '_' or '.';
- no control character in any text field (NUL, escape, backspace, …; tab and line breaks
  are allowed): PostgreSQL cannot store NUL and SQLite would, and terminal escape sequences
  in notes would reach whoever prints them, so they are refused here on both back ends;
- booleans only where a boolean is expected (`true`/`false`, never 0/1), and never a
  boolean where a number is;
- row ids (`clinic_id`, `prescription_id`) between 1 and `MAX_ROW_ID` (2³¹ − 1, the largest
  id either back end's integer columns hold), so a huge id is invalid input and not a driver
  error.

`parse(schema, data)` validates a mapping and turns a pydantic `ValidationError` into one
`InputError` listing every problem as "field: message". `Update` schemas carry the `version`
the client last saw (optional); a stale version raises `ConflictError` in the services.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ldn.errors import InputError
from ldn.regimen.validate import check_dose_mg
from ldn.registry.conditions import Condition
from ldn.scales import SCALES, get_scale
from ldn.units import clock_to_hours

Role = Literal["admin", "clinician", "researcher"]
Sex = Literal["female", "male", "other", "unknown"]
Formulation = Literal["capsule", "tablet", "liquid", "sublingual", "cream", "other"]
AEType = Literal["vivid_dreams", "insomnia", "headache", "nausea", "diarrhoea", "fatigue", "other"]
Severity = Literal["mild", "moderate", "severe"]

MIN_BIRTH_YEAR = 1900
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-@]{1,63}$")


def _dose(value: float) -> float:
    return check_dose_mg(value, "dose_mg")


def _clock(value: str) -> str:
    try:
        clock_to_hours(value)
    except ValueError as exc:
        raise ValueError(f"{exc}; use 24-hour HH:MM such as 22:00") from None
    hh, mm = value.strip().split(":")
    return f"{int(hh):02d}:{int(mm):02d}"


def _code(value: str) -> str:
    value = value.strip()
    if not _CODE_RE.match(value):
        raise ValueError(
            f"patient code {value!r} must be 1-32 letters, digits, '-', '_' or '.', "
            "starting with a letter or digit (for example P-0001); do not use names"
        )
    return value


def _birth_year(value: int) -> int:
    this_year = date.today().year
    if not MIN_BIRTH_YEAR <= value <= this_year:
        raise ValueError(f"birth year {value} must lie between {MIN_BIRTH_YEAR} and {this_year}")
    return value


def _plausible_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"date {value.isoformat()} is outside 1900-01-01 … 2100-12-31")
    return value


DoseMg = Annotated[float, AfterValidator(_dose)]
ClockTime = Annotated[str, AfterValidator(_clock)]
PatientCode = Annotated[str, AfterValidator(_code)]
BirthYear = Annotated[int, AfterValidator(_birth_year)]
Day = Annotated[date, AfterValidator(_plausible_date)]
MAX_TEXT_CHARS = 2000  # the longest text field (notes); web forms bound every field by it
Notes = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
_PUBLIC = ConfigDict(from_attributes=True)
MAX_ROW_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL (and kept so on SQLite)


def _row_id(description: str) -> Any:
    return Field(default=None, ge=1, le=MAX_ROW_ID, description=description)


def _control_character(text: str) -> str | None:
    """The first control character in `text` other than tab, line feed and carriage return."""
    for char in text:
        if char in "\t\n\r":
            continue
        if unicodedata.category(char) == "Cc":
            return char
    return None


def _is_bool_field(annotation: Any) -> bool:
    return annotation is bool or bool in get_args(annotation)


class _Input(BaseModel):
    """Base of what clients send: unknown fields refused, text stripped, no control characters
    (NUL, escape sequences, …; tab and line breaks are allowed), and no booleans where a
    number is expected nor numbers where a boolean is (pydantic would turn `true` into 1 and
    `1` into true)."""

    model_config = _STRICT

    @field_validator("*", mode="before")
    @classmethod
    def _strict_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        is_bool = field is not None and _is_bool_field(field.annotation)
        if isinstance(value, bool) and not is_bool:
            raise ValueError("true/false is not a valid value here; give the number or text")
        if is_bool and value is not None and not isinstance(value, bool):
            raise ValueError("give true or false (JSON booleans), not a number or text")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and (char := _control_character(value)) is not None:
            if char == "\x00":
                raise ValueError(
                    "text must not contain the NUL character (\\x00); remove it (the database "
                    "cannot store it)"
                )
            raise ValueError(
                f"text must not contain the control character U+{ord(char):04X}; remove it "
                "(only tab and line breaks are allowed)"
            )
        return value


T = TypeVar("T")
S = TypeVar("S", bound=BaseModel)


def parse(schema: type[S], data: Mapping[str, Any] | BaseModel) -> S:
    """Validate `data` against `schema`; InputError listing every problem on failure."""
    if isinstance(data, schema):
        return data
    raw = data.model_dump(exclude_unset=True) if isinstance(data, BaseModel) else dict(data)
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc)) from None


def error_messages(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) for each problem in a pydantic ValidationError."""
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "record"
        msg = err["msg"].removeprefix("Value error, ")
        out.append((field, msg))
    return out


def format_validation_error(exc: ValidationError) -> str:
    """All problems as "field: message", separated by '; '."""
    return "; ".join(f"{field}: {msg}" for field, msg in error_messages(exc))


class Page(BaseModel, Generic[T]):
    """One page of a list: the rows and the total count matching the query."""

    data: list[T]
    count: int


# ---------------------------------------------------------------- clinics and users
class ClinicCreate(_Input):
    name: str = Field(min_length=1, max_length=120)


class ClinicPublic(BaseModel):
    model_config = _PUBLIC
    id: int
    name: str


class UserCreate(_Input):
    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    role: Role
    clinic_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID, validate_default=True)

    @field_validator("username")
    @classmethod
    def _username(cls, v: str) -> str:
        if not _USERNAME_RE.match(v):
            raise ValueError(
                f"username {v!r} may contain letters, digits and '_.-@' only (2-64 characters)"
            )
        return v

    @field_validator("clinic_id")
    @classmethod
    def _clinician_needs_clinic(cls, v: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("role") == "clinician" and v is None:
            raise ValueError("a clinician must belong to a clinic: give clinic_id")
        return v


class UserUpdate(_Input):
    password: str | None = Field(default=None, min_length=8, max_length=256)
    role: Role | None = None
    clinic_id: int | None = _row_id("clinic id")
    active: bool | None = None
    version: int | None = None


class UserPublic(BaseModel):
    model_config = _PUBLIC
    id: int
    username: str
    role: Role
    clinic_id: int | None
    active: bool
    version: int


# ---------------------------------------------------------------- patients
class PatientCreate(_Input):
    code: PatientCode
    birth_year: BirthYear
    sex: Sex
    conditions: list[Condition] = Field(default_factory=list, max_length=7)
    clinic_id: int | None = _row_id("clinic id")  # admins give it; clinicians default to theirs

    @field_validator("conditions")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return sorted(set(v))


class PatientUpdate(_Input):
    code: PatientCode | None = None
    birth_year: BirthYear | None = None
    sex: Sex | None = None
    conditions: list[Condition] | None = None
    version: int | None = None


class PatientPublic(BaseModel):
    model_config = _PUBLIC
    id: int
    clinic_id: int
    code: str
    birth_year: int
    sex: Sex
    conditions: list[str]
    created_at: datetime
    version: int


# ---------------------------------------------------------------- prescriptions
class TitrationStep(_Input):
    dose_mg: DoseMg
    days: int = Field(ge=1, le=365)


class _PrescriptionFields(_Input):
    dose_mg: DoseMg
    clock_time: ClockTime = "22:00"
    formulation: Formulation = "capsule"
    titration: list[TitrationStep] = Field(default_factory=list, max_length=20)
    start_date: Day
    stop_date: Day | None = None
    stop_reason: str | None = Field(default=None, max_length=200)
    notes: Notes | None = None

    @field_validator("stop_date")
    @classmethod
    def _stop_after_start(cls, v: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if v is not None and start is not None and v < start:
            raise ValueError(
                f"stop_date {v.isoformat()} is before start_date {start.isoformat()}; "
                "a prescription must stop on or after it starts"
            )
        return v

    @field_validator("stop_reason")
    @classmethod
    def _reason_needs_stop(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v and info.data.get("stop_date") is None and "stop_date" in info.data:
            raise ValueError("stop_reason is given but stop_date is empty; give the stop date")
        return v


class PrescriptionCreate(_PrescriptionFields):
    pass


class PrescriptionUpdate(_Input):
    dose_mg: DoseMg | None = None
    clock_time: ClockTime | None = None
    formulation: Formulation | None = None
    titration: list[TitrationStep] | None = None
    start_date: Day | None = None
    stop_date: Day | None = None
    stop_reason: str | None = Field(default=None, max_length=200)
    notes: Notes | None = None
    version: int | None = None


class PrescriptionPublic(BaseModel):
    model_config = _PUBLIC
    id: int
    patient_id: int
    dose_mg: float
    clock_time: str
    formulation: str
    titration: list[TitrationStep]
    start_date: date
    stop_date: date | None
    stop_reason: str | None
    notes: str | None
    version: int


# ---------------------------------------------------------------- assessments
class AssessmentCreate(_Input):
    scale: str
    value: float
    assessed_on: Day
    notes: Notes | None = None

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: str) -> str:
        return get_scale(v).code

    @field_validator("value")
    @classmethod
    def _in_range(cls, v: float, info: ValidationInfo) -> float:
        scale = info.data.get("scale")
        return SCALES[scale].check(v) if scale in SCALES else v


class AssessmentUpdate(_Input):
    scale: str | None = None
    value: float | None = None
    assessed_on: Day | None = None
    notes: Notes | None = None
    version: int | None = None


class AssessmentPublic(BaseModel):
    model_config = _PUBLIC
    id: int
    patient_id: int
    scale: str
    value: float
    assessed_on: date
    notes: str | None
    source: str = "clinic"  # "diary" when the patient entered it (ldn.registry.diary)
    version: int


# ---------------------------------------------------------------- adverse events
class AdverseEventCreate(_Input):
    event_type: AEType
    severity: Severity
    onset_date: Day
    end_date: Day | None = None
    prescription_id: int | None = _row_id("prescription id")
    notes: Notes | None = None

    @field_validator("end_date")
    @classmethod
    def _end_after_onset(cls, v: date | None, info: ValidationInfo) -> date | None:
        onset = info.data.get("onset_date")
        if v is not None and onset is not None and v < onset:
            raise ValueError(
                f"end_date {v.isoformat()} is before onset_date {onset.isoformat()}; "
                "an adverse event ends on or after its onset"
            )
        return v


class AdverseEventUpdate(_Input):
    event_type: AEType | None = None
    severity: Severity | None = None
    onset_date: Day | None = None
    end_date: Day | None = None
    prescription_id: int | None = _row_id("prescription id")
    notes: Notes | None = None
    version: int | None = None


class AdverseEventPublic(BaseModel):
    model_config = _PUBLIC
    id: int
    patient_id: int
    prescription_id: int | None
    event_type: str
    severity: str
    onset_date: date
    end_date: date | None
    notes: str | None
    source: str = "clinic"  # "diary" when the patient entered it (ldn.registry.diary)
    version: int


# ---------------------------------------------------------------- audit
class AuditPublic(BaseModel):
    model_config = _PUBLIC
    id: int
    at: datetime
    actor_id: int | None
    actor_username: str
    action: str
    entity: str
    entity_id: int | None
    clinic_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
