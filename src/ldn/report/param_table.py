"""Markdown table of model constants with their provenance (docs/model.md, section 8).

python -m ldn.report.param_table pk receptor pk_variant dose_class
"""

from __future__ import annotations

import sys

from ldn.parameters import Parameter, default_parameters


def _row(p: Parameter) -> str:
    cited = p.provenance
    kind = cited.kind if p.low is None else f"{cited.kind} (range {p.low:g}–{p.high:g})"
    src = cited.basis("ASSUMPTION: ")
    if cited.kind != "assumption":
        src += f" [link]({cited.url})" if cited.url else ""
        src += f' — "{cited.quote}"' if cited.quote else ""
    return f"| `{p.name}` | {p.value:.4g} | {p.unit} | {kind} | {p.description} | {src} |"


def markdown(groups: tuple[str, ...]) -> str:
    ps = default_parameters()
    head = (
        "| parameter | value | unit | kind | meaning | source / reason |\n"
        "|---|---:|---|---|---|---|\n"
    )
    rows = [_row(ps[n]) for n in ps if n.split(".")[0] in groups]
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown(tuple(sys.argv[1:]) or ("pk", "receptor", "pk_variant", "dose_class")))
