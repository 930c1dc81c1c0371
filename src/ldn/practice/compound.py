"""Compounding worksheets for LDN: a liquid from 50 mg tablets (or API powder), or capsules.

    >>> ws = compound(form="liquid", strength_mg_per_ml=1, volume_ml=100,
    ...               compounded_on=date(2026, 11, 28))
    >>> ws.tablets_50mg, ws.beyond_use_days, ws.beyond_use_date.isoformat()
    (2, 35, '2027-01-02')

Every number on the worksheet comes from a rule in `ldn/data/practice_rules.toml` (sourced,
secondary or an assumption); `Worksheet.rules` lists the ones applied so the worksheet prints
them. Amounts are mg of naltrexone hydrochloride (rule `api_salt`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any, Final

from ldn.errors import InputError
from ldn.practice.rules import Rule, rule, value
from ldn.regimen.validate import check_count, check_dose_mg, check_non_negative, check_positive

VEHICLES: Final = ("fawcett", "water")  # preserved Fawcett 1997 formula | purified water only
SOURCES: Final = ("tablets", "api")
BUD_BASES: Final = ("usp", "study")
FILLERS: Final = {  # allowed filler → its rule
    "mcc": "capsule_filler_mcc",
    "sucrose": "other_inert_fillers",
    "sodium_bicarbonate": "other_inert_fillers",
    "lactose": "other_inert_fillers",
}
REFUSED_FILLERS: Final = {  # refused filler → the rule that refuses it
    "calcium_carbonate": "no_calcium_carbonate",
    "methylcellulose": "no_slow_release_filler",
    "hpmc": "no_slow_release_filler",
    "hypromellose": "no_slow_release_filler",
}
FILLER_NAMES: Final = {
    "mcc": "microcrystalline cellulose (Avicel)",
    "sucrose": "sucrose",
    "sodium_bicarbonate": "sodium bicarbonate",
    "lactose": "lactose",
}
# Fawcett 1997 formula per mL of 1 mg/mL liquid (rule liquid_fawcett_formula): 0.5 g ascorbic
# acid, 0.1 g sodium benzoate and 20 mL glycerol per 100 mL.
_FAWCETT_PER_ML: Final = (
    ("ascorbic acid", 5.0, "mg"),
    ("sodium benzoate (preservative)", 1.0, "mg"),
    ("glycerol", 0.2, "mL"),
)
MAX_VOLUME_ML: Final = 5000.0
MAX_CAPSULES: Final = 10_000


@dataclass(frozen=True)
class _Form:
    """How a worksheet writes one form's strength, batch quantity and a dose (e.g. '1 mg/mL',
    '100 mL', '4.5 mL'), and the product word of its label."""

    code: str
    product: str
    strength_unit: str
    quantity_unit: str
    dose_unit: str


_LIQUID: Final = _Form("liquid", "oral liquid", "mg/mL", "mL", "mL")
_CAPSULE: Final = _Form("capsule", "capsules", "mg", "capsules", "capsule(s)")
FORMS: Final = (_LIQUID.code, _CAPSULE.code)


@dataclass(frozen=True)
class Worksheet:
    """A compounding worksheet: what to weigh or count, the vehicle, BUD, storage and label."""

    form: str
    strength: str
    quantity: str
    tablets_50mg: int | None
    api_mg: float
    batch: dict[str, float]
    ingredients: list[tuple[str, float, str]]
    vehicle: str
    beyond_use_days: int
    beyond_use_date: date
    storage: str
    label_text: str
    steps: list[str]
    rules: list[Rule] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (every field, in order); `rules` carry kind, source and quote."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["ingredients"] = [{"name": n, "amount": a, "unit": u} for n, a, u in self.ingredients]
        out["beyond_use_date"] = self.beyond_use_date.isoformat()
        out["rules"] = [r.as_dict() for r in self.rules]
        return out


def _choice(text: str, allowed: tuple[str, ...], option: str) -> str:
    code = str(text).strip().lower().replace("-", "_")
    if code not in allowed:
        raise InputError(f"{option} {text!r} is not one of {', '.join(allowed)}")
    return code


def check_filler(name: str) -> str:
    """An allowed filler code; calcium carbonate and slow-release fillers are refused."""
    code = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if code in REFUSED_FILLERS:
        why = rule(REFUSED_FILLERS[code])
        raise InputError(
            f"filler {name!r} is not used for LDN: {why.statement} ({why.provenance.source})"
        )
    if code not in FILLERS:
        raise InputError(f"filler {name!r} is unknown; use one of {', '.join(FILLERS)}")
    return code


def _bud(start: date, days: int, earliest_expiry: date | None) -> tuple[int, date]:
    bud = start + timedelta(days=days)
    if earliest_expiry is not None and earliest_expiry < bud:
        bud = earliest_expiry
    if bud <= start:
        raise InputError(f"an ingredient expires on {earliest_expiry}, before compounding ends")
    return (bud - start).days, bud


def compound(
    *,
    form: str,
    strength_mg_per_ml: float | None = None,
    volume_ml: float | None = None,
    capsule_mg: float | None = None,
    capsule_count: int | None = None,
    vehicle: str = "fawcett",
    filler: str = "mcc",
    source: str | None = None,
    bud_basis: str = "usp",
    overage_pct: float = 0.0,
    compounded_on: date | None = None,
    earliest_expiry: date | None = None,
    dose_mg: float | None = None,
    at: str | None = None,
) -> Worksheet:
    """A worksheet for `form` "liquid" (strength × volume) or "capsule" (strength × count)."""
    form = _choice(form, FORMS, "--form")
    bud_basis = _choice(bud_basis, BUD_BASES, "--bud-basis")
    overage = check_non_negative(overage_pct, "--overage-pct")
    if overage > 20:
        raise InputError(f"--overage-pct {overage:g} is above 20 %; a worksheet overage is small")
    batch = _Batch(
        source, bud_basis, overage, compounded_on or date.today(), earliest_expiry, dose_mg, at
    )
    if form == "liquid":
        if capsule_mg is not None or capsule_count is not None:
            raise InputError("a liquid has --strength-mg-per-ml and --volume-ml, not capsules")
        return _liquid(strength_mg_per_ml, volume_ml, vehicle, batch)
    if strength_mg_per_ml is not None or volume_ml is not None:
        raise InputError("capsules have --capsule-mg and --capsule-count, not a volume")
    return _capsules(capsule_mg, capsule_count, filler, batch)


@dataclass(frozen=True)
class _Batch:
    """What a worksheet needs besides the form's own amounts (checked by `compound`)."""

    source: str | None  # None: the form's usual source
    bud_basis: str
    overage: float  # %
    today: date
    expiry: date | None
    dose_mg: float | None
    at: str | None

    @property
    def factor(self) -> float:
        """1 + overage."""
        return 1 + self.overage / 100

    def naltrexone(
        self, usual_source: str, needed_mg: float
    ) -> tuple[int | None, float, list[Rule]]:
        """`_naltrexone` for `needed_mg` plus the overage, from --source or the form's usual one."""
        source = _choice(self.source or usual_source, SOURCES, "--source")
        return _naltrexone(source, needed_mg * self.factor)


