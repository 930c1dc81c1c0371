"""`ldn evidence`: list the LDN studies, pool them (or any metafor-style CSV), draw forest plots.

    ldn evidence list [--condition ms] [--format table|csv|json] [--out FILE]
    ldn evidence pool [--condition fibromyalgia | --input FILE] [--measure SMD|MD|RR|OR|RD]
                      [--method FE|DL|REML|PM] [--hksj] [--include-nonrandomised]
                      [--exclude-high-risk] [--format table|csv|json] [--out FILE] [--plot FILE]
    ldn evidence forest ... --plot FILE
    ldn evidence adverse-events [--format table|csv|json] [--out FILE]

    ldn evidence prisma | add | cumulative | docs   (see ldn.cli.evidence_review)

`pool` without --condition/--input prints the per-condition summary. Primary pools use
randomised trials only; `--include-nonrandomised` and `--exclude-high-risk` are sensitivity
analyses. JSON of a single pool is an object with estimate, se, ci_low, ci_high, tau2, i2,
pi_low, pi_high, k (analysis scale; RR/OR also as *_ratio), "studies" and "certainty" (GRADE
rating with the reason for each down-grade; null for --input files); the summary JSON is a
list of per-condition objects with certainty and certainty_reasons.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ldn.cli import evidence_review as _review
from ldn.cli._evidence_common import (
    _COND_HELP,
    _condition_title,
    _emit_frame,
    _save_plot,
    _write,
)
from ldn.cli._options import with_options
from ldn.cli._output import FORMAT_OPTION, check_output, json_value

if TYPE_CHECKING:
    import pandas as pd

    from ldn.evidence.certainty import Certainty
    from ldn.evidence.meta import MetaResult

app = typer.Typer(
    help="LDN evidence: studies, effect sizes, meta-analysis (metafor conventions), forest plots.",
    no_args_is_help=True,
)

_INPUT_HELP = (
    "CSV with metafor columns: yi,vi | ai,bi,ci,di | ai,n1i,ci,n2i | m1i,sd1i,n1i,m2i,sd2i,n2i."
)
_HKSJ = typer.Option(False, "--hksj", help="Hartung-Knapp-Sidik-Jonkman CI with t(k-1).")


@dataclass(frozen=True, kw_only=True)
class PoolSource:
    """What `pool`, `forest` and `funnel` pool (a condition of the LDN dataset, a user CSV, or
    with neither every condition) and how: the effect measure and the tau² estimator."""

    condition: Annotated[str | None, typer.Option("--condition", help=_COND_HELP)] = None
    input_file: Annotated[Path | None, typer.Option("--input", help=_INPUT_HELP)] = None
    measure: Annotated[str, typer.Option("--measure", help="SMD | MD | RR | OR | RD.")] = "SMD"
    method: Annotated[str, typer.Option("--method", help="FE | DL | REML | PM.")] = "REML"

    @property
    def codes(self) -> tuple[str, str]:
        """The measure and the method in capitals (`--measure smd` is SMD)."""
        return self.measure.upper(), self.method.upper()

    @property
    def heading(self) -> str:
        """The condition's title (`fm` → Fibromyalgia) or the CSV's file name (empty for every
        condition); `InputError` for an unknown condition."""
        if self.condition is not None:
            return _condition_title(self.condition)
        return self.input_file.name if self.input_file else ""


def _plot_result(res: MetaResult, kind: str, title: str, plot: Path) -> None:
    """Draw the forest or funnel plot of one pooled result to `plot`."""
    import matplotlib

    matplotlib.use("Agg")
    ax = (res.plot_forest if kind == "forest" else res.plot_funnel)(title=title)
    ax.get_figure(root=True).tight_layout()  # type: ignore[union-attr]  # never None here
    _save_plot(ax.figure, plot)


def _fit(
    source: PoolSource, hksj: bool, sensitivity: tuple[bool, bool] = (False, False)
) -> tuple[MetaResult, tuple[str, ...] | None, Certainty | None]:
    """Pool a condition (with its GRADE certainty) or a user CSV (no certainty)."""
    from ldn.errors import InputError
    from ldn.evidence import pool, pool_with_certainty, read_effects_csv

    condition, input_file = source.condition, source.input_file
    measure, method = source.codes
    if condition is not None and input_file is not None:
        raise InputError("give either --condition (LDN dataset) or --input FILE, not both.")
    if input_file is not None:
        if any(sensitivity):
            raise InputError(
                "--include-nonrandomised/--exclude-high-risk apply to the LDN dataset "
                "(--condition), not to --input files."
            )
        data = read_effects_csv(input_file, measure)
        res = pool(data.yi, data.vi, method, hksj=hksj, measure=measure, labels=data.labels)  # type: ignore[arg-type]
        return res, data.subgroups, None
    assert condition is not None
    res, cert, _ = pool_with_certainty(
        condition,
        measure,  # type: ignore[arg-type]
        method,  # type: ignore[arg-type]
        hksj=hksj,
        include_nonrandomised=sensitivity[0],
        exclude_high_risk=sensitivity[1],
    )
    return res, None, cert


def _result_json(res: MetaResult, cert: Certainty | None = None) -> str:
    payload = res.to_dict()
    payload["certainty"] = None if cert is None else cert.to_dict()
    labels = list(res.labels) if res.labels else [str(i + 1) for i in range(res.k)]
    payload["studies"] = [
        {"label": lab, "yi": float(y), "vi": float(v), "weight_pct": float(w)}
        for lab, y, v, w in zip(labels, res.yi, res.vi, res.weights, strict=True)
    ]
    return json.dumps(json_value(payload), indent=2)


def _print_result(
    res: MetaResult,
    heading: str,
    subgroups: tuple[str, ...] | None = None,
    cert: Certainty | None = None,
) -> None:
    from rich.console import Console

    frame = res.summary_frame().reset_index(names="study")
    _emit_frame(frame, "table", None, heading)
    scale = " (ratio scale)" if res.is_ratio else ""
    tr = math.exp if res.is_ratio else (lambda x: x)
    lines = [
        f"k = {res.k}; {res.measure}{scale}, {res.method}{' + HKSJ' if res.hksj else ''}",
        f"estimate {tr(res.estimate):.3f} (95 % CI {tr(res.ci_low):.3f} to {tr(res.ci_high):.3f}), "
        f"p = {res.pvalue:.3g}",
    ]
    if res.k >= 2:
        lines += [
            f"prediction interval {tr(res.pi_low):.3f} to {tr(res.pi_high):.3f}",
            f"tau² = {res.tau2:.4f}, I² = {res.i2:.1f} %, H² = {res.h2:.2f}, "
            f"Q = {res.q:.3f} (df = {res.k - 1}, p = {res.q_pvalue:.3g})",
        ]
    else:
        lines.append("single study: no pooling, heterogeneity or prediction interval")
    if not res.tau2_converged:
        lines.append(
            f"warning: the {res.method} estimate of tau² did not converge; try --method DL"
        )
    if cert is not None:
        lines.append(f"GRADE certainty: {cert.rating.upper()} (start {cert.start})")
        lines += [f"  down-graded for {r}" for r in cert.reasons] or ["  no down-grade"]
    console = Console()
    console.print("\n".join(lines), highlight=False)
    if res.k >= 3:
        from ldn.evidence import leave_one_out

        console.print(_egger_line(res), highlight=False)
        loo = leave_one_out(res).reset_index()
        if res.is_ratio:
            for col in ("estimate", "ci_low", "ci_high"):
                loo[col] = loo[col].map(math.exp)
        _emit_frame(loo, "table", None, "leave-one-out")
    if subgroups is not None:
        from ldn.evidence import subgroup_analysis

        sg = subgroup_analysis(
            res.yi,
            res.vi,
            subgroups,
            res.method,  # type: ignore[arg-type]  # a MetaResult holds a valid Method
            hksj=res.hksj,
            measure=res.measure,  # type: ignore[arg-type]
        )
        _emit_frame(sg.summary_frame().reset_index(), "table", None, "subgroups")
        console.print(
            f"test for subgroup differences: Q = {sg.q_between:.3f} (df = {sg.df}, "
            f"p = {sg.pvalue:.3g})",
            highlight=False,
        )


@app.command("list")
def list_studies(
    condition: str | None = typer.Option(None, "--condition", help=_COND_HELP),
    fmt: str = FORMAT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write csv/json here instead of stdout."),
    status: str | None = typer.Option(
        None, "--status", help="reported | ongoing | completed_unreported | unreported | ..."
    ),
    randomised: bool = typer.Option(False, "--randomised", help="Randomised trials only."),
) -> None:
    """List the curated studies (one row per study × outcome): design, n, status, risk of
    bias, what was reported. Filter with --condition, --status and --randomised."""
    check_output(fmt, out, None)
    from ldn.errors import InputError
    from ldn.evidence import load_studies
    from ldn.evidence.schema import RANDOMISED_DESIGNS, STATUSES

    frame = load_studies(condition)
    if status is not None:
        if status not in STATUSES:
            raise InputError(f"--status {status!r} is not one of {', '.join(STATUSES)}.")
        frame = frame[frame["status"] == status]
    if randomised:
        frame = frame[frame["design"].isin(RANDOMISED_DESIGNS)]
    if fmt == "table":
        cols = [
            "study_id",
            "condition",
            "design",
            "comparator",
            "n_ldn",
            "n_control",
            "outcome",
            "data_type",
            "status",
            "risk_of_bias",
            "reported",
        ]
        _emit_frame(
            frame[cols],
            "table",
            None,
            f"LDN studies{f' ({_condition_title(condition)})' if condition else ''}: "
            f"{len(frame)} rows",
        )
    else:
        _emit_frame(frame, fmt, out, "")


def _pool_or_forest(
    source: PoolSource,
    hksj: bool,
    fmt: str,
    out: Path | None,
    plot: Path | None,
    sensitivity: tuple[bool, bool] = (False, False),
) -> None:
    check_output(fmt, out, plot)
    measure, method = source.codes
    if source.condition is None and source.input_file is None:
        from ldn.evidence import pooled_by_condition

        frame = pooled_by_condition(
            measure,  # type: ignore[arg-type]
            method,  # type: ignore[arg-type]
            hksj=hksj,
            include_nonrandomised=sensitivity[0],
            exclude_high_risk=sensitivity[1],
        )
        if fmt == "table":
            frame = _summary_view(frame)
        _emit_frame(
            frame,
            fmt,
            out,
            f"LDN vs placebo by condition: {measure}, {method}{' + HKSJ' if hksj else ''}",
        )
        if plot is not None:
            _plot_all(measure, method, hksj, plot)
        return
    res, subgroups, cert = _fit(source, hksj, sensitivity)
    heading = source.heading
    if fmt == "table":
        _print_result(res, f"{heading}: {measure}", subgroups, cert)
    elif fmt == "json":
        _write(_result_json(res, cert), out)
    else:
        _write(res.summary_frame().reset_index(names="study").to_csv(index=False), out)
    if plot is not None:
        _plot_result(res, "forest", heading, plot)


def _summary_view(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    def ci(lo: float, hi: float) -> str:
        return "" if not (math.isfinite(lo) and math.isfinite(hi)) else f"{lo:.2f} to {hi:.2f}"

    return pd.DataFrame(
        {
            "condition": frame["label"],
            "k": frame["k"],
            "n": frame["n_total"],
            "estimate": [f"{x:.2f}" for x in frame["estimate"]],
            "95% CI": [ci(a, b) for a, b in zip(frame["ci_low"], frame["ci_high"], strict=True)],
            "95% PI": [
                ci(a, b) if p else ""
                for a, b, p in zip(frame["pi_low"], frame["pi_high"], frame["pooled"], strict=True)
            ],
            "I² %": [f"{x:.0f}" if math.isfinite(x) else "" for x in frame["i2"]],
            "certainty": frame["certainty"],
            "studies": frame["studies"],
        }
    )


def _plot_all(measure: str, method: str, hksj: bool, plot: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from ldn.evidence import CONDITIONS, pool_condition, pooled_by_condition
    from ldn.evidence.plots import forest_grid

    conds = list(pooled_by_condition(measure, method, hksj=hksj)["condition"])  # type: ignore[arg-type]
    results = {CONDITIONS[c]: pool_condition(c, measure, method, hksj=hksj) for c in conds}  # type: ignore[arg-type]
    fig = forest_grid(results, title=f"LDN vs placebo ({measure}, {method}); > 0 favours LDN")
    _save_plot(fig, plot)


@app.command("pool")
@with_options
def pool_cmd(
    *,
    source: PoolSource,
    hksj: bool = _HKSJ,
    fmt: str = FORMAT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write csv/json here instead of stdout."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Also write a forest plot (PNG/SVG/PDF)."
    ),
    include_nonrandomised: bool = typer.Option(
        False, "--include-nonrandomised", help="Sensitivity: add non-randomised comparisons."
    ),
    exclude_high_risk: bool = typer.Option(
        False, "--exclude-high-risk", help="Sensitivity: drop trials at high/critical risk of bias."
    ),
) -> None:
    """Pool one condition, a user CSV, or (with neither) every condition of the LDN dataset.

    Randomised trials only; the GRADE certainty is printed (and in JSON) for the LDN dataset."""
    _pool_or_forest(source, hksj, fmt, out, plot, (include_nonrandomised, exclude_high_risk))


@app.command("forest")
@with_options
def forest_cmd(
    *,
    plot: Path = typer.Option(..., "--plot", help="Forest plot file (PNG/SVG/PDF)."),
    source: PoolSource,
    hksj: bool = _HKSJ,
) -> None:
    """Draw a forest plot (all conditions when neither --condition nor --input is given)."""

    check_output("table", None, plot)
    if source.condition is None and source.input_file is None:
        _plot_all(*source.codes, hksj, plot)
        return
    res, _, _ = _fit(source, hksj)
    _plot_result(res, "forest", source.heading, plot)


@app.command("adverse-events")
def adverse_events_cmd(
    fmt: str = FORMAT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write csv/json here instead of stdout."),
) -> None:
    """Adverse events per arm with Wilson 95 % CIs and the LDN − control risk difference."""
    check_output(fmt, out, None)
    from ldn.evidence import adverse_event_table

    frame = adverse_event_table()
    if fmt == "table":
        view = frame[
            [
                "study_id",
                "event",
                "ldn",
                "rate_ldn",
                "ci_low_ldn",
                "ci_high_ldn",
                "control",
                "rate_control",
                "rd",
                "rd_ci_low",
                "rd_ci_high",
            ]
        ]
        _emit_frame(view, "table", None, "Adverse events (Wilson 95 % CI; RD = LDN − control)")
    else:
        _emit_frame(frame, fmt, out, "")


@app.command("funnel")
@with_options
def funnel_cmd(
    *,
    plot: Path = typer.Option(..., "--plot", help="Funnel plot file (PNG/SVG/PDF)."),
    source: PoolSource,
) -> None:
    """Draw a funnel plot (effect against standard error) and print Egger's test (k >= 3)."""
    check_output("table", None, plot)
    res, _, _ = _fit(source, False)
    _plot_result(res, "funnel", source.heading, plot)
    if res.k >= 3:
        typer.echo(_egger_line(res))


def _egger_line(res: MetaResult) -> str:
    """Egger's regression test of funnel asymmetry as one line (`pool` and `funnel`; k >= 3)."""
    from ldn.evidence import egger_test

    eg = egger_test(res.yi, res.vi)
    low_power = "  (k < 10: low power)" if res.k < 10 else ""
    return (
        f"Egger's test: intercept {eg.intercept:.3f} (SE {eg.se:.3f}), t = {eg.t:.3f}, "
        f"df = {eg.df}, p = {eg.pvalue:.3g}{low_power}"
    )


_review.register(app)  # prisma, add, cumulative, docs
