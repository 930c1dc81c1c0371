"""Markdown helpers shared by the demo sections."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def markdown_table(frame: pd.DataFrame) -> str:
    """`frame` as a Markdown pipe table, values as `str(value)` (pandas' `to_markdown` would
    need the optional tabulate package)."""
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])
