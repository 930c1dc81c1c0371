"""The human PK, urinary and PET/blockade observations (`ldn/data/pk_observations.csv`).

Columns: id, study, quantity, analyte, dose_mg, regimen, time_h, value, unit, sd, spread_note,
n, use (fit | check | constraint), source, url, quote.  `sd` is the study's reported spread (or
a labelled assumption when none was published; `spread_note` says which).  `quantity` names
the model read-out that is compared with `value` (see `ldn.calibration.pk_predict`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ldn.errors import DataFileError
from ldn.provenance import CITATION, Provenance

_FILE = "pk_observations.csv"
USES = ("fit", "check", "constraint")
# every row is a published value: it states its url and a quote (and names its source)
_NEEDS = {"sourced": ("url", "quote")}


@dataclass(frozen=True)
class Observation:
    """One published value and how the model is compared with it; `provenance` is the row's
    source, url and quote (kind "sourced")."""

    id: str
    study: str
    quantity: str
    analyte: str
    dose_mg: float
    value: float
    sd: float
    unit: str
    use: str
    time_h: str
    spread_note: str
    provenance: Provenance


def _num(text: str) -> float:
    return float("nan") if text in ("", "NA") else float(text)


@cache
def observations() -> tuple[Observation, ...]:
    """Every row of the observations file, validated."""
    text = resources.files("ldn.data").joinpath(_FILE).read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        if row["use"] not in USES:
            raise DataFileError(f"{_FILE}: row {row['id']}: use must be one of {USES}")
        provenance = Provenance.take(row, kind="sourced", names=CITATION)
        if provenance.missing(_NEEDS):
            raise DataFileError(f"{_FILE}: row {row['id']} needs a url and a quote")
        rows.append(
            Observation(
                id=row["id"],
                study=row["study"],
                quantity=row["quantity"],
                analyte=row["analyte"],
                dose_mg=_num(row["dose_mg"]),
                value=_num(row["value"]),
                sd=_num(row["sd"]),
                unit=row["unit"],
                use=row["use"],
                time_h=row["time_h"],
                spread_note=row["spread_note"],
                provenance=provenance,
            )
        )
    return tuple(rows)


def fit_set() -> tuple[Observation, ...]:
    """Observations the fit uses (use == 'fit')."""
    return tuple(o for o in observations() if o.use == "fit")


def by_id(obs_id: str) -> Observation:
    """The observation with this id (KeyError otherwise)."""
    for o in observations():
        if o.id == obs_id:
            return o
    raise KeyError(obs_id)


def studies(rows: tuple[Observation, ...]) -> tuple[str, ...]:
    """Distinct study keys in order of appearance."""
    return tuple(dict.fromkeys(o.study for o in rows))
