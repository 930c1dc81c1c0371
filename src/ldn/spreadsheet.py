"""Cells that are safe to open in a spreadsheet (CSV/formula injection, OWASP).

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return as a formula, so a note or a code typed into the registry could execute when
someone opens an exported CSV. Every CSV that carries text entered by people (the registry
export, the cohort report's tables) passes its text cells through `neutralise_cell`, which puts
a leading `'`: the spreadsheet then shows the text as it was typed. Numbers stay numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pandas as pd

FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose string cells are neutralised (numeric columns unchanged)."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    out = frame.copy()
    for col in out.columns:
        if is_object_dtype(out[col]) or is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    return out
