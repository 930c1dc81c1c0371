"""Estimands (ICH E9(R1)): what a virtual trial estimates, stated with every result.

An estimand has five attributes: the treatment condition, the population, the variable
(endpoint), how intercurrent events are handled (each event with its strategy: treatment policy,
hypothetical, composite, while on treatment, principal stratum) and the population-level summary
measure. ICH E9(R1) Addendum on estimands and sensitivity analysis in clinical trials
(EMA/CHMP/ICH/436221/2017, step 5, 2020), section A.3.

The virtual trials have two intercurrent events: discontinuation (dropout, by the design's
dropout mechanism) and rescue medication, which the model does not simulate (stated, so the
estimand is complete). The strategy for discontinuation follows from the analysis: a mixed model
or multiple imputation under MAR estimates the hypothetical effect had patients stayed on
treatment; jump-to-reference the effect when patients who stop lose the benefit (close to a
treatment-policy estimand); the responder analyses count dropouts as non-responders (composite);
LOCF has no estimand in this sense and is labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ldn.population.endpoints import EndpointSpec
    from ldn.trials.design import TrialDesign

_HYPOTHETICAL = "hypothetical: the effect had every patient stayed on the assigned treatment"
_STRATEGY = {
    "mmrm": f"{_HYPOTHETICAL} (MMRM, valid under MAR)",
    "mi": f"{_HYPOTHETICAL} (multiple imputation under MAR)",
    "ancova": f"{_HYPOTHETICAL}, estimated from completers (valid under MCAR only)",
    "tipping-point": f"{_HYPOTHETICAL}; MNAR sensitivity: treated dropouts' imputed value made "
    "worse by delta until significance is lost",
    "jump-to-reference": "hypothetical (reference-based): after stopping, a treated patient's "
    "outcome follows the control arm's mean (close to treatment policy)",
    "locf-ancova": "no ICH E9(R1) strategy: the last observation is carried forward (single "
    "imputation; regulators discourage it)",
    "logistic": "composite: discontinuation before the last visit counts as non-response",
    "exact": "composite: discontinuation before the last visit counts as non-response",
    "crossover": "hypothetical: patients missing period 2 are left out (completers; MCAR)",
    "n-of-1-mixed": "hypothetical: cycles completed before discontinuation are used (MAR)",
}
_MEASURE = {
    "change": "difference in mean change from baseline (treatment − control), "
    "adjusted for baseline",
    "responder": "difference in response proportions (treatment − control); tested by {test}",
    "crossover": "within-patient difference in mean score (treatment − control), period-adjusted",
    "n_of_1": "mean within-patient difference (treatment − control) across patients "
    "(mixed model, random patient effect)",
}


@dataclass(frozen=True)
class Estimand:
    """The five ICH E9(R1) attributes, in words."""

    treatment: str
    population: str
    variable: str
    intercurrent_events: tuple[tuple[str, str], ...]
    summary_measure: str

    def as_dict(self) -> dict[str, object]:
        """Plain dict for JSON (intercurrent events as {event: strategy})."""
        return {
            "treatment": self.treatment,
            "population": self.population,
            "variable": self.variable,
            "intercurrent_events": dict(self.intercurrent_events),
            "summary_measure": self.summary_measure,
        }


def estimand_for(design: TrialDesign, endpoint: EndpointSpec, n_per_arm: int) -> Estimand:
    """The estimand the design's analysis targets at `n_per_arm` patients per arm."""
    analysis = design.analysis_at(n_per_arm)
    label = endpoint.scale.label
    week = f"week {design.weeks}" + (" of each period" if design.kind != "parallel" else "")
    if design.endpoint == "responder":
        variable = f"response on {label} at {week} (the condition's responder rule)"
        test = (
            "logistic regression on arm and baseline (Wald test)"
            if analysis == "logistic"
            else "Boschloo's exact unconditional test"
        )
        measure = _MEASURE["responder"].format(test=test)
    else:
        variable = f"{label} at {week}, as change from baseline"
        measure = _MEASURE[design.kind if design.kind != "parallel" else "change"]
    dropout = (
        f"{design.dropout_model.upper()} dropout, {design.dropout_per_week:g}/week"
        if design.dropout_per_week > 0 or design.dropout_model == "adverse-events"
        else "none simulated"
    )
    return Estimand(
        treatment=f"{design.treatment.name} vs {design.control.name}",
        population=f"adults with {design.condition} (virtual population, baseline severity "
        f"spread {endpoint.baseline_cv:.0%})",
        variable=variable,
        intercurrent_events=(
            (f"discontinuation ({dropout})", _STRATEGY[analysis]),
            ("rescue medication", "not simulated (no rescue in the virtual trials)"),
        ),
        summary_measure=measure,
    )
