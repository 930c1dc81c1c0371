"""Public names loaded on first use (PEP 562), for packages whose imports are heavy.

    __getattr__, __dir__ = lazy_exports(__name__, {"simulate": "ldn.simulation", ...})

`__getattr__(name)` imports `name` from its module the first time it is asked for and stores it in
the package, so later look-ups are plain attribute reads; an unknown name is the usual
`AttributeError`. `__dir__()` lists the package's names and the lazy ones. Type checkers see the
names through the package's `if TYPE_CHECKING:` imports.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, sources: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """(`__getattr__`, `__dir__`) of `package`, loading each name of `sources` (name → module)."""

    def __getattr__(name: str) -> Any:
        if name not in sources:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(sources[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *sources})

    return __getattr__, __dir__
