"""Disease modules, one per condition, each on the scale its trials use.

The conditions, their aliases and calibration targets are data: `ldn/data/conditions.toml` is
their one registry (read once at import); the shared machinery (latent activity, scales) is in
`ldn.model.disease.base`. Public API: `CONDITION_MODULES` (name → `Condition`, in file order),
`get_condition(name)` (name, title or alias, forgiving case, spaces, hyphens and apostrophes).
"""

from __future__ import annotations

from typing import Final

from ldn.errors import InputError
from ldn.model.disease.base import CalibrationTarget, Condition, ScaleParams
from ldn.scales import get_scale


def _key(name: str) -> str:
    """`name` as compared with condition names and aliases."""
    return name.strip().lower().replace("-", "").replace("'", "").replace(" ", "")


def _load() -> tuple[dict[str, Condition], dict[str, str]]:
    """Conditions by name, and every accepted spelling (name, title, alias) → name."""
    import tomllib
    from importlib.resources import files

    text = files("ldn.data").joinpath("conditions.toml").read_text(encoding="utf-8")
    conditions: dict[str, Condition] = {}
    spellings: dict[str, str] = {}
    for name, entry in tomllib.loads(text).items():
        conditions[name] = Condition(
            name=name,
            title=entry["title"],
            scales=tuple(get_scale(code) for code in entry["scales"]),
            readout_weeks=float(entry["readout_weeks"]),
            evidence=entry["evidence"],
            target=CalibrationTarget(**entry["target"]),
        )
        for spelling in (name, entry["title"], *entry["aliases"]):
            spellings[_key(spelling)] = name
    return conditions, spellings


_LOADED: Final = _load()
CONDITION_MODULES: Final[dict[str, Condition]] = _LOADED[0]
_SPELLINGS: Final[dict[str, str]] = _LOADED[1]


def get_condition(name: str) -> Condition:
    """The disease module called `name` (its name, title or an alias); else `InputError`."""
    key = _SPELLINGS.get(_key(name)) if isinstance(name, str) else None
    if key is None:
        raise InputError(
            f"unknown condition {name!r}; choose one of {', '.join(CONDITION_MODULES)} "
            "(for example --condition crohns)"
        )
    return CONDITION_MODULES[key]


__all__ = ["CONDITION_MODULES", "Condition", "ScaleParams", "get_condition"]
