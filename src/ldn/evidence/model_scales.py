"""Which model scale a study outcome is on: one pattern table for the evidence dataset.

The dataset's `scale` column names the instrument as published ("CDAI", "NRS 0-10", "SF-36
MCS", "daily pain (% of baseline)"). `model_scale(condition, scale)` maps it to one of the
condition's model scales (`ldn.conditions`, in the registry's order) and says whether the
result is relative to baseline (a % change, not scale points); None when the model has no such
scale. Used by the calibration's trials (`ldn.mechanisms.data`, which compares a relative
result with the model's change as % of the baseline burden) and the re-runs of published
trials (`ldn.trials.evidence`, whose virtual trials report scale points, so it re-runs only
non-relative rows). Patterns match whole words, ignoring case.

Decided on the merits where the two former copies disagreed (tests/evidence/test_model_scales.py
lists every dataset row with its mapping):

- PCDAI (Smith 2013, paediatric Crohn's) → None. The Paediatric CDAI is another instrument
  (0–100, with height velocity and laboratory items) than the adult CDAI (0–600, `cdai`); its
  points are not CDAI points, so "CDAI" must not match inside "PCDAI".
- "% of baseline" → `pain_nrs`, relative, only when the scale names pain ("daily pain (% of
  baseline)", Younger 2013): a % change of the patient's own pain rating, compared with the
  model's pain change as % of baseline. It is not a pain NRS value, hence `relative`. Other
  "% of baseline" outcomes are not pain ratings: daily symptom ratings (Younger 2009) and a
  bare "% of baseline" for "pain and overall symptoms" (Parkitny 2017) → None.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from ldn.conditions import CONDITION_ENTRIES

# Model scale code → (pattern in the dataset's scale name, relative to baseline %), tried in
# order; which scales a condition has comes from the registry (`ldn.conditions`, its `scales`).
SCALE_PATTERNS: Final[dict[str, tuple[tuple[str, bool], ...]]] = {
    "cdai": ((r"\bCDAI\b", False),),
    "sf36_mcs": ((r"\bSF-36 MCS\b", False),),
    "pain_nrs": ((r"\bpain\b.*% of baseline", True), (r"\bNRS\b", False)),
    "fiqr": ((r"\bFIQR\b", False),),
    "das28": ((r"\bDAS28\b", False),),
    "sledai2k": ((r"\bSLEDAI", False),),
    "pasi": ((r"\bPASI\b", False),),
}


class ScaleMatch(NamedTuple):
    """A dataset scale's model scale column, and whether the result is a % of baseline."""

    column: str
    relative: bool


def model_scale(condition: str, dataset_scale: str) -> ScaleMatch | None:
    """The model scale of `condition` that `dataset_scale` names, or None (module docstring)."""
    entry = CONDITION_ENTRIES.get(condition)
    for code in entry.scales if entry is not None else ():
        for pattern, relative in SCALE_PATTERNS[code]:
            if re.search(pattern, dataset_scale, re.IGNORECASE):
                return ScaleMatch(code, relative)
    return None
