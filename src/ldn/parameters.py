"""Model constants with their provenance, loaded from the TOML files in `ldn/data/`.

Every file `ldn/data/parameters*.toml` holds tables named `[group.name]`, each with:

    value       number (required)
    unit        string (required; "1" for dimensionless)
    kind        "sourced" | "derived" | "assumption" (required)
    source      citation (required for sourced and derived)
    url         link or DOI (optional)
    quote       short verbatim quote from the source (optional)
    reason      why this value was chosen (required for assumption)
    range       [low, high] plausible range (required for assumption; optional otherwise)
    description what the constant means (required)

This module validates the files when they are read and gives each parameter a dotted name
(`pk.ka_per_h`). It is the only place that reads them; the model core receives plain numbers.
Retired groups (`_RETIRED`, e.g. `population.responder`: the trials' responder thresholds are
the scales', `ldn.scales`) are refused with a message saying where the value lives now.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

from ldn.errors import DataFileError, InputError
from ldn.provenance import FIELDS, Needs, Provenance

# kind → what a parameter of that kind must state (its range is checked beside it)
_NEEDS: Needs = {"sourced": ("source",), "derived": ("source",), "assumption": ("reason",)}
_KINDS: tuple[str, ...] = tuple(_NEEDS)
# Groups that are no longer parameters → where their values live now.
_RETIRED: dict[str, str] = {
    "population.responder": (
        "responder thresholds are no longer parameters: each trial uses its scale's rule "
        "(the MID, mid_fraction or a sourced responder_points/responder_fraction in "
        "ldn/data/scales.toml, read through ldn.scales: Scale.responder_rule); remove this entry"
    ),
}


def _retired(name: str) -> str:
    """Why `name` is refused ("" when it is not in a retired group)."""
    return next((why for g, why in _RETIRED.items() if f"{name}.".startswith(f"{g}.")), "")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One constant and where it comes from (`provenance`: kind, source, url, quote, reason)."""

    name: str
    value: float
    unit: str
    description: str
    provenance: Provenance
    low: float | None = None
    high: float | None = None
    file: str = ""


@dataclass(frozen=True)
class ParameterSet(Mapping[str, Parameter]):
    """An immutable mapping of dotted names to `Parameter`s."""

    items_: Mapping[str, Parameter]

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.items_[name]
        except KeyError:
            close = [k for k in self.items_ if k.split(".")[-1] == name.split(".")[-1]]
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            hint = f" {why}." if (why := _retired(name)) else hint
            raise KeyError(f"unknown parameter {name!r}.{hint}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def value(self, name: str) -> float:
        """The numeric value of parameter `name`."""
        return self[name].value

    def group(self, prefix: str) -> dict[str, float]:
        """Values of all parameters under `prefix.` keyed by their short name."""
        head = prefix.rstrip(".") + "."
        return {k[len(head) :]: p.value for k, p in self.items_.items() if k.startswith(head)}

    def with_values(self, **overrides: float) -> ParameterSet:
        """A copy with some values replaced; keys use `__` for dots (`pk__ka_per_h=2.0`)."""
        new = dict(self.items_)
        for key, val in overrides.items():
            name = key.replace("__", ".")
            new[name] = replace(self[name], value=float(val))
        return ParameterSet(new)


def group_values(
    params: ParameterSet, prefix: str, names: Iterable[str], overrides: Mapping[str, object]
) -> dict[str, object]:
    """Values of `names` from the `prefix.` group, with `overrides` replacing single entries.

    Used by the model's parameter dataclasses (`PKParams`, `BindingParams`); an override that
    names no field raises `InputError`, so a misspelt name is never silently ignored.
    """
    names = tuple(names)
    unknown = set(overrides) - set(names)
    if unknown:
        raise InputError(f"unknown {prefix} parameter(s) {sorted(unknown)}; known: {list(names)}")
    group = params.group(prefix)
    return {n: overrides[n] if n in overrides else group[n] for n in names}


def _fail(file: str, name: str, problem: str) -> DataFileError:
    return DataFileError(f"{file}: parameter [{name}]: {problem}")


def _parse_entry(file: str, name: str, raw: Mapping[str, object]) -> Parameter:
    allowed = {"value", "unit", "kind", *FIELDS, "range", "description"}
    extra = set(raw) - allowed
    if extra:
        raise _fail(file, name, f"unknown field(s) {sorted(extra)}; allowed: {sorted(allowed)}")
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(file, name, f"'value' must be a number, got {value!r}")
    kind = raw.get("kind")
    if kind not in _KINDS:
        raise _fail(file, name, f"'kind' must be one of {_KINDS}, got {kind!r}")
    for field in ("unit", "description"):
        if not isinstance(raw.get(field), str) or not raw[field]:
            raise _fail(file, name, f"'{field}' is required and must be a non-empty string")
    provenance = Provenance.take(dict(raw))
    lacking = provenance.missing(_NEEDS)
    if lacking and kind != "assumption":  # an assumption's reason is checked after its range
        raise _fail(file, name, f"kind = {kind!r} needs a '{lacking[0]}'")
    low = high = None
    if "range" in raw:
        rng = raw["range"]
        if (
            not isinstance(rng, list)
            or len(rng) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in rng)
            or not rng[0] <= rng[1]
        ):
            raise _fail(file, name, f"'range' must be [low, high] with low <= high, got {rng!r}")
        low, high = float(rng[0]), float(rng[1])
        if not low <= float(value) <= high:
            raise _fail(file, name, f"value {value} lies outside its range [{low}, {high}]")
    if lacking:
        raise _fail(file, name, f"kind = {kind!r} needs a '{lacking[0]}'")
    if kind == "assumption" and low is None:
        raise _fail(file, name, "kind = 'assumption' needs a plausible 'range' = [low, high]")
    return Parameter(
        name=name,
        value=float(value),
        unit=str(raw["unit"]),
        description=str(raw["description"]),
        provenance=provenance,
        low=low,
        high=high,
        file=file,
    )


def _walk(file: str, prefix: str, table: Mapping[str, object], out: dict[str, Parameter]) -> None:
    for key, val in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if why := _retired(name):
            raise _fail(file, name, why)
        if not isinstance(val, Mapping):
            raise _fail(file, name, "expected a table with at least 'value', 'unit', 'kind'")
        if "value" in val:
            if name in out:
                raise _fail(file, name, f"defined twice (also in {out[name].file})")
            out[name] = _parse_entry(file, name, val)
        else:
            _walk(file, name, val, out)


def parse_parameter_files(paths: list[Path]) -> ParameterSet:
    """Read and validate parameter TOML files; raise `DataFileError` naming file and entry."""
    out: dict[str, Parameter] = {}
    for path in sorted(paths):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise DataFileError(f"{path.name}: cannot read parameter file: {exc}") from exc
        _walk(path.name, "", table, out)
    return ParameterSet(out)


@cache
def default_parameters() -> ParameterSet:
    """All parameters shipped in `ldn/data/parameters*.toml` (read once, then cached)."""
    data = resources.files("ldn") / "data"
    paths = [
        Path(str(p))
        for p in data.iterdir()
        if p.name.startswith("parameters") and p.name.endswith(".toml")
    ]
    return parse_parameter_files(paths)
