"""The registry as four pandas tables: what the cohort analyses take (`ldn.analysis.cohort`).

The database adapter that builds them is `ldn.registry.analysis_io`; tests build them by hand.
Each table must have the columns below (more are allowed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ldn.errors import InputError

PATIENT_COLUMNS = ("patient_id", "code", "clinic_id", "conditions")
PRESCRIPTION_COLUMNS = ("patient_id", "dose_mg", "start_date", "stop_date")
ASSESSMENT_COLUMNS = ("patient_id", "scale", "value", "assessed_on")
AE_COLUMNS = ("patient_id", "event_type", "severity", "onset_date")


def _check_columns(name: str, frame: pd.DataFrame, needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(f"{name} table lacks column(s) {missing}; it needs {list(needed)}")


@dataclass(frozen=True)
class RegistryFrames:
    """The registry as four tables (one row per patient / prescription / assessment / AE).

    `patients.conditions` is a ";"-separated string of condition codes; dates are
    datetime64 columns (`stop_date` NaT while ongoing).
    """

    patients: pd.DataFrame
    prescriptions: pd.DataFrame
    assessments: pd.DataFrame
    adverse_events: pd.DataFrame

    def __post_init__(self) -> None:
        _check_columns("patients", self.patients, PATIENT_COLUMNS)
        _check_columns("prescriptions", self.prescriptions, PRESCRIPTION_COLUMNS)
        _check_columns("assessments", self.assessments, ASSESSMENT_COLUMNS)
        _check_columns("adverse events", self.adverse_events, AE_COLUMNS)

    def last_date(self) -> np.datetime64:
        """The latest date anywhere in the data (the 'as of' date of exposure)."""
        cols = [
            self.assessments["assessed_on"],
            self.prescriptions["start_date"],
            self.prescriptions["stop_date"],
            self.adverse_events["onset_date"],
        ]
        parts = [pd.to_datetime(c).dropna() for c in cols if len(c)]
        values = pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)
        if values.empty:
            raise InputError("the registry holds no dated records yet; nothing to report")
        return np.datetime64(values.max().date(), "D")
