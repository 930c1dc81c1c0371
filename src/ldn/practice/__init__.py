"""Practice tools for prescribers, compounding pharmacists and patients (`ldn plan ...`).

Pure logic, no I/O: `titration` (plans in mg/mL/capsules on `ldn.regimen`), `compound`
(compounding worksheets), `washout` (peri-operative washout on the occupancy engine and the
virtual population), `n_of_1` (randomised blinded N-of-1 schedules and their analysis),
`handout` (plain-language PDF and RFC 5545 calendar as bytes), `rules` (every practice rule
with its source or labelled as an assumption). See docs/practice.md.
"""

from __future__ import annotations

from ldn.practice.titration import TitrationPlan, titration_plan

__all__ = ["TitrationPlan", "titration_plan"]
