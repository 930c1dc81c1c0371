"""Dosing regimens: builders, missed doses and adherence, CLI parsing, NONMEM event tables.

    >>> from ldn.regimen import daily
    >>> daily(4.5, at="22:00").events(until_h=72).t_h.tolist()
    [22.0, 46.0, 70.0]

See docs/regimen.md for the formats and validation rules.
"""

from __future__ import annotations

from ldn.regimen.cli import parse_days, regimen_from_cli
from ldn.regimen.events import DoseEvents, SteadyState
from ldn.regimen.nonmem import read_event_table, write_event_table
from ldn.regimen.schedule import Dosing, Regimen, daily, every, single, titration
from ldn.regimen.titration_text import format_titration, parse_titration
from ldn.regimen.validate import MAX_DOSE_MG, MIN_DOSE_MG

__all__ = [
    "MAX_DOSE_MG",
    "MIN_DOSE_MG",
    "DoseEvents",
    "Dosing",
    "Regimen",
    "SteadyState",
    "daily",
    "every",
    "format_titration",
    "parse_days",
    "parse_titration",
    "read_event_table",
    "regimen_from_cli",
    "single",
    "titration",
    "write_event_table",
]
