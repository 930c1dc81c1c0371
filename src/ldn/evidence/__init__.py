"""Evidence base and meta-analysis for LDN.

Three layers, as in statsmodels' meta-analysis module:

- effect sizes (`effect_size_smd`, `effect_size_md`, `effect_size_2x2`, and helpers that work
  from reported statistics) return `(yi, vi)` like metafor's `escalc()`;
- `pool(yi, vi, method="REML", hksj=False)` returns a frozen `MetaResult` (estimate, CI, τ²,
  I², H², Q, prediction interval) with `summary_frame()`, `plot_forest()`, `plot_funnel()`;
  `leave_one_out`, `subgroup_analysis` and `egger_test` build on it;
- the curated dataset: `load_studies()` (with risk of bias), `load_adverse_events()`,
  `study_effects()`, `pool_condition()` (randomised trials only by default),
  `pooled_by_condition()` and `pool_with_certainty()` (GRADE), `evidence_summary()` (a dict
  for the web cohort page), `cumulative_meta()`, sensitivity analyses and
  `adverse_event_table()`;
- the search record: `ldn.evidence.search` (search log, screening, PRISMA 2020 counts).

Any CSV with metafor's column names can be pooled via `read_effects_csv()`.
"""

from __future__ import annotations

from ldn.evidence.analyses import (
    EggerResult,
    SubgroupResult,
    egger_test,
    leave_one_out,
    subgroup_analysis,
)
from ldn.evidence.certainty import Certainty
from ldn.evidence.dataset import (
    CONDITIONS,
    adverse_event_table,
    analysis_rows,
    load_adverse_events,
    load_studies,
    pool_condition,
    study_effects,
)
from ldn.evidence.effect_sizes import (
    effect_size_2x2,
    effect_size_md,
    effect_size_smd,
    hedges_correction,
    se_from_ci,
    smd_crossover_from_p,
    smd_from_log_or,
    smd_from_md_ci,
    smd_from_p,
)
from ldn.evidence.meta import MetaResult, pool
from ldn.evidence.synthesis import (
    correlation_sensitivity,
    cumulative_meta,
    diary_sensitivity,
    evidence_summary,
    pool_with_certainty,
    pooled_by_condition,
)
from ldn.evidence.user_csv import EffectData, read_effects_csv

__all__ = [
    "CONDITIONS",
    "Certainty",
    "EffectData",
    "EggerResult",
    "MetaResult",
    "SubgroupResult",
    "adverse_event_table",
    "analysis_rows",
    "correlation_sensitivity",
    "cumulative_meta",
    "diary_sensitivity",
    "effect_size_2x2",
    "effect_size_md",
    "effect_size_smd",
    "egger_test",
    "evidence_summary",
    "hedges_correction",
    "leave_one_out",
    "load_adverse_events",
    "load_studies",
    "pool",
    "pool_condition",
    "pool_with_certainty",
    "pooled_by_condition",
    "read_effects_csv",
    "se_from_ci",
    "smd_crossover_from_p",
    "smd_from_log_or",
    "smd_from_md_ci",
    "smd_from_p",
    "study_effects",
    "subgroup_analysis",
]
