"""`make demo` / `ldn demo`: run each area's showcase and write one summary.

Each area contributes a section function `run(out_dir: Path) -> DemoSection` (`ldn.demo.section`)
listed in `SECTIONS`. The orchestrator runs them in order, prints their text, and writes
`summary.md` and `summary.html` (with the figures inline) into the output folder. The sections
are imported here statically (their heavy imports sit inside `run`), so import-linter sees the
edges; they import `DemoSection` from `ldn.demo.section`, never this module.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ldn.demo import chain, evidence, pk, practice, registry, trials
from ldn.demo.section import DemoSection

# Each section, in the order it appears in the summary.
SECTIONS: tuple[Callable[[Path], DemoSection], ...] = (
    pk.run,
    evidence.run,
    chain.run,
    trials.run,
    registry.run,
    practice.run,
)

__all__ = ["SECTIONS", "DemoSection", "render_html", "render_markdown", "run_demo"]


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


def run_demo(
    out_dir: Path, sections: tuple[Callable[[Path], DemoSection], ...] = SECTIONS
) -> list[DemoSection]:
    """Run every section into `out_dir` (created if missing) and write `summary.md` and
    `summary.html`. `ldn demo` creates and checks the folder first (`make_folder`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = [run(out_dir) for run in sections]
    md = render_markdown(results)
    (out_dir / "summary.md").write_text(md, encoding="utf-8")
    (out_dir / "summary.html").write_text(render_html(md), encoding="utf-8")
    return results
