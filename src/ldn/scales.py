"""Outcome scales recorded in the registry, with ranges and minimal important differences.

`SCALES` maps a scale code to a frozen `Scale`. Codes match the disease columns of
`ldn.model.chain` (`das28`, `sledai2k`, `pasi`, `fiqr`, `pain_nrs`, `cdai`, `sf36_mcs`) plus the
MS fatigue and quality-of-life scales `mfis` and `msis29_phys`.

Each scale states its range (values outside it are rejected), whether lower scores are better,
and its minimal important difference (MID) for one patient, in scale points (`mid`), sometimes
with a relative threshold (`mid_fraction`, e.g. 0.30 = a 30 % fall from baseline). Every MID
has `mid_kind`: "sourced" (with citation, URL and a short quote from the source) or
"assumption" (with the reason and a plausible range). The registry is an edge of the system,
so these definitions live here next to the code that validates against them rather than in
the model's parameter files.

Public API: `Scale`, `SCALES`, `get_scale(code)`, `scales_for_condition(condition)`,
`Scale.check(value)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from ldn.errors import InputError


@dataclass(frozen=True, slots=True)
class Scale:
    """A validated outcome scale and its minimal important difference (MID)."""

    code: str
    label: str
    min: float
    max: float
    lower_is_better: bool
    conditions: tuple[str, ...]
    mid: float
    mid_kind: Literal["sourced", "assumption"]
    mid_source: str
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

    def improvement(self, before: float, after: float) -> float:
        """Improvement from `before` to `after` in scale points (positive = better)."""
        return before - after if self.lower_is_better else after - before


_SCALE_LIST: Final = (
    Scale(
        code="das28",
        label="DAS28",
        min=0.0,
        max=10.0,
        lower_is_better=True,
        conditions=("ra",),
        mid=1.2,
        mid_kind="sourced",
        mid_source=(
            "EULAR response criteria (van Gestel et al., Arthritis Rheum 1996;39:34-40), "
            "as summarised by NICE TA195"
        ),
        mid_url="https://www.nice.org.uk/guidance/ta195/chapter/2-Clinical-need-and-practice",
        mid_quote="improvements greater than 1.2 points indicate a good response",
    ),
    Scale(
        code="sledai2k",
        label="SLEDAI-2K",
        min=0.0,
        max=105.0,
        lower_is_better=True,
        conditions=("sle",),
        mid=4.0,
        mid_kind="sourced",
        mid_source=(
            "SLE Responder Index (Furie et al., Arthritis Rheum 2009;61:1143-51); "
            "the ≥4-point criterion as quoted in Connelly et al. (modified SRI, 5-year cohort)"
        ),
        mid_url=(
            "https://keio.elsevierpure.com/en/publications/"
            "association-of-modified-systemic-lupus-erythematosus-responder-in"
        ),
        mid_quote="a reduction in SLEDAI-2K ≥4 points with no worsening in physician global",
        step=1.0,
    ),
    Scale(
        code="pasi",
        label="PASI",
        min=0.0,
        max=72.0,
        lower_is_better=True,
        conditions=("psoriasis",),
        mid=5.0,
        mid_kind="assumption",
        mid_source="",
        mid_reason=(
            "PASI response is defined relatively (PASI 50 clinically significant, Carlin 2004; "
            "PASI 75 the trial benchmark); no absolute MID was found. 5 points is half of a "
            "typical baseline of ~10 in LDN psoriasis reports (e.g. Bridgman 2018: 7.2)."
        ),
        mid_range=(3.0, 8.0),
        mid_fraction=0.5,
        mid_url="https://doi.org/10.1016/j.jaad.2003.09.014",
        mid_quote="a 50% reduction in the PASI score (PASI 50) represents a meaningful change",
    ),
    Scale(
        code="fiqr",
        label="FIQR",
        min=0.0,
        max=100.0,
        lower_is_better=True,
        conditions=("fibromyalgia",),
        mid=8.0,
        mid_kind="assumption",
        mid_source="",
        mid_reason=(
            "The sourced MCID is for the original FIQ: 14.1 % (Bennett et al., J Rheumatol "
            "2009;36:1304-11). Applied to the FIQR at a typical baseline of ~55-60 it is about "
            "8 points; no FIQR-specific anchor-based MID was verified."
        ),
        mid_range=(6.0, 14.0),
        mid_fraction=0.141,
        mid_url=(
            "https://www.rheumatologynetwork.com/view/"
            "clinical-utility-fibromyalgia-impact-questionnaire-enhanced"
        ),
        mid_quote="the estimated MCID in the FIQ total score was 14.1%",
    ),
    Scale(
        code="pain_nrs",
        label="Pain NRS (0-10)",
        min=0.0,
        max=10.0,
        lower_is_better=True,
        conditions=("fibromyalgia", "ra", "ms", "other"),
        mid=2.0,
        mid_kind="sourced",
        mid_source="Farrar et al., Pain 2001;94:149-58",
        mid_url="https://pubmed.ncbi.nlm.nih.gov/11690728/",
        mid_quote=(
            "a reduction of approximately two points or a reduction of approximately 30% in "
            "the PI-NRS represented a clinically important difference"
        ),
        mid_fraction=0.30,
    ),
    Scale(
        code="cdai",
        label="CDAI (Crohn's)",
        min=0.0,
        max=600.0,
        lower_is_better=True,
        conditions=("crohns",),
        mid=70.0,
        mid_kind="sourced",
        mid_source=(
            "Response definition of Smith et al., Dig Dis Sci 2011;56:2088-97 "
            "(LDN in Crohn's disease)"
        ),
        mid_url="https://pubmed.ncbi.nlm.nih.gov/21380937/",
        mid_quote="had at least a 70-point decline in CDAI scores",
    ),
    Scale(
        code="mfis",
        label="MFIS (MS fatigue)",
        min=0.0,
        max=84.0,
        lower_is_better=True,
        conditions=("ms",),
        mid=4.0,
        mid_kind="sourced",
        mid_source="Rooney et al., Mult Scler Relat Disord 2019;35:158-63",
        mid_url="https://doi.org/10.1016/j.msard.2019.07.028",
        mid_quote="a difference of at least 0.45 points on the FSS or 4 points on the MFIS",
        step=1.0,
    ),
    Scale(
        code="msis29_phys",
        label="MSIS-29 physical (0-100)",
        min=0.0,
        max=100.0,
        lower_is_better=True,
        conditions=("ms",),
        mid=8.0,
        mid_kind="sourced",
        mid_source="Costelloe et al., J Neurol Neurosurg Psychiatry 2007;78:841-4",
        mid_url="https://jnnp.bmj.com/content/78/8/841.abstract",
        mid_quote="a minimal change score of 8 points in the MSIS-29 is clinically significant",
    ),
    Scale(
        code="sf36_mcs",
        label="SF-36 mental component summary",
        min=0.0,
        max=100.0,
        lower_is_better=False,
        conditions=("ms",),
        mid=3.0,
        mid_kind="assumption",
        mid_source="",
        mid_reason=(
            "No MS-specific anchor-based MID for the SF-36 MCS was verified. Cree 2010 "
            "reported an LDN effect of +3.3 MCS points; 3 points is used as a conservative "
            "threshold within the 2-5 points commonly quoted for SF-36 summary scores."
        ),
        mid_range=(2.0, 5.0),
    ),
)

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
