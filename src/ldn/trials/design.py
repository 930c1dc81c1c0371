"""Trial designs: who gets what, for how long, how they drop out and how the trial is analysed.

A `TrialDesign` is plain data. The designs:

- `parallel`: two arms (treatment vs control) of `n_per_arm` patients each, `weeks` of treatment,
  visits every week; primary analysis ANCOVA on change from baseline at the last visit, or
  responder analysis (the condition's responder rule).
- `crossover`: AB/BA, each patient gets both arms for `weeks` each, separated by `washout_weeks`;
  `n_per_arm` patients per sequence; end-of-period scores analysed with the period-adjusted
  two-sample t-test on within-patient differences.
- `n_of_1`: each patient gets `cycles` pairs of periods (treatment and control in random order
  within each pair, `weeks` per period, `washout_weeks` between periods); a patient's effect is
  the mean paired difference; the series is summarised by a one-sample t-test over patients.

Dropout (`dropout_model`, see `ldn.trials.dropout`): MCAR, MAR (hazard depends on the last
observed score), MNAR (on the unobserved current score) or adverse-event driven (per-arm
discontinuation rates from the evidence data) on top of `dropout_per_week`. The analysis
(`analysis`, see `ldn.trials.primary`) decides how missing values are handled; "auto" is MMRM
for a continuous endpoint, the exact (Boschloo) test below `EXACT_BELOW` patients per arm and
baseline-adjusted logistic regression from there on for responders, the period-adjusted
crossover analysis and the N-of-1 mixed model. `missing` is the deprecated name of the old
LOCF / complete-case choice: "locf" maps to `analysis="locf-ancova"`, "complete_case" to
`analysis="ancova"`.

The default washout, `DEFAULT_WASHOUT_WEEKS`, is derived from the chain's time scales
(docs/trials.md, "Crossover washout"; `tests/trials/test_crossover.py` recomputes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ldn.conditions import canonical_condition
from ldn.errors import InputError
from ldn.regimen.schedule import Regimen

DesignKind = Literal["parallel", "crossover", "n_of_1"]
Endpoint = Literal["change", "responder"]
Missing = Literal["locf", "complete_case"]
DESIGNS: tuple[str, ...] = ("parallel", "crossover", "n_of_1")
ENDPOINTS: tuple[str, ...] = ("change", "responder")
MISSING: tuple[str, ...] = ("locf", "complete_case")
DROPOUT_MODELS: tuple[str, ...] = ("mcar", "mar", "mnar", "adverse-events")
CHANGE_ANALYSES: tuple[str, ...] = (
    "mmrm", "ancova", "mi", "locf-ancova", "tipping-point", "jump-to-reference",
)  # fmt: skip
RESPONDER_ANALYSES: tuple[str, ...] = ("logistic", "exact")
ANALYSES: tuple[str, ...] = ("auto", *CHANGE_ANALYSES, *RESPONDER_ANALYSES)
EXACT_BELOW = 50
"""Default responder analysis: the exact Boschloo test below this many patients per arm,
baseline-adjusted logistic regression from it on (type-I error by simulation: docs/trials.md)."""
DEFAULT_WASHOUT_WEEKS = 14
"""Washout between crossover / N-of-1 periods: the typical patient's carried-over drug effect
falls below 5 % of the on-treatment effect within this many whole weeks after the last dose
(derived from the chain's time constants; docs/trials.md "Crossover washout")."""
_MISSING_TO_ANALYSIS = {"locf": "locf-ancova", "complete_case": "ancova"}


@dataclass(frozen=True)
class Arm:
    """One arm: a label and its regimen (`None` = placebo: no drug, placebo response only)."""

    name: str
    regimen: Regimen | None

    @property
    def is_placebo(self) -> bool:
        """True for a placebo arm."""
        return self.regimen is None


@dataclass(frozen=True)
class TrialDesign:
    """A virtual trial design (see the module docstring for each kind)."""

    condition: str
    kind: DesignKind
    treatment: Arm
    control: Arm
    n_per_arm: int
    weeks: int
    washout_weeks: int = DEFAULT_WASHOUT_WEEKS
    cycles: int = 3
    dropout_per_week: float = 0.0
    missing: Missing | None = None
    endpoint: Endpoint = "change"
    alpha: float = 0.05
    female_fraction: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    analysis: str = "auto"
    dropout_model: str = "mcar"

    def __post_init__(self) -> None:  # noqa: C901 (one check per design field, each with its own message)
        # an alias ("fm") must mean its condition everywhere the design's condition is a key
        object.__setattr__(self, "condition", canonical_condition(self.condition))
        if self.kind not in DESIGNS:
            raise InputError(f"design {self.kind!r} is not one of {DESIGNS}")
        if self.endpoint not in ENDPOINTS:
            raise InputError(f"endpoint {self.endpoint!r} is not one of {ENDPOINTS}")
        if self.missing is not None:
            if self.missing not in MISSING:
                raise InputError(f"missing-data rule {self.missing!r} is not one of {MISSING}")
            if self.endpoint == "change" and self.analysis == "auto":
                object.__setattr__(self, "analysis", _MISSING_TO_ANALYSIS[self.missing])
        self._check_analysis()
        if self.dropout_model not in DROPOUT_MODELS:
            raise InputError(
                f"dropout model {self.dropout_model!r} is not one of {', '.join(DROPOUT_MODELS)}"
            )
        if self.n_per_arm < 2:
            raise InputError(
                f"n per arm = {self.n_per_arm} is too small: a trial needs at least 2 patients "
                "per arm (or sequence) to estimate a variance"
            )
        if not 1 <= self.weeks <= 520:
            raise InputError(f"weeks = {self.weeks} must lie between 1 and 520")
        if self.washout_weeks < 0:
            raise InputError(f"washout weeks = {self.washout_weeks} must be 0 or more")
        if self.kind == "n_of_1" and self.cycles < 1:
            raise InputError(f"an N-of-1 series needs at least 1 cycle, got {self.cycles}")
        if not 0.0 <= self.dropout_per_week < 1.0:
            raise InputError(
                f"dropout per week = {self.dropout_per_week} must be a probability in [0, 1); "
                "write 2 % per week as 0.02"
            )
        if not 0.0 < self.alpha < 0.5:
            raise InputError(f"alpha = {self.alpha} must lie in (0, 0.5); usually 0.05")
        if self.kind != "parallel" and self.endpoint == "responder":
            raise InputError(
                f"the responder endpoint is available for parallel trials only, not {self.kind!r}; "
                "use --endpoint change"
            )

    def _check_analysis(self) -> None:
        if self.analysis not in ANALYSES:
            raise InputError(f"analysis {self.analysis!r} is not one of {', '.join(ANALYSES)}")
        if self.analysis == "auto":
            return
        allowed = RESPONDER_ANALYSES if self.endpoint == "responder" else CHANGE_ANALYSES
        if self.kind != "parallel" or self.analysis not in allowed:
            what = f"{self.kind} design, {self.endpoint} endpoint"
            options = "auto" if self.kind != "parallel" else f"auto, {', '.join(allowed)}"
            raise InputError(
                f"--analysis {self.analysis} does not fit a {what}; choose one of {options}"
            )

    def analysis_at(self, n_per_arm: int) -> str:
        """The analysis actually run with `n_per_arm` patients per arm ("auto" resolved)."""
        if self.analysis != "auto":
            return self.analysis
        if self.kind == "crossover":
            return "crossover"
        if self.kind == "n_of_1":
            return "n-of-1-mixed"
        if self.endpoint == "responder":
            return "exact" if n_per_arm < EXACT_BELOW else "logistic"
        return "mmrm"

    @property
    def n_periods(self) -> int:
        """Treatment periods per patient: 1 (parallel), 2 (crossover), 2·cycles (N-of-1)."""
        return {"parallel": 1, "crossover": 2, "n_of_1": 2 * self.cycles}[self.kind]

    @property
    def period_days(self) -> int:
        """Length of one treatment period in days."""
        return 7 * self.weeks

    @property
    def total_days(self) -> int:
        """Days from randomisation to the last visit."""
        per = self.period_days + 7 * self.washout_weeks
        return self.n_periods * per - 7 * self.washout_weeks

    def with_n(self, n_per_arm: int) -> TrialDesign:
        """The same design with another number of patients per arm (sequence)."""
        from dataclasses import replace

        return replace(self, n_per_arm=n_per_arm)

    def describe(self) -> str:
        """One line for tables and plots."""
        what = {
            "parallel": f"parallel, {self.n_per_arm}/arm",
            "crossover": f"AB/BA crossover, {self.n_per_arm}/sequence",
            "n_of_1": f"N-of-1 series, {self.n_per_arm} patients × {self.cycles} cycles",
        }[self.kind]
        periods = self.washout_weeks and self.kind != "parallel"
        wash = f", washout {self.washout_weeks} wk" if periods else ""
        drop = (
            f"; dropout {self.dropout_per_week:g}/wk ({self.dropout_model})"
            if self.dropout_per_week > 0 or self.dropout_model == "adverse-events"
            else ""
        )
        return (
            f"{self.condition}: {self.treatment.name} vs {self.control.name}; {what}; "
            f"{self.weeks} wk{wash}; endpoint {self.endpoint}; "
            f"analysis {self.analysis_at(self.n_per_arm)}{drop}"
        )
