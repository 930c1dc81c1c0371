"""The parameter loader: schema checks with messages that name file and entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from ldn.errors import DataFileError
from ldn.parameters import parse_parameter_files


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "parameters_test.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_entries_are_read_with_dotted_names(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[pk.ka_per_h]
value = 1.5
unit = "1/h"
kind = "assumption"
reason = "fit to Tmax"
range = [0.5, 3.0]
description = "absorption rate"
""",
    )
    params = parse_parameter_files([path])
    assert params.value("pk.ka_per_h") == 1.5
    assert params["pk.ka_per_h"].low == 0.5
    assert params.group("pk") == {"ka_per_h": 1.5}
    assert params.with_values(pk__ka_per_h=2.0).value("pk.ka_per_h") == 2.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('value = "x"\nunit="1"\nkind="sourced"\nsource="s"\ndescription="d"', "must be a number"),
        ('value = 1\nunit="1"\nkind="guess"\ndescription="d"', "'kind' must be one of"),
        ('value = 1\nunit="1"\nkind="sourced"\ndescription="d"', "needs a 'source'"),
        (
            'value = 1\nunit="1"\nkind="assumption"\nreason="r"\ndescription="d"',
            "plausible 'range'",
        ),
        (
            'value = 5\nunit="1"\nkind="assumption"\nreason="r"\nrange=[0,1]\ndescription="d"',
            "outside its range",
        ),
        # a false value states nothing (it is not read as the text "False" or "[]")
        ('value = 1\nunit="1"\nkind="sourced"\nsource=false\ndescription="d"', "needs a 'source'"),
        (
            'value = 1\nunit="1"\nkind="assumption"\nreason=[]\nrange=[0,2]\ndescription="d"',
            "needs a 'reason'",
        ),
        # an assumption's range is checked before its reason
        ('value = 1\nunit="1"\nkind="assumption"\nrange=[3,2]\ndescription="d"', "'range' must"),
    ],
)
def test_bad_entries_name_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, f"[grp.bad]\n{body}\n")
    with pytest.raises(DataFileError, match=message) as info:
        parse_parameter_files([path])
    assert "parameters_test.toml" in str(info.value)
    assert "grp.bad" in str(info.value)


def test_unknown_parameter_suggests_close_names(tmp_path: Path) -> None:
    entry = '[pk.ka_per_h]\nvalue=1\nunit="1/h"\nkind="sourced"\nsource="s"\ndescription="d"\n'
    path = _write(tmp_path, entry)
    with pytest.raises(KeyError, match=r"pk\.ka_per_h"):
        parse_parameter_files([path])["other.ka_per_h"]
