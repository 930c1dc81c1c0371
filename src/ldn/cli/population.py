"""`ldn population`, `ldn trial`, `ldn power`: virtual populations and virtual trials.

Long runs show a Rich progress bar on a terminal and stay quiet when piped. `--scheduler local`
runs the patient chunks as Dask tasks on a local cluster; `--scheduler tcp://host:8786` uses an
existing Dask cluster; without it the chunks run in this process on all cores.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ldn.cli._options import with_options
from ldn.cli._output import FORMAT_OPTION, check_output, json_value, write_text
from ldn.cli._progress import progress_bar
from ldn.cli._regimen_options import RegimenOptions
from ldn.trials.design import DEFAULT_WASHOUT_WEEKS

T = TypeVar("T")


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text)
    else:
        write_text(out, text)


@with_options
def population(
    *,
    n: int = typer.Option(1000, "--n", help="Number of virtual patients."),
    days: int = typer.Option(84, "--days", help="Days to simulate."),
    dosing: RegimenOptions,
    condition: str = typer.Option("ms", "--condition", help="Condition (disease module)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the population (reproducible)."),
    female: float = typer.Option(0.5, "--female-fraction", help="Fraction of women."),
    step_h: float = typer.Option(0.5, "--step-h", help="Integration step of the chain, hours."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="'local' (Dask LocalCluster) or a Dask scheduler ADDRESS."
    ),
    fmt: str = FORMAT_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write csv/json here."),
    per_patient: bool = typer.Option(
        False, "--per-patient", help="csv/json: one row per patient instead of the summary."
    ),
    plot: Path | None = typer.Option(None, "--plot", help="Write a figure (PNG/SVG/PDF)."),
    hypothesis: str = typer.Option(
        "rebound_brain",
        "--hypothesis",
        help="Mechanism family at its parameter-file values (default: the seed's rebound_brain).",
    ),
    pk_model: str | None = typer.Option(
        None,
        "--pk-model",
        help="PK structural variant with equilibrium binding (default: the fitted default).",
    ),
) -> None:
    """Simulate a virtual population on one regimen and summarise exposure and response."""
    check_output(fmt, out, plot)
    from ldn.population.api import simulate_population

    regimen = dosing.regimen()
    with progress_bar("patients", n) as bar:
        prog = bar.advance if bar else None
        result = simulate_population(
            regimen, n=n, days=days, condition=condition, seed=seed, female_fraction=female,
            dt_h=step_h, scheduler=scheduler, progress=prog, hypothesis=hypothesis,
            pk_model=pk_model,
        )  # fmt: skip
    frame = result.to_frame() if per_patient else result.summary_frame().reset_index()
    if fmt == "table":
        _print_frame(result.description, result.summary_frame().reset_index())
    elif fmt == "csv":
        _emit(frame.to_csv(index=False), out)
    else:
        payload: dict[str, Any] = result.summary()
        if per_patient:
            payload["patients"] = frame.to_dict(orient="records")
        _emit(json.dumps(json_value(payload), indent=2), out)
    if plot is not None:
        result.plot(plot)


def _print_frame(title: str, frame: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for col in frame.columns:
        table.add_column(str(col), justify="left" if col == frame.columns[0] else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*(_fmt(v) for v in row))
    Console().print(table)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _deprecated_missing(missing: str | None, analysis: str, endpoint: str) -> str:
    """--missing (deprecated): locf → --analysis locf-ancova, complete_case → ancova."""
    from ldn.errors import InputError

    if missing is None:
        return analysis
    mapping = {"locf": "locf-ancova", "complete_case": "ancova"}
    if missing not in mapping:
        raise InputError(
            f"--missing {missing!r} is not locf or complete_case; --missing is deprecated, "
            "use --analysis (mmrm, ancova, mi, locf-ancova, ...)"
        )
    if endpoint == "responder":
        typer.echo(
            "warning: --missing is deprecated and ignored for responders: dropouts count as "
            "non-responders (use --analysis logistic or exact)",
            err=True,
        )
        return analysis
    if analysis != "auto":
        raise InputError(f"give --analysis {analysis} or the deprecated --missing, not both")
    typer.echo(
        f"warning: --missing is deprecated; --missing {missing} means --analysis "
        f"{mapping[missing]}",
        err=True,
    )
    return mapping[missing]


def parse_control(text: str) -> Any:
    """'placebo' → placebo arm; 'DOSE@HH:MM' (e.g. '4.5@08:00') → that daily regimen."""
    from ldn.errors import InputError
    from ldn.regimen import daily
    from ldn.trials.design import Arm

    value = text.strip().lower()
    if value == "placebo":
        return Arm("placebo", None)
    dose, sep, clock = value.partition("@")
    try:
        regimen = daily(float(dose), clock if sep else "22:00")
    except ValueError:
        raise InputError(
            f"--control {text!r} is not 'placebo' or DOSE@HH:MM (for example 4.5@08:00 for a "
            "morning dose, or 3@22:00)"
        ) from None
    return Arm(regimen.describe(), regimen)


_DESIGN_HELP = "parallel | crossover | n_of_1."
_WASHOUT_HELP = (
    "Washout between periods, weeks (default: the chain's carry-over falls below 5 % of the "
    "effect; docs/trials.md)."
)
_DROPOUT_MODEL_HELP = (
    "mcar | mar (hazard depends on the last observed score) | mnar (on the current, unobserved "
    "score) | adverse-events (per-arm side-effect discontinuation from the evidence data)."
)
_ANALYSIS_HELP = (
    "auto (mmrm; responders: exact below 50/arm, else logistic) | mmrm | ancova | mi | "
    "locf-ancova | tipping-point | jump-to-reference | logistic | exact."
)
_MISSING_HELP = "Deprecated: locf = --analysis locf-ancova, complete_case = --analysis ancova."

_HYPOTHESIS_HELP = "Draw only this mechanism family's parameters (default: the model average)."
_FIXED_HELP = "Fixed default parameters (conditional power) instead of posterior draws."


def _assurance_hook(
    d: Any, params: Any, trials: int, seed: int, hypothesis: str | None, fixed: bool
) -> Any:
    """Posterior-draw hook (assurance; parallel and crossover); None with --fixed-parameters."""
    from ldn.errors import InputError

    if fixed:
        if hypothesis is not None:
            raise InputError("--hypothesis draws a family's parameters; drop --fixed-parameters")
        return None
    from ldn.mechanisms.assurance import posterior_hook, supports

    if trials < 1:
        return None  # simulate_trials reports the bad count
    if not supports(d):
        typer.echo(f"note: {d.kind} designs use fixed parameters (assurance: parallel and "
                   "crossover designs)", err=True)  # fmt: skip
        return None
    return posterior_hook(d, params, trials, seed, family=hypothesis)


_CONTROL_HELP = "'placebo' or DOSE@HH:MM, e.g. 4.5@08:00 (morning vs bedtime)."
_OPT_OUT = typer.Option(None, "--out", help="Write csv/json here.")


@dataclass(frozen=True, kw_only=True)
class TrialDesignOptions:
    """The trial design options `trial` and `power` share (`--n-per-arm` is `trial`'s own)."""

    condition: Annotated[str, typer.Option("--condition", help="Condition.")] = "fibromyalgia"
    kind: Annotated[str, typer.Option("--design", help=_DESIGN_HELP)] = "parallel"
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks of treatment (per period).")] = 12
    washout_weeks: Annotated[int, typer.Option("--washout-weeks", help=_WASHOUT_HELP)] = (
        DEFAULT_WASHOUT_WEEKS
    )
    cycles: Annotated[
        int, typer.Option("--cycles", help="N-of-1: pairs of periods per patient.")
    ] = 3
    dose_mg: Annotated[float | None, typer.Option("--dose-mg", help="Treatment dose, mg.")] = None
    at: Annotated[str | None, typer.Option("--at", help="Treatment clock time, HH:MM.")] = None
    titrate: Annotated[str | None, typer.Option("--titrate", help="Treatment titration steps.")] = (
        None
    )
    control: Annotated[str, typer.Option("--control", help=_CONTROL_HELP)] = "placebo"
    dropout: Annotated[float, typer.Option("--dropout", help="Dropout probability per week.")] = 0.0
    dropout_model: Annotated[str, typer.Option("--dropout-model", help=_DROPOUT_MODEL_HELP)] = (
        "mcar"
    )
    analysis: Annotated[str, typer.Option("--analysis", help=_ANALYSIS_HELP)] = "auto"
    missing: Annotated[str | None, typer.Option("--missing", help=_MISSING_HELP)] = None
    endpoint: Annotated[str, typer.Option("--endpoint", help="change | responder.")] = "change"
    alpha: Annotated[float, typer.Option("--alpha", help="Two-sided significance level.")] = 0.05
    female: Annotated[
        float | None, typer.Option("--female-fraction", help="Fraction of women.")
    ] = None

    def build(self, n_per_arm: int) -> Any:
        """The `TrialDesign` with `n_per_arm` patients per arm (or sequence)."""
        from ldn.model.disease import get_condition
        from ldn.regimen import regimen_from_cli
        from ldn.trials.design import Arm, TrialDesign

        treatment = regimen_from_cli(dose_mg=self.dose_mg, at=self.at, titrate=self.titrate)
        analysis = _deprecated_missing(self.missing, self.analysis, self.endpoint)
        return TrialDesign(
            condition=get_condition(self.condition).name,
            kind=self.kind,  # type: ignore[arg-type]
            treatment=Arm(treatment.describe(), treatment),
            control=parse_control(self.control),
            n_per_arm=n_per_arm,
            weeks=self.weeks,
            washout_weeks=self.washout_weeks,
            cycles=self.cycles,
            dropout_per_week=self.dropout,
            endpoint=self.endpoint,  # type: ignore[arg-type]
            alpha=self.alpha,
            female_fraction=self.female,
            analysis=analysis,
            dropout_model=self.dropout_model,
        )


@dataclass(frozen=True, kw_only=True)
class TrialRunOptions:
    """How `trial` and `power` run their replicate trials (`--trials` is each command's own)."""

    pool: Annotated[int, typer.Option("--pool", help="Virtual patients per arm (0 = no pool).")] = (
        5000
    )
    seed: Annotated[int, typer.Option("--seed", help="Seed (reproducible).")] = 0
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="'local' or Dask ADDRESS.")
    ] = None
    hypothesis: Annotated[str | None, typer.Option("--hypothesis", help=_HYPOTHESIS_HELP)] = None
    fixed: Annotated[bool, typer.Option("--fixed-parameters", help=_FIXED_HELP)] = False

    def run(
        self, simulate: Callable[..., T], d: Any, trials: int, per_arm: int, **extra: Any
    ) -> tuple[T, bool]:
        """`simulate(d, ...)` (`power_analysis` or `simulate_trials`) over `trials` replicate
        trials with the default parameters, the assurance hook and a progress bar over the
        virtual patients (`per_arm` per arm and trial when there is no pool); also whether
        parameters are drawn (assurance).
        """
        from ldn.parameters import default_parameters

        pool_size = None if self.pool == 0 else self.pool
        total = (pool_size or trials * per_arm) * (1 if d.kind == "n_of_1" else 2)
        params = default_parameters()
        hook = _assurance_hook(d, params, trials, self.seed, self.hypothesis, self.fixed)
        with progress_bar("virtual patients", total) as bar:
            result = simulate(
                d, params=params, n_trials=trials, seed=self.seed, pool_size=pool_size,
                scheduler=self.scheduler, progress=bar.advance if bar else None,
                activity_hook=hook, **extra,
            )  # fmt: skip
        return result, hook is not None


