"""`ldn.lazy.lazy_exports`: the PEP 562 loader of `ldn` and `ldn.trials`."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_names_load_on_first_use_and_are_then_plain_attributes() -> None:
    code = (
        "import sys, ldn; "
        "before = 'ldn.simulation' in sys.modules; "
        "f = ldn.simulate; "
        "print(before, 'ldn.simulation' in sys.modules, 'simulate' in vars(ldn), "
        "f is ldn.simulate, 'simulate' in dir(ldn))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True", "True", "True"]


def test_an_unknown_name_is_an_attribute_error_naming_the_package() -> None:
    import ldn
    import ldn.trials

    with pytest.raises(AttributeError, match="module 'ldn' has no attribute 'simulat'"):
        ldn.simulat  # noqa: B018
    # not a submodule name: once any test imports ldn.trials.power, `power` is an attribute
    with pytest.raises(AttributeError, match=r"module 'ldn\.trials' has no attribute 'powr'"):
        ldn.trials.powr  # noqa: B018


def test_every_lazy_name_resolves_and_is_in_all() -> None:
    import ldn
    import ldn.trials

    for package, sources in ((ldn, ldn._LAZY), (ldn.trials, ldn.trials._SOURCES)):
        assert sorted(sources) == sorted(n for n in package.__all__ if n != "__version__")
        for name in sources:
            assert getattr(package, name) is not None, name
