"""Markdown pipe tables: one writer for the demo summary and the generated evidence docs.

`markdown_table(frame, cell=str)` writes a header row, a `|---|` rule and one row per record;
`cell` turns each value into text (the evidence docs pass one that rounds floats), and a `|` or
line break inside a cell is neutralised so it cannot break the table. (pandas' `to_markdown`
would need the optional tabulate package.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def markdown_table(frame: pd.DataFrame, cell: Callable[[object], str] = str) -> str:
    """`frame` as a Markdown pipe table, each value written by `cell` (default `str`); a `|` in
    a cell becomes `/` and a line break a space."""
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = [
        "| " + " | ".join(cell(v).replace("|", "/").replace("\n", " ") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *rows])