@with_options
def trial(
    *,
    design: TrialDesignOptions,
    n_per_arm: int = typer.Option(50, "--n-per-arm", help="Patients per arm (or sequence)."),
    trials: int = typer.Option(1000, "--trials", help="Replicate trials."),
    run: TrialRunOptions,
    fmt: str = FORMAT_OPTION,
    out: Path | None = _OPT_OUT,
) -> None:
    """Run replicate virtual trials of one design: power (assurance by default) with its 95 % CI."""
    check_output(fmt, out, None)
    from ldn.trials.power import power_analysis

    result, _ = run.run(power_analysis, design.build(n_per_arm), trials, n_per_arm)
    _report(result.summary(), fmt, out)


def _report(summary: dict[str, Any], fmt: str, out: Path | None) -> None:
    import pandas as pd

    for text in summary.get("warnings") or []:
        typer.echo(f"warning: {text}", err=True)
    nested = ("curve", "estimand", "warnings", "power_by_delta")
    flat = {k: v for k, v in summary.items() if k not in nested}
    if fmt == "json":
        _emit(json.dumps(json_value(summary), indent=2), out)
    elif fmt == "csv":
        rows = summary.get("curve") or [{**flat, **_estimand_columns(summary)}]
        _emit(pd.DataFrame(rows).to_csv(index=False), out)
    else:
        frame = pd.DataFrame({"quantity": list(flat), "value": [str(v) for v in flat.values()]})
        _print_frame(str(summary["design"]), frame)
        if summary.get("estimand"):
            est = _estimand_columns(summary)
            rows = {"attribute": list(est), "value": list(est.values())}
            _print_frame("estimand (ICH E9(R1))", pd.DataFrame(rows))
        if summary.get("power_by_delta"):
            by_delta = pd.DataFrame(summary["power_by_delta"])
            _print_frame("MNAR tipping point: power by delta", by_delta)
        if summary.get("curve"):
            _print_frame("power curve", pd.DataFrame(summary["curve"]))