def _naltrexone(source: str, needed_mg: float) -> tuple[int | None, float, list[Rule]]:
    """(50 mg tablets to crush, or None from API powder; naltrexone HCl that goes in, mg; the
    rules) for a batch that needs `needed_mg`: whole tablets, so a tablet batch has at least
    `needed_mg`."""
    if source != "tablets":
        return None, round(needed_mg, 3), []
    tablet_mg = float(value("liquid_from_tablets"))
    tablets = math.ceil(round(needed_mg / tablet_mg, 9))
    rules = [rule("liquid_from_tablets"), rule("whole_tablets")]
    return tablets, round(tablets * tablet_mg, 3), rules


def _liquid(strength: float | None, volume: float | None, vehicle: str, batch: _Batch) -> Worksheet:
    if strength is None or volume is None:
        raise InputError("a liquid needs --strength-mg-per-ml and --volume-ml (e.g. 1 and 100)")
    conc = check_positive(strength, "--strength-mg-per-ml")
    vol = check_positive(volume, "--volume-ml")
    if vol > MAX_VOLUME_ML or conc > 10:
        raise InputError("an LDN liquid is at most 10 mg/mL and 5000 mL per batch")
    vehicle = _choice(vehicle, VEHICLES, "--vehicle")
    tablets, api_mg, source_rules = batch.naltrexone("tablets", conc * vol)
    rules = [rule("api_salt"), rule("liquid_most_common"), *source_rules]
    batch_ml = round(api_mg / (conc * batch.factor), 3) if tablets else vol
    ingredients = [("naltrexone HCl", api_mg, "mg")]
    if vehicle == "fawcett":
        ingredients += [(n, round(per_ml * batch_ml, 3), u) for n, per_ml, u in _FAWCETT_PER_ML]
        rules.append(rule("liquid_fawcett_formula"))
    ingredients.append(("purified water", round(batch_ml, 3), "mL (to volume)"))
    days, storage, bud_rules = _liquid_bud(vehicle, batch.bud_basis)
    return _worksheet(
        batch,
        (tablets, api_mg),
        _LIQUID,
        strength=conc,
        quantity=vol,
        amounts={"volume_ml": batch_ml, "surplus_ml": round(batch_ml - vol, 3)},
        ingredients=ingredients,
        vehicle="Fawcett 1997 preserved formula" if vehicle == "fawcett" else "purified water",
        days=days,
        storage=storage,
        label_notes="Shake well. Protect from light. ",
        steps=_liquid_steps(tablets, api_mg, vehicle, batch_ml),
        rules=[*rules, *bud_rules, rule("liquid_auxiliary_labels")],
    )


