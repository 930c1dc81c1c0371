"""Disease modules, one per condition, each on the scale its trials use."""

from __future__ import annotations

from ldn.model.disease import crohns, fibromyalgia, ms, psoriasis, ra, sle
from ldn.model.disease.base import Condition, ScaleParams

CONDITION_MODULES: dict[str, Condition] = {
    m.CONDITION.name: m.CONDITION for m in (crohns, ra, sle, psoriasis, ms, fibromyalgia)
}

__all__ = ["CONDITION_MODULES", "Condition", "ScaleParams"]
