"""`ldn calibrate-pk`: refit every PK structural variant to pk_observations.csv.

Writes pk_models.toml and pk_draws_<model>.npz (into the installed `ldn/data` by default, or
`--out DIR`).  Takes minutes (emcee posterior and leave-one-study-out refits); not part of
`make test`.  After a refit, copy the default variant's values into parameters.toml (the
population engine, SBML export and model chain read them there); tests/model/test_pk_models.py
checks that the two agree.
"""

from __future__ import annotations

from pathlib import Path

import typer


def calibrate_pk(
    out: Path | None = typer.Option(None, "--out", help="Directory for the results."),
    steps: int = typer.Option(300, "--steps", help="emcee steps per walker (half are burn-in)."),
    model: list[str] = typer.Option(
        [], "--model", help="Only this variant (repeatable); default: all."
    ),
    no_loso: bool = typer.Option(False, "--no-loso", help="Skip leave-one-study-out refits."),
) -> None:
    """Fit the PK structural variants to the human data; compare by AIC/BIC and LOSO error."""
    from ldn.calibration import pk_store
    from ldn.cli._output import make_folder
    from ldn.errors import InputError
    from ldn.model.pk_models import MODEL_NAMES, get_model

    for m in model:
        get_model(m)
    if steps < 0:
        raise InputError(f"--steps must be >= 0, got {steps}")
    models = tuple(model) or MODEL_NAMES
    if out is not None:
        make_folder(out, "--out")  # a FOLDER option: created (or refused) before any fitting
    where = pk_store.run(out, models=models, steps=steps, loso=not no_loso, report=typer.echo)
    typer.echo(f"wrote {where / 'pk_models.toml'}")