def _liquid_bud(vehicle: str, basis: str) -> tuple[int, str, list[Rule]]:
    fridge = "Store in a refrigerator (2-8 °C)"
    if basis == "study":
        if vehicle != "fawcett":
            raise InputError(
                "--bud-basis study needs --vehicle fawcett: the stability study (Fawcett 1997) "
                "tested that formula, not plain water"
            )
        days_4c = int(value("liquid_fawcett_stability")[0])
        return days_4c, fridge, [rule("liquid_fawcett_stability"), rule("bud_liquid_choice")]
    if vehicle == "fawcett":
        rules = [rule("bud_aqueous_preserved"), rule("liquid_fawcett_stability")]
        return int(value("bud_aqueous_preserved")), fridge, [*rules, rule("bud_liquid_choice")]
    return int(value("bud_aqueous_nonpreserved")), fridge, [rule("bud_aqueous_nonpreserved")]


def _liquid_steps(tablets: int | None, api_mg: float, vehicle: str, batch_ml: float) -> list[str]:
    first = (
        f"Crush {tablets} × 50 mg naltrexone tablets to a fine powder"
        if tablets
        else f"Weigh {api_mg:g} mg naltrexone HCl powder"
    )
    if vehicle == "fawcett":
        return [
            f"{first} and triturate with the ascorbic acid.",
            "Add the glycerol and the preservative and mix to a smooth paste.",
            f"Add purified water gradually to {batch_ml:g} mL; mix well.",
            "Fill into an amber plastic bottle with an oral-syringe adaptor; label.",
        ]
    return [
        f"{first}.",
        f"Suspend in purified water and make up to {batch_ml:g} mL; mix well.",
        "Fill into an amber bottle with an oral-syringe adaptor; label.",
    ]


