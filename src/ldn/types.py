"""Array type aliases shared by every part (the one definition of each)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
IndexArray = npt.NDArray[np.intp]  # positions, as np.searchsorted / np.nonzero return them
DateArray = npt.NDArray[np.datetime64]
# A scalar or a per-patient array (n_patients,) of a model parameter or concentration.
FloatLike = float | FloatArray

__all__ = ["BoolArray", "DateArray", "FloatArray", "FloatLike", "IndexArray", "IntArray"]
