"""`make demo` / `ldn demo`: run each area's showcase and write one summary.

Each area contributes a section function `run(out_dir: Path) -> DemoSection` listed in
`SECTIONS`. The orchestrator runs them in order, prints their text, and writes
`summary.md` and `summary.html` (with the figures inline) into the output folder.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# "module:function" of each section, in the order they appear in the summary.
SECTIONS: tuple[str, ...] = (
    "ldn.demo.pk:run",
    "ldn.demo.evidence:run",
    "ldn.demo.chain:run",
    "ldn.demo.trials:run",
    "ldn.demo.registry:run",
    "ldn.demo.practice:run",
)


@dataclass(frozen=True)
class DemoSection:
    """One part of the demo: a title, Markdown text, and the files it wrote (relative paths)."""

    title: str
    markdown: str
    figures: tuple[str, ...] = field(default_factory=tuple)
    files: tuple[str, ...] = field(default_factory=tuple)


def _load(spec: str) -> Callable[[Path], DemoSection]:
    module_name, func = spec.split(":")
    return getattr(importlib.import_module(module_name), func)  # type: ignore[no-any-return]


def render_markdown(sections: list[DemoSection]) -> str:
    """The whole summary as Markdown, figures linked by relative path."""
    parts = ["# ldn demo\n"]
    for sec in sections:
        parts.append(f"## {sec.title}\n\n{sec.markdown.strip()}\n")
        parts.extend(f"![{Path(fig).stem}]({fig})\n" for fig in sec.figures)
    return "\n".join(parts)


def render_html(markdown: str) -> str:
    """A standalone HTML page from the Markdown summary (markdown-it, shipped with Rich)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(markdown)
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .5rem}"
        "img{max-width:100%}code,pre{background:#f4f4f4}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>ldn demo</title>"
        f"<style>{style}</style></head><body>{body}</body></html>"
    )


def run_demo(out_dir: Path, sections: tuple[str, ...] = SECTIONS) -> list[DemoSection]:
    """Run every section into `out_dir` and write `summary.md` and `summary.html`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = [_load(spec)(out_dir) for spec in sections]
    md = render_markdown(results)
    (out_dir / "summary.md").write_text(md, encoding="utf-8")
    (out_dir / "summary.html").write_text(render_html(md), encoding="utf-8")
    return results
