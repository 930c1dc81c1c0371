"""A published study's dose text → the regimen its virtual trial is dosed with: one parser.

The evidence dataset gives each study row a numeric `dose_mg` (the target daily dose) and the
paper's wording in `dose_text` ("4.5 mg nightly", "6 mg daily, titrated over 4 weeks").
`published_regimen(dose_mg, dose_text)` is the one reading of them, used by the calibration's
trials (`ldn.mechanisms.data`) and the re-runs of published trials (`ldn.trials.evidence`), so
the same study is always simulated on the same regimen:

- every dose at `DOSE_CLOCK` (22:00): the trials dosed "nightly", "each evening", "at night" or
  just "daily"; none in the dataset doses in the morning;
- "titrated over N weeks" (any case, "titration over", "titrated over 1 week" is no titration)
  → N equal weekly steps dose/N, 2·dose/N, … reaching `dose_mg` in week N; FINAL 2024 (6 mg
  over 4 weeks): 1.5, 3, 4.5, then 6 mg. ASSUMPTION: the step sizes are not reported, only
  "titrated over 4 weeks";
- anything else: `dose_mg` daily.

Case: the two former copies disagreed on case ("Titrated over 3 weeks" was 4.5 mg daily in the
trials' copy, three weekly steps in the calibration's); the wording of a paper's capital letter
says nothing about the dosing, so the match ignores case. Rounding: a step is rounded to
0.001 mg (the calibration's copy), which only keeps the description readable when N does not
divide the dose (4 mg over 3 weeks: 1.333 mg, not 1.3333333333333333 mg); it changes no step of
a dataset row (6/4 = 1.5 exactly). tests/regimen/test_published.py lists every dose text in
the dataset with its regimen.
"""

from __future__ import annotations

import re
from typing import Final

from ldn.regimen.schedule import Regimen, daily, titration

DOSE_CLOCK: Final = "22:00"
_TITRATED_OVER: Final = re.compile(r"titrat\w*\s+over\s+(\d+)\s*weeks?", re.IGNORECASE)


def published_regimen(dose_mg: float, dose_text: str) -> Regimen:
    """Daily at 22:00; "titrated over N weeks" → N equal weekly steps up to `dose_mg`."""
    match = _TITRATED_OVER.search(dose_text)
    if match is None or int(match.group(1)) < 2:
        return daily(dose_mg, DOSE_CLOCK)
    n = int(match.group(1))
    steps: list[tuple[float, int | None]] = [(round(dose_mg * k / n, 3), 7) for k in range(1, n)]
    return titration([*steps, (dose_mg, None)], DOSE_CLOCK)
