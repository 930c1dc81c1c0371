"""Dropout mechanisms of virtual trials: which weekly visit each trial patient attends last.

A patient drops out in week t (t = 1..T, visit t and later are missed) with probability h_it,
decided by a uniform from the patient's own dropout stream, so slot j of a trial is the same
person whatever n is. `dropout_per_week` is the base weekly hazard h0:

- `mcar`: h_it = h0, completely at random.
- `mar`: logit h_it = logit h0 + γ·s_i,t−1: the hazard depends on the *last observed* score
  (visit t−1), so the data are missing at random (MMRM and MI are valid).
- `mnar`: logit h_it = logit h0 + γ·s_i,t: the hazard depends on the *current*, unobserved score,
  so the data are missing not at random (MMRM and MI are biased; see the sensitivity analyses).
- `adverse-events`: 1 − h_it = (1 − h0)(1 − a_it), with a_it the weekly discontinuation hazard for
  intolerable side effects of the arm the patient is on in week t (drug or placebo), from the
  per-arm counts in the evidence data (`adverse_events.csv`, FINAL 2024: 4/49 LDN vs 3/50 placebo
  over 12 weeks). The only randomised per-arm discontinuation figures are FINAL's (6 mg,
  fibromyalgia); using them for every condition and dose is an assumption.

s is the score in the worse direction, standardised: s = w·(y − b)/sd with w = +1 when a higher
score is worse, b the condition's typical baseline and sd the between-patient SD of a single
visit's score (baseline spread and measurement noise). γ is
`population.dropout.score_log_odds_ratio` (labelled assumption, odds ×2 per SD).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import expit, logit

from ldn.population.rng import Stream, patient_uniforms
from ldn.types import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class DropoutModel:
    """Mechanism, base weekly hazard, score dependence and per-arm adverse-event hazards."""

    mechanism: str
    hazard_per_week: float
    log_odds_per_sd: float = 0.0
    ae_hazard_drug: float = 0.0
    ae_hazard_placebo: float = 0.0

    @property
    def active(self) -> bool:
        """False when nobody can drop out."""
        return self.hazard_per_week > 0.0 or self.mechanism == "adverse-events"

    def last_visits(
        self,
        seed: int,
        index: IntArray,
        standardised_worse: FloatArray,
        on_drug: BoolArray,
    ) -> IntArray:
        """Index (0..T) of the last visit attended by each patient.

        `standardised_worse`: s (n, T+1) at visits 0..T (see the module docstring);
        `on_drug`: (n, T+1) True where the patient's arm gives the drug in the week before visit t.
        """
        n, n_obs = standardised_worse.shape
        weeks = n_obs - 1
        if not self.active or weeks == 0:
            return np.full(n, weeks, dtype=np.int64)
        hazard = self._hazards(standardised_worse, on_drug)
        u = patient_uniforms(seed, Stream.DROPOUT, index, weeks)
        drops = u < hazard
        first = np.where(drops.any(axis=1), drops.argmax(axis=1), weeks)
        return first.astype(np.int64)

    def _hazards(self, s: FloatArray, on_drug: BoolArray) -> FloatArray:
        """(n, T) hazard of dropping out in weeks 1..T."""
        h0 = self.hazard_per_week
        shape = (s.shape[0], s.shape[1] - 1)
        if self.mechanism in ("mar", "mnar") and h0 > 0.0:
            score = s[:, :-1] if self.mechanism == "mar" else s[:, 1:]
            return np.asarray(expit(logit(h0) + self.log_odds_per_sd * score))
        base = np.full(shape, h0)
        if self.mechanism == "adverse-events":
            ae = np.where(on_drug[:, 1:], self.ae_hazard_drug, self.ae_hazard_placebo)
            return 1.0 - (1.0 - base) * (1.0 - ae)
        return base


@lru_cache(maxsize=1)
def adverse_event_hazards() -> tuple[float, float]:
    """Weekly discontinuation hazards for side effects (drug, placebo) from the evidence data.

    Pools every placebo-controlled row whose event is a discontinuation for side effects:
    hazard = 1 − (1 − events/n)^(1/weeks), weeks = the study's duration in studies.csv.
    """
    from ldn.errors import InputError
    from ldn.evidence.dataset import load_adverse_events, load_studies

    ae = load_adverse_events()
    rows = ae[ae["event"].str.contains("discontinu", case=False) & (ae["comparator"] == "placebo")]
    if rows.empty:
        raise InputError(
            "no placebo-controlled discontinuation-for-side-effects counts in adverse_events.csv; "
            "--dropout-model adverse-events needs them"
        )
    studies = load_studies().drop_duplicates("study_id").set_index("study_id")
    weeks = rows["study_id"].map(studies["duration_weeks"]).astype(float)
    out = []
    for events, n in (("events_ldn", "n_ldn"), ("events_control", "n_control")):
        p = rows[events].astype(float).sum() / rows[n].astype(float).sum()
        out.append(float(1.0 - (1.0 - p) ** (1.0 / float(weeks.mean()))))
    return out[0], out[1]


def standardise(
    scores: FloatArray, baseline_typical: float, sd: float, higher_is_worse: bool
) -> FloatArray:
    """s = w·(y − b)/sd, w = +1 if a higher score is worse (see the module docstring)."""
    sign = 1.0 if higher_is_worse else -1.0
    return sign * (scores - baseline_typical) / sd
