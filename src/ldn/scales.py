"""Outcome scales, with ranges, direction and minimal important differences: one definition.

`SCALES` maps a scale code to a frozen `Scale`, read from `ldn/data/scales.toml` (the single
source used by the model's expected scores, the virtual trials' endpoints and the registry).
Codes are the disease columns of `ldn.model.chain` (`das28`, `sledai2k`, `pasi`, `fiqr`,
`pain_nrs`, `cdai`, `sf36_mcs`) plus the MS fatigue and quality-of-life scales `mfis` and
`msis29_phys`.

Each scale states its range (values outside it are rejected), whether lower scores are better,
and its minimal important difference (MID) for one patient, in scale points (`mid`), sometimes
with a relative threshold (`mid_fraction`, e.g. 0.30 = a 30 % fall from baseline). Every MID
has `mid_kind` in the file: "sourced" (with citation, URL and a short quote from the source) or
"assumption" (with the reason and a plausible range `mid_range`). A `Scale` holds the file's
flat `range_*`, `mid_*` and `responder_*` citation fields as one `ldn.provenance.Provenance`
each (`range_provenance`, `mid_provenance`, `responder_provenance`: `scale.mid_provenance.kind`
is the file's `mid_kind`). `label` is the display name (registry, reports); `short_label` the
name in model outputs. `column`, `low`, `high` and `higher_is_worse` are the model's names for
`code`, `min`, `max` and `lower_is_better`.

`Scale.responder_rule` is the responder definition of the virtual trials (`ldn.population`
endpoints), derived here and nowhere else: the scale's own trial responder threshold when
scales.toml states one (`responder_fraction` or `responder_points`, only where a sourced trial
definition differs from the MID, always with `responder_source`, `responder_url` and
`responder_quote`), else `mid_fraction` (relative to the baseline burden) when the scale has
one, else `mid` points; each rule carries the `provenance` (kind, source, URL, quote or reason)
it comes from.

Public API: `Scale`, `ResponderRule`, `SCALES`, `get_scale(code)`,
`scales_for_condition(condition)`, `Scale.check(value)`, `Scale.responder_rule`; `ScaleTerms`,
the four fields an analysis reads (`ldn.analysis.n_of_1`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from ldn.errors import DataFileError, InputError
from ldn.provenance import CITATION, Provenance

# A scale's own responder threshold states its published source completely.
_RESPONDER_NEEDS: Final = {"sourced": CITATION}


@dataclass(frozen=True, slots=True)
class ResponderRule:
    """A trial responder threshold: an improvement of at least `threshold` scale points, or, if
    `relative`, of `threshold` × the baseline burden (its distance from the scale's best value);
    with the scales.toml field it comes from (`origin`) and that field's kind and source
    (`provenance`: the responder threshold's citation, or the MID's)."""

    threshold: float
    relative: bool
    origin: Literal["responder_points", "responder_fraction", "mid", "mid_fraction"]
    provenance: Provenance

    @property
    def text(self) -> str:
        """The threshold in words, e.g. 'improvement >= 30 % of baseline'."""
        if self.relative:
            return f"improvement >= {self.threshold * 100:g} % of baseline"
        return f"improvement >= {self.threshold:g} points"


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
    """A validated outcome scale and its minimal important difference (MID), each with where it
    comes from: `range_provenance` (the bounds; sourced), `mid_provenance` (sourced or
    assumption) and `responder_provenance` (the citation of `responder_points` or
    `responder_fraction`; empty without one)."""

    code: str
    label: str
    short_label: str
    min: float
    max: float
    lower_is_better: bool
    conditions: tuple[str, ...]
    mid: float
    mid_provenance: Provenance
    range_provenance: Provenance
    responder_provenance: Provenance
    mid_range: tuple[float, float] | None = None
    mid_fraction: float | None = None
    step: float | None = None
    responder_points: float | None = None
    responder_fraction: float | None = None

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

    @property
    def responder_rule(self) -> ResponderRule:
        """The virtual trials' responder threshold on this scale (see the module docstring)."""
        cited = self.responder_provenance
        if self.responder_fraction is not None:
            return ResponderRule(self.responder_fraction, True, "responder_fraction", cited)
        if self.responder_points is not None:
            return ResponderRule(self.responder_points, False, "responder_points", cited)
        why = self.mid_provenance
        if self.mid_fraction is not None:
            return ResponderRule(self.mid_fraction, True, "mid_fraction", why)
        return ResponderRule(self.mid, False, "mid", why)


def _check_responder(scale: Scale) -> Scale:
    """`scale`, or a DataFileError when its own responder threshold is incomplete."""
    given = (scale.responder_points is not None) + (scale.responder_fraction is not None)
    lacking = scale.responder_provenance.missing(_RESPONDER_NEEDS)
    if given == 0 and lacking == CITATION:
        return scale
    if given != 1 or lacking:
        raise DataFileError(
            f"scales.toml [{scale.code}]: a responder threshold that differs from the MID needs "
            "exactly one of responder_points / responder_fraction and its source "
            "(responder_source, responder_url, responder_quote); without a source the trials "
            "use the MID"
        )
    return scale


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
        # the flat mid_* / range_* / responder_* citation fields, one record each
        mid = Provenance.take(fields, "mid_")
        bounds = Provenance.take(fields, "range_", kind="sourced", names=CITATION)
        responder = Provenance.take(fields, "responder_", kind="sourced", names=CITATION)
        scale = Scale(
            code=code,
            mid_provenance=mid,
            range_provenance=bounds,
            responder_provenance=responder,
            **fields,
        )
        out.append(_check_responder(scale))
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