def _estimand_columns(summary: dict[str, Any]) -> dict[str, str]:
    """The estimand as flat text columns (intercurrent events joined)."""
    est = summary.get("estimand") or {}
    out = {f"estimand_{k}": str(v) for k, v in est.items() if k != "intercurrent_events"}
    events = est.get("intercurrent_events") or {}
    out["estimand_intercurrent_events"] = "; ".join(f"{k}: {v}" for k, v in events.items())
    return out


@with_options
def power(
    *,
    design: TrialDesignOptions,
    target: float = typer.Option(0.9, "--target", help="Target power, e.g. 0.9."),
    n_max: int = typer.Option(1000, "--n-max", help="Largest n per arm searched."),
    trials: int = typer.Option(500, "--trials", help="Replicate trials per n."),
    run: TrialRunOptions,
    fmt: str = FORMAT_OPTION,
    out: Path | None = _OPT_OUT,
    plot: Path | None = typer.Option(None, "--plot", help="Power-curve figure (PNG/SVG/PDF)."),
) -> None:
    """Find the sample size per arm that reaches --target power; power curve table and plot."""
    check_output(fmt, out, plot)
    from ldn.trials.power import power_from_outcomes, search_sample_size
    from ldn.trials.simulate import simulate_trials

    outcomes, drawn = run.run(simulate_trials, design.build(2), trials, n_max, n_max=n_max)
    result = search_sample_size(outcomes, target)
    summary = result.summary()
    at_n = power_from_outcomes(outcomes, result.n_per_arm or n_max, parameters_drawn=drawn)
    summary.update({k: v for k, v in at_n.summary().items()
                    if k in ("effect_p2_5", "effect_p97_5", "assurance")})  # fmt: skip
    _report(summary, fmt, out)
    if plot is not None:
        result.plot(plot)