def _capsules(capsule_mg: float | None, count: int | None, filler: str, batch: _Batch) -> Worksheet:
    if capsule_mg is None or count is None:
        raise InputError("capsules need --capsule-mg and --capsule-count (e.g. 4.5 and 30)")
    strength = check_dose_mg(capsule_mg, "--capsule-mg")
    n = check_count(count, "--capsule-count", minimum=1)
    capacity = float(value("capsule_size3_capacity"))
    if n > MAX_CAPSULES or strength > capacity / 2:
        raise InputError(f"at most {MAX_CAPSULES} capsules of at most {capacity / 2:g} mg each")
    filler = check_filler(filler)
    tablets, api_mg, source_rules = batch.naltrexone("api", strength * n)
    rules = [rule("api_salt"), rule(FILLERS[filler]), rule("no_calcium_carbonate")]
    rules += [rule("no_slow_release_filler"), rule("capsule_size3_capacity"), *source_rules]
    filler_mg = round(n * (capacity - strength) * batch.factor, 1)
    days, bud_rules = _capsule_bud(filler, batch.bud_basis)
    first = f"Crush {tablets} × 50 mg tablets" if tablets else f"Weigh {api_mg:g} mg naltrexone HCl"
    steps = [
        f"{first}; mix with the {FILLER_NAMES[filler]} by geometric dilution.",
        f"Fill {n} size 3 capsules (about {capacity:g} mg each; calibrate fill weight per lot).",
        "Check weight uniformity; package in a light-resistant container; label.",
    ]
    return _worksheet(
        batch,
        (tablets, api_mg),
        _CAPSULE,
        strength=strength,
        quantity=n,
        amounts={"capsules": n, "capsule_fill_mg": capacity},
        ingredients=[("naltrexone HCl", api_mg, "mg"), (FILLER_NAMES[filler], filler_mg, "mg")],
        vehicle=FILLER_NAMES[filler],
        days=days,
        storage="Store at room temperature, away from light",
        steps=steps,
        rules=[*rules, *bud_rules],
    )


def _capsule_bud(filler: str, basis: str) -> tuple[int, list[Rule]]:
    if basis == "study":
        if filler != "mcc":
            raise InputError("--bud-basis study needs --filler mcc: the study used Avicel")
        return int(value("capsule_stability_study")), [rule("capsule_stability_study")]
    return int(value("bud_capsules")), [rule("bud_capsules"), rule("capsule_stability_study")]


def _worksheet(
    batch: _Batch,
    naltrexone: tuple[int | None, float],
    form: _Form,
    *,
    strength: float,
    quantity: float,
    amounts: dict[str, float],
    ingredients: list[tuple[str, float, str]],
    vehicle: str,
    days: int,
    storage: str,
    label_notes: str = "",
    steps: list[str],
    rules: list[Rule],
) -> Worksheet:
    """The worksheet of one form from its own pieces: `naltrexone` is (50 mg tablets or None,
    naltrexone HCl mg), `strength` mg per mL or per capsule, `quantity` mL or capsules, `days`
    the form's beyond-use days before the earliest expiry caps them, `label_notes` what the label
    says before the storage line."""
    tablets, api_mg = naltrexone
    days, bud = _bud(batch.today, days, batch.expiry)
    strength_text = f"{strength:g} {form.strength_unit}"
    quantity_text = f"{quantity:g} {form.quantity_unit}"
    what = f"naltrexone hydrochloride {strength_text} {form.product} (low-dose naltrexone)"
    how = _directions(batch.dose_mg, batch.at, lambda d: f"{d / strength:g} {form.dose_unit}")
    label = _label(what, quantity_text, how, f"{label_notes}{storage}.", batch.today, bud)
    return Worksheet(
        form=form.code,
        strength=strength_text,
        quantity=quantity_text,
        tablets_50mg=tablets,
        api_mg=api_mg,
        batch=amounts,
        ingredients=ingredients,
        vehicle=vehicle,
        beyond_use_days=days,
        beyond_use_date=bud,
        storage=storage,
        label_text=label,
        steps=steps,
        rules=rules,
    )


def _directions(dose_mg: float | None, at: str | None, amount: Callable[[float], str]) -> str:
    if dose_mg is None:
        return "Take as directed by your prescriber."
    dose = check_dose_mg(dose_mg, "--dose-mg")
    when = f" at {at}" if at else ""
    return f"Take {amount(dose)} ({dose:g} mg) by mouth once daily{when}."


def _label(what: str, qty: str, how: str, storage: str, made: date, bud: date) -> str:
    return "\n".join(
        [
            f"{what[0].upper()}{what[1:]} — {qty}",
            how,
            storage,
            "Do not take with opioid pain medicines; tell your surgeon or dentist you take LDN.",
            f"Compounded {made.isoformat()}. Do not use after {bud.isoformat()} (beyond-use date).",
        ]
    )
