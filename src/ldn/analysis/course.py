"""One patient's course on one scale: dates, treatment periods and its N-of-1 analysis.

The statistics are in `ldn.analysis.n_of_1`; the course figure in `ldn.report.n_of_1_plot`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ldn.analysis.n_of_1 import Correlation, DeltaPrior, NOf1Result, analyse, sceptical_prior
from ldn.errors import InputError
from ldn.parameters import ParameterSet
from ldn.scales import Scale
from ldn.types import DateArray, FloatArray


@dataclass(frozen=True, slots=True)
class NOf1Settings:
    """Analysis choices; `from_parameters` reads them from `parameters_n_of_1.toml` (labelled
    assumptions there), the one place their defaults are written."""

    prior_delta_sd_in_mid: float
    responder_probability: float
    onset_lag_days: float
    correlation: Correlation = "ou"

    @classmethod
    def from_parameters(cls, params: ParameterSet | None = None) -> NOf1Settings:
        """Settings from a `ParameterSet` (default: the shipped parameter files)."""
        from ldn.parameters import default_parameters

        ps = params if params is not None else default_parameters()
        return cls(
            prior_delta_sd_in_mid=ps.value("n_of_1.prior_delta_sd_in_mid"),
            responder_probability=ps.value("n_of_1.responder_probability"),
            onset_lag_days=ps.value("n_of_1.onset_lag_days"),
        )

    def is_responder(self, result: NOf1Result) -> bool:
        """The responder rule: P(improvement ≥ MID) above `responder_probability`."""
        return result.p_improvement_ge_mid > self.responder_probability


@dataclass(frozen=True, slots=True)
class PatientCourse:
    """One patient's assessments on one scale and their LDN treatment periods.

    `dates`: assessment dates (`datetime64[D]`, any order); `values`: scores in scale units;
    `periods`: (start, stop) dates of LDN prescriptions, stop `None` while ongoing;
    `doses_mg`: maintenance dose of each period; `scale` gives range, direction and MID.
    """

    patient_code: str
    scale: Scale
    dates: DateArray
    values: FloatArray
    periods: tuple[tuple[np.datetime64, np.datetime64 | None], ...]
    doses_mg: tuple[float, ...] = ()


def day_number(d: np.datetime64) -> float:
    """A date as days since 1970-01-01 (the time axis of the analysis)."""
    return float(np.asarray(d, dtype="datetime64[D]").astype("int64"))


def on_flags(
    t_day: FloatArray, periods_day: list[tuple[float, float | None]], lag_days: float = 0.0
) -> FloatArray:
    """1.0 where `t_day` lies in (start + lag, stop] of any period, else 0.0.

    An assessment on the start day counts as before treatment (the usual baseline visit).
    """
    t_day = np.asarray(t_day, dtype=float)
    on = np.zeros_like(t_day)
    for start, stop in periods_day:
        end = np.inf if stop is None else stop
        on[(t_day > start + lag_days) & (t_day <= end)] = 1.0
    return on


def course_on_flags(course: PatientCourse, lag_days: float = 0.0) -> FloatArray:
    """On-LDN flags of a course's assessments."""
    days = np.asarray(course.dates, dtype="datetime64[D]").astype("int64").astype(float)
    periods = [(day_number(a), None if b is None else day_number(b)) for a, b in course.periods]
    return on_flags(days, periods, lag_days)


def analyse_course(
    course: PatientCourse,
    settings: NOf1Settings | None = None,
    *,
    delta_prior: DeltaPrior | None = None,
) -> NOf1Result:
    """N-of-1 posterior for a `PatientCourse` (sceptical prior unless `delta_prior` is given)."""
    settings = settings or NOf1Settings.from_parameters()
    scale = course.scale
    if not course.periods:
        raise InputError(
            f"patient {course.patient_code} has no LDN prescription; the N-of-1 analysis "
            "compares assessments before and during treatment"
        )
    prior = delta_prior or sceptical_prior(scale.mid, settings.prior_delta_sd_in_mid)
    days = np.asarray(course.dates, dtype="datetime64[D]").astype("int64").astype(float)
    try:
        return analyse(
            days,
            np.asarray(course.values, dtype=float),
            course_on_flags(course, settings.onset_lag_days),
            scale=scale,
            delta_prior=prior,
            correlation=settings.correlation,
        )
    except InputError as exc:
        label = scale.label
        raise InputError(f"patient {course.patient_code}, {label}: {exc}") from None


@dataclass(frozen=True)
class PatientAnalysis:
    """A patient's course with its N-of-1 result, or the reason there is none.

    What the patient page and the CLI show: `result` is None when the series cannot be analysed
    (`message` says why and what to record); `figure()` draws the course either way.
    """

    course: PatientCourse
    result: NOf1Result | None
    message: str
    settings: NOf1Settings

    @property
    def responder(self) -> bool | None:
        """P(improvement ≥ MID) above the responder threshold (None if not evaluable)."""
        if self.result is None:
            return None
        return self.settings.is_responder(self.result)

    def summary(self) -> dict[str, object]:
        """JSON-ready description of the analysis."""
        scale = self.course.scale
        out: dict[str, object] = {
            "patient": self.course.patient_code,
            "scale": scale.code,
            "scale_label": scale.label,
            "mid": scale.mid,
            "mid_source": scale.mid_provenance.basis(),
            "n_assessments": int(np.asarray(self.course.values).size),
            "evaluable": self.result is not None,
            "message": self.message,
            "responder_probability": self.settings.responder_probability,
            "onset_lag_days": self.settings.onset_lag_days,
            "responder": self.responder,
        }
        if self.result is not None:
            out.update(self.result.summary())
        return out


def analyse_patient(
    course: PatientCourse,
    settings: NOf1Settings | None = None,
    *,
    delta_prior: DeltaPrior | None = None,
) -> PatientAnalysis:
    """`analyse_course`, with a series that cannot be analysed reported instead of raised."""
    settings = settings or NOf1Settings.from_parameters()
    try:
        result = analyse_course(course, settings, delta_prior=delta_prior)
    except InputError as exc:
        return PatientAnalysis(course, None, str(exc), settings)
    verdict = "responder" if settings.is_responder(result) else "not a responder"
    # three decimals: with two, 0.796 against a threshold of 0.8 would read "0.80"
    message = (
        f"{verdict}: P(improvement ≥ {course.scale.mid:g}) = {result.p_improvement_ge_mid:.3f} "
        f"(threshold {settings.responder_probability:g}); prior {result.prior.source}"
    )
    return PatientAnalysis(course, result, message, settings)
