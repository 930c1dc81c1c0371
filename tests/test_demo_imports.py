"""`ldn.demo`: the summary imports its sections in plain sight of import-linter (no cycle)."""

from __future__ import annotations

SECTIONS = ("pk", "evidence", "chain", "trials", "registry", "practice")


def test_summary_imports_each_section_and_no_section_imports_summary() -> None:
    import grimp

    graph = grimp.build_graph("ldn", cache_dir=None)
    for name in SECTIONS:
        section = f"ldn.demo.{name}"
        assert graph.direct_import_exists(importer="ldn.demo.summary", imported=section), section
        assert not graph.chain_exists(importer=section, imported="ldn.demo.summary"), section
