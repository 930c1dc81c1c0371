"""`ldn calibrate` (refit the mechanism families) and `ldn hypotheses` (read the shipped fit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ldn.cli._output import FORMAT_NO_CSV_OPTION
from ldn.mechanisms.settings import FitSettings

_FIT = FitSettings()  # the defaults of `ldn calibrate`


def calibrate(
    out_dir: Path | None = typer.Option(
        None, "--out-dir", help="Write the posterior here (default: the package's data folder)."
    ),
    family: list[str] = typer.Option(
        [], "--hypothesis", help="Fit only these families (repeatable; default: all)."
    ),
    walkers: int = typer.Option(
        _FIT.walkers, "--walkers", help="emcee walkers (at least 2·dim + 2)."
    ),
    burn: int = typer.Option(_FIT.burn, "--burn", help="Burn-in steps discarded."),
    steps: int = typer.Option(_FIT.steps, "--steps", help="Steps kept after burn-in."),
    thin: int = typer.Option(_FIT.thin, "--thin", help="Keep every N-th kept step."),
    seed: int = typer.Option(_FIT.seed, "--seed", help="Sampler seed."),
    no_check: bool = typer.Option(
        False, "--no-check", help="Write the result even if R-hat/ESS fail (flagged)."
    ),
    reweigh: bool = typer.Option(
        False,
        "--reweigh",
        help="Only recompute the family weights from the families already "
        "fitted in --out-dir (default: shipped), e.g. after separate --hypothesis runs.",
    ),
) -> None:
    """Fit every mechanism family to the randomised trials (Bayes, emcee) and weigh them."""
    import time

    from rich.console import Console

    from ldn.cli._output import make_folder
    from ldn.cli._progress import progress_bar
    from ldn.mechanisms.run import calibrate as run
    from ldn.model.hypotheses import FAMILY_NAMES, get_family
    from ldn.regimen.validate import check_count

    console = Console()
    if reweigh:  # --out-dir is read here (an existing calibration): nothing is created
        from ldn.mechanisms.run import reweigh as reweigh_fit

        _print_weights(console, reweigh_fit(out_dir))
        return
    names = tuple(get_family(f).name for f in family) or FAMILY_NAMES
    chosen = {"walkers": walkers, "burn": burn, "steps": steps, "thin": thin, "seed": seed}
    for name, value in chosen.items():  # FitSettings' limits, named as the user typed them
        check_count(value, f"--{name}", FitSettings.MINIMUM[name], FitSettings.MAXIMUM.get(name))
    settings = FitSettings(**chosen)
    if out_dir is not None:
        make_folder(out_dir, "--out-dir")  # a FOLDER option: created before any fitting
    t0 = time.perf_counter()
    with progress_bar("calibrating", total=len(names) * (burn + steps)) as bar:
        done: dict[str, int] = {}

        def tick(name: str, k: int, total: int) -> None:
            done[name] = k
            if bar is not None:
                bar.update(sum(done.values()), len(names) * total)

        summary = run(out_dir, families=names, settings=settings, check=not no_check,
                      progress=tick)  # fmt: skip
    _print_weights(console, summary)
    console.print(f"calibration wall time {time.perf_counter() - t0:.0f} s")


def _print_weights(console: Any, summary: dict[str, Any]) -> None:
    """One line per family: weight over all trials (pseudo-BMA, 95 %), R-hat, ESS, wall time."""
    w = summary["weights"]["untested"]
    console.print("weights over all fitted trials (pseudo-BMA; per condition: `ldn hypotheses`)")
    for name, fam in summary["families"].items():
        console.print(
            f"{name:20s} weight {w[name]['weight']:.2f} ({w[name]['weight_low']:.2f}–"
            f"{w[name]['weight_high']:.2f})  R-hat {fam['rhat_max']:.3f}  ESS "
            f"{fam['ess_bulk_min']:.0f}  {fam['wall_time_s']:.0f} s"
        )


def _fmt(e: dict) -> str:
    from rich.markup import escape

    flags = [f for f in ("not_estimable", "prior_dominated", "at_assumed_bound") if e[f]]
    text = f"{e['mean']:+.3g} ({e['pi_low']:+.3g} to {e['pi_high']:+.3g})"
    return text + (escape(f" [{', '.join(flags)}]") if flags else "")  # not Rich markup


def hypotheses(
    condition: str = typer.Option(..., "--condition", help="Condition, e.g. crohns."),
    fmt: str = FORMAT_NO_CSV_OPTION,
    out: Path | None = typer.Option(None, "--out", help="Write json here instead of stdout."),
    plot: Path | None = typer.Option(None, "--plot", help="Families side by side vs the trials."),
    calibration_dir: Path | None = typer.Option(
        None, "--calibration", help="Folder written by `ldn calibrate` (default: shipped)."
    ),
) -> None:
    """Mechanism families for a condition: weights and LDN − placebo effects with 95 % intervals."""
    import json

    from ldn.cli._output import check_output, json_value, write_text
    from ldn.errors import InputError
    from ldn.mechanisms.report import hypotheses_report

    if fmt not in ("table", "json"):
        raise InputError(f"--format must be table or json, got {fmt!r}")
    check_output(fmt, out, plot)
    report = hypotheses_report(condition, calibration_dir)
    if fmt == "json":
        text = json.dumps(json_value(report), indent=1) + "\n"
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_text(out, text)
    else:
        _table(report)
    if plot is not None:
        from ldn.figures import save_figure
        from ldn.mechanisms.plots import plot_hypotheses

        save_figure(plot_hypotheses(report, calibration_dir), plot, option="--plot")


def _table(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    first = report["hypotheses"][0]["effects"]
    table = Table(title=f"{report['condition']}: LDN − placebo at 12 weeks, mean (95 % interval)")
    table.add_column("hypothesis")
    table.add_column("weight (95 %)", justify="right")
    for e in first:
        table.add_column(f"{e['scale']} {e['regimen']}", justify="right")
    for h in report["hypotheses"]:
        table.add_row(
            h["name"], f"{h['weight']:.2f} ({h['weight_low']:.2f}–{h['weight_high']:.2f})",
            *(_fmt(e) for e in h["effects"]),
        )  # fmt: skip
    table.add_row("model average", "", *(_fmt(e) for e in report["model_average"]["effects"]))
    Console().print(table)
    loose = [f"{h['name']} (R-hat {h['rhat_max']:.2f})" for h in report["hypotheses"]
             if not h["converged"]]  # fmt: skip
    if loose:
        names = ", ".join(loose)
        Console().print(f"[yellow]not converged (R-hat > 1.05 or ESS < 200): {names}; "
                        "refit with `ldn calibrate --steps …`[/]")  # fmt: skip
    if any(e["not_estimable"] for e in report["model_average"]["effects"]):
        Console().print(f"{report['condition']}: no randomised trial — effects not estimable (the "
                        "disease gain comes from the other conditions' hierarchy); family "
                        "weights are those of all fitted trials (pseudo-BMA)")  # fmt: skip
    Console().print("sign: LDN − placebo on the scale's own units (negative = lower score on LDN)")
