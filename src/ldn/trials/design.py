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

Dropout: constant weekly hazard, completely at random (MCAR); the last observation is carried
forward (LOCF, `missing="locf"`) or dropouts are excluded (`missing="complete_case"`). Patients who
drop out before the first post-baseline visit have no post-baseline value and are excluded in
both cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ldn.errors import InputError
from ldn.regimen.schedule import Regimen

DesignKind = Literal["parallel", "crossover", "n_of_1"]
Endpoint = Literal["change", "responder"]
Missing = Literal["locf", "complete_case"]
DESIGNS: tuple[str, ...] = ("parallel", "crossover", "n_of_1")
ENDPOINTS: tuple[str, ...] = ("change", "responder")
MISSING: tuple[str, ...] = ("locf", "complete_case")


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
    washout_weeks: int = 0
    cycles: int = 3
    dropout_per_week: float = 0.0
    missing: Missing = "locf"
    endpoint: Endpoint = "change"
    alpha: float = 0.05
    female_fraction: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in DESIGNS:
            raise InputError(f"design {self.kind!r} is not one of {DESIGNS}")
        if self.endpoint not in ENDPOINTS:
            raise InputError(f"endpoint {self.endpoint!r} is not one of {ENDPOINTS}")
        if self.missing not in MISSING:
            raise InputError(f"missing-data rule {self.missing!r} is not one of {MISSING}")
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
        wash = f", washout {self.washout_weeks} wk" if self.washout_weeks else ""
        return (
            f"{self.condition}: {self.treatment.name} vs {self.control.name}; {what}; "
            f"{self.weeks} wk{wash}; endpoint {self.endpoint}"
        )
