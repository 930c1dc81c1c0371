"""The one written form of a titration, with its parser and formatter.

`dose_mg:days` steps separated by commas, e.g. `1.5:7,3:7,4.5` (1.5 mg for 7 days, 3 mg for 7
days, then 4.5 mg; where allowed, the last step may omit `:days` to continue indefinitely). The
command line (`--titrate`), the web form, the registry CSV and the patient page all use it. One
trailing comma is ignored ('1.5:7,3:7,' = '1.5:7,3:7'); an empty step anywhere else is an error.
The older spelling `1.5x7;3x7` (CSV) is still read, with a deprecation message naming the new
form; as its old reader did, it skips empty parts anywhere ('1.5x7;3x7;' = '1.5x7;;3x7').
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence

from ldn.errors import InputError
from ldn.regimen.validate import check_count, check_dose_mg

Step = tuple[float, int | None]

_OLD_DOSE_DAYS = re.compile(r"(?<=\d)\s*[xX×]\s*(?=\d)")


def _help(what: str, open_ended: bool) -> str:
    last = " (last step open-ended)" if open_ended else ""
    return f"write {what} as dose_mg:days steps, e.g. '1.5:7,3:7,4.5'{last}"


def _modernise(text: str) -> str:
    return _OLD_DOSE_DAYS.sub(":", text).replace(";", ",")


def parse_titration(
    text: str,
    *,
    what: str = "--titrate",
    open_ended_last: bool = True,
    on_deprecated: Callable[[str], None] | None = None,
) -> list[Step]:
    """'1.5:7,3:7,4.5' → [(1.5, 7), (3.0, 7), (4.5, None)]; InputError naming `what` if bad.

    `open_ended_last=False` requires days on every step. The old spelling '1.5x7;3x7' is read
    too; its deprecation message goes to `on_deprecated`, else to a `FutureWarning`.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{what} is empty; {_help(what, open_ended_last)}.")
    modern = _modernise(text)
    old = modern != text
    steps = _parse(_steps_text(modern, old), what, open_ended_last)
    if old:
        message = (
            f"{what} {text.strip()!r} uses the old titration spelling; "
            f"write {format_titration(steps)!r} (dose_mg:days steps, comma-separated)"
        )
        if on_deprecated is not None:
            on_deprecated(message)
        else:
            warnings.warn(message, FutureWarning, stacklevel=2)
    return steps


def _steps_text(text: str, old: bool) -> list[str]:
    """The step texts: one trailing empty step dropped; in the old spelling every empty one."""
    pieces = [p.strip() for p in text.split(",")]
    if old:
        return [p for p in pieces if p]
    return pieces[:-1] if len(pieces) > 1 and not pieces[-1] else pieces


def titration_records(
    text: str, *, what: str = "titration", on_deprecated: Callable[[str], None] | None = None
) -> list[dict[str, float | int]]:
    """A stored prescription's titration: '1.5:7,3:7' → [{"dose_mg": 1.5, "days": 7}, ...].

    Every step needs its days (a prescription's maintenance dose is its own field); "" is no
    titration. What the web form and the registry CSV import store; messages as in
    `parse_titration`.
    """
    if not text.strip():
        return []
    steps = parse_titration(text, what=what, open_ended_last=False, on_deprecated=on_deprecated)
    return [{"dose_mg": dose, "days": int(days or 0)} for dose, days in steps]


def _parse(pieces: list[str], what: str, open_ended_last: bool) -> list[Step]:
    help_ = _help(what, open_ended_last)
    if not any(pieces):
        raise InputError(f"{what} has no steps; {help_}.")
    steps: list[Step] = []
    for i, piece in enumerate(pieces, start=1):
        fields = piece.split(":")
        if not piece or len(fields) > 2:
            raise InputError(f"{what} step {i} {piece!r} is not dose_mg:days; {help_}.")
        try:
            dose = check_dose_mg(fields[0], f"{what} step {i} dose")
        except InputError as exc:
            raise InputError(f"{str(exc).rstrip('.')}; {help_}.") from None
        if len(fields) == 1:
            if i != len(pieces) or not open_ended_last:
                raise InputError(
                    f"{what} step {i} {piece!r} has no number of days"
                    + ("" if not open_ended_last else " but is not the last step")
                    + f"; {help_}."
                )
            steps.append((dose, None))
        else:
            steps.append((dose, check_count(fields[1], f"{what} step {i} days", minimum=1)))
    return steps


def format_titration(steps: Sequence[Step]) -> str:
    """Inverse of `parse_titration`: [(1.5, 7), (4.5, None)] → '1.5:7,4.5'."""
    return ",".join(f"{_num(d)}" if n is None else f"{_num(d)}:{n}" for d, n in steps)


def format_titration_records(records: Sequence[Mapping[str, float | int]]) -> str:
    """Inverse of `titration_records`: [{"dose_mg": 1.5, "days": 7}] → '1.5:7' ("" for none);
    how the registry CSV export and the patient page show a stored titration."""
    return format_titration([(r["dose_mg"], int(r["days"])) for r in records])


def _num(dose_mg: float) -> str:
    text = repr(float(dose_mg))  # shortest exact form, so parsing it gives the same float
    return text[:-2] if text.endswith(".0") else text
