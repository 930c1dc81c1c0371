"""Figures of the PK structural variants against the data (docs/model.md and the demo).

- `plot_variant_blockade`: MOR occupancy after one 50 mg dose (0–168 h) for each variant with
  its posterior p5–p95 band, Lee 1988 scan times marked; and the same for 4.5 mg, brain vs
  plasma.
- `plot_observed_vs_model`: every fitted and check value as z-score (model − published)/SD per
  variant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ldn.model.pk_models import MODEL_NAMES


def plot_variant_blockade(path: str | Path | None = None, n_draws: int = 100) -> Any:
    import matplotlib.pyplot as plt

    from ldn.figures import save_figure
    from ldn.model.exposure import exposure
    from ldn.regimen import DoseEvents
    from ldn.simulation.uncertainty import band_series

    t = np.linspace(0.0, 168.0, 673)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
    for model, color in zip(MODEL_NAMES, ("C0", "C1", "C2"), strict=True):
        for ax, dose in zip(axes, (50.0, 4.5), strict=True):
            ev = DoseEvents(t_h=[0.0], dose_mg=[dose])
            e = exposure(ev, t, pk_model=model)
            cols = ("mor_occupancy", "mor_occupancy_plasma")
            b = band_series(ev, t, cols, pk_model=model, n_draws=n_draws)
            ax.plot(t, 100 * e.mor_occupancy, color=color, label=f"{model} (brain)")
            ax.fill_between(
                t, 100 * b["mor_occupancy_p5"], 100 * b["mor_occupancy_p95"], color=color,
                alpha=0.2, lw=0,
            )  # fmt: skip
            if dose < 10:
                ax.plot(t, 100 * e.mor_occupancy_plasma, color=color, ls="--", lw=0.9,
                        label=f"{model} (plasma, unbound)")  # fmt: skip
    for ax, title in zip(axes, ("one 50 mg dose", "one 4.5 mg dose"), strict=True):
        for h in (1, 48, 72, 120, 168):
            ax.axvline(h, color="grey", lw=0.5, ls=":")
        ax.set_title(f"MOR occupancy after {title} (band: posterior p5–p95)")
        ax.set_xlabel("hours after the dose (dotted: Lee 1988 scan times)")
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("MOR occupancy (%)")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    return save_figure(fig, path, tight=True)


def plot_observed_vs_model(path: str | Path | None = None) -> Any:
    import matplotlib.pyplot as plt

    from ldn.calibration.pk_data import observations
    from ldn.calibration.pk_predict import Predictor
    from ldn.figures import save_figure
    from ldn.model.pk_setup import model_setup

    rows = [o for o in observations() if o.use in ("fit", "check") and np.isfinite(o.sd)]
    fig, ax = plt.subplots(figsize=(11, 0.22 * len(rows) + 1.5))
    y = np.arange(len(rows))
    for k, model in enumerate(MODEL_NAMES):
        s = model_setup(model)
        pred = Predictor(model, s.pk, s.binding, s.extra)
        z = [(pred.value(o) - o.value) / o.sd for o in rows]
        ax.scatter(np.clip(z, -6, 6), y + 0.2 * (k - 1), s=14, label=model)
    ax.axvspan(-2, 2, color="#e2f0d9", zorder=0)
    ax.set_yticks(y, [f"{o.id} ({o.use})" for o in rows], fontsize=7)
    ax.set_xlabel("(model − published) / reported SD   (shaded: within 2 SD; clipped at ±6)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return save_figure(fig, path, tight=True)
