"""Outcome scales, with ranges, direction and minimal important differences: one definition.

`SCALES` maps a scale code to a frozen `Scale`, read from `ldn/data/scales.toml` (the single
source used by the model's expected scores, the virtual trials' endpoints and the registry).
Codes are the disease columns of `ldn.model.chain` (`das28`, `sledai2k`, `pasi`, `fiqr`,
`pain_nrs`, `cdai`, `sf36_mcs`) plus the MS fatigue and quality-of-life scales `mfis` and
`msis29_phys`.

Each scale states its range (values outside it are rejected), whether lower scores are better,
and its minimal important difference (MID) for one patient, in scale points (`mid`), sometimes
with a relative threshold (`mid_fraction`, e.g. 0.30 = a 30 % fall from baseline). Every MID
has `mid_kind`: "sourced" (with citation, URL and a short quote from the source) or
"assumption" (with the reason and a plausible range). `label` is the display name (registry,
reports); `short_label` the name in model outputs. `column`, `low`, `high` and
`higher_is_worse` are the model's names for `code`, `min`, `max` and `lower_is_better`.

Public API: `Scale`, `SCALES`, `get_scale(code)`, `scales_for_condition(condition)`,
`Scale.check(value)`; `ScaleTerms`, the four fields an analysis reads (`ldn.analysis.n_of_1`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from ldn.errors import InputError


class ScaleTerms(Protocol):
    """What an analysis reads of an outcome scale (a `Scale` has it; a test can pass a stub):
    the MID and the range in scale units, and the direction of improvement."""

    @property
    def mid(self) -> float: ...
    @property
    def min(self) -> float: ...
    @property
    def max(self) -> float: ...
    @property
    def lower_is_better(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Scale:
    """A validated outcome scale and its minimal important difference (MID)."""

    code: str
    label: str
    short_label: str
    min: float
    max: float
    lower_is_better: bool
    conditions: tuple[str, ...]
    mid: float
    mid_kind: Literal["sourced", "assumption"]
    mid_source: str
    range_source: str = ""
    range_url: str = ""
    range_quote: str = ""
    mid_url: str = ""
    mid_quote: str = ""
    mid_reason: str = ""
    mid_range: tuple[float, float] | None = None
    mid_fraction: float | None = None
    step: float | None = None

    def check(self, value: float) -> float:
        """Return `value` as float if it is a finite number within the scale, else InputError."""
        try:
            val = float(value)
        except (TypeError, ValueError):
            raise InputError(
                f"{self.label} value {value!r} is not a number; enter a number between "
                f"{self.min:g} and {self.max:g}"
            ) from None
        if not math.isfinite(val) or not self.min <= val <= self.max:
            raise InputError(
                f"{self.label} value {value!r} is outside the scale's range "
                f"{self.min:g}–{self.max:g}; check the score and the scale chosen"
            )
        return val

    # The model's names for the same data (expected scores, endpoints): derived, never stored.
    @property
    def column(self) -> str:
        """The scale's column in model outputs (its code)."""
        return self.code

    @property
    def low(self) -> float:
        return self.min

    @property
    def high(self) -> float:
        return self.max

    @property
    def higher_is_worse(self) -> bool:
        return self.lower_is_better

    def improvement(self, before: float, after: float) -> float:
        """Improvement from `before` to `after` in scale points (positive = better)."""
        return before - after if self.lower_is_better else after - before


def _load_scales() -> tuple[Scale, ...]:
    """Every scale of `ldn/data/scales.toml`, in file order."""
    import tomllib
    from importlib.resources import files

    raw = tomllib.loads(files("ldn.data").joinpath("scales.toml").read_text(encoding="utf-8"))
    out = []
    for code, entry in raw.items():
        fields = dict(entry)
        for name in ("conditions", "mid_range"):
            if name in fields:
                fields[name] = tuple(fields[name])
        out.append(Scale(code=code, **fields))
    return tuple(out)


_SCALE_LIST: Final = _load_scales()

SCALES: Final[dict[str, Scale]] = {s.code: s for s in _SCALE_LIST}


def get_scale(code: str) -> Scale:
    """The scale with `code`, or an InputError listing the known codes."""
    key = code.strip().lower() if isinstance(code, str) else code
    try:
        return SCALES[key]
    except (KeyError, TypeError):
        raise InputError(f"unknown scale {code!r}; use one of: {', '.join(SCALES)}") from None


def scales_for_condition(condition: str) -> tuple[Scale, ...]:
    """Scales usually recorded for `condition` (a code from `models.CONDITIONS`)."""
    return tuple(s for s in _SCALE_LIST if condition in s.conditions)


# Side effects recorded by the registry (adverse events) and named by the practice tools
# (`ldn plan titration --step-back-on`, the patient diary).
AE_TYPES: Final = (
    "vivid_dreams",
    "insomnia",
    "headache",
    "nausea",
    "diarrhoea",
    "fatigue",
    "other",
)
SEVERITIES: Final = ("mild", "moderate", "severe")
