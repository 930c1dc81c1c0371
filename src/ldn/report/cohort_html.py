"""Self-contained HTML cohort report (figures inline as base64 PNG), rendered with Jinja2.

`render_cohort_html(report)` turns a `ldn.analysis.cohort.CohortReport` into one HTML page:
definitions, responders by condition / scale / dose band, the cohort next to the pooled trial
evidence, adverse events, and the per-patient N-of-1 table. `figure_data_uri(fig)` is exposed
for the web dashboard.
"""

from __future__ import annotations

import base64
import math
from typing import TYPE_CHECKING

import pandas as pd
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from ldn.analysis.cohort import DOSE_BANDS, CohortReport
from ldn.figures import figure_png
from ldn.scales import SCALES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>LDN registry cohort report</title>
<style>
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
td,th{border:1px solid #bbb;padding:.2rem .5rem;text-align:right}
td:first-child,th:first-child,td.l{text-align:left}
th{background:#f0f0f0} img{max-width:100%} .note{color:#555;font-size:.9rem}
.wrap{overflow-x:auto}
</style></head><body>
<h1>LDN registry cohort report</h1>
<p>Data as of {{ as_of }}: {{ n_patients }} patients, {{ n_units }} patient × scale series
({{ n_evaluable }} evaluable for the N-of-1 analysis).</p>

<h2>Definitions</h2>
<ul>
<li><b>Responder</b>: the patient's Bayesian N-of-1 posterior probability of an improvement of at
least one minimal important difference (MID) exceeds {{ threshold }}. Model: score = a + b·time +
δ·(on LDN) + AR(1) error; prior on δ {{ prior_text }}; see docs/n-of-1.md.</li>
<li><b>Not evaluable</b>: fewer than 2 assessments before and 2 during LDN, no prescription, or no
variation; left out of the denominators and counted separately.</li>
<li><b>Dose</b>: maintenance dose of the most recent prescription, bands {{ bands }}.</li>
<li><b>Intervals</b>: proportions with Wilson score 95% CIs; event rates per 100 patient-months
with exact Poisson 95% CIs.</li>
</ul>
<table><tr><th>scale</th><th>direction</th><th>MID</th><th>MID source</th></tr>
{% for s in scales %}<tr><td>{{ s.label }}</td><td class="l">{{ s.direction }}</td>
<td>{{ s.mid }}</td><td class="l">{{ s.source }}</td></tr>{% endfor %}
</table>

<h2>Responders by condition and dose</h2>
{% if responders %}<img alt="responder rates" src="{{ responder_png }}">
{{ responders }}{% else %}<p>No evaluable patients yet.</p>{% endif %}

<h2>Registry cohort and pooled trial evidence</h2>
<p class="note">{{ evidence_note }}</p>
{{ side_by_side }}

<h2>Adverse events</h2>
{% if adverse_events %}<img alt="adverse events" src="{{ ae_png }}">
{{ adverse_events }}{% else %}<p>No patients on LDN yet.</p>{% endif %}
<h3>The same events in LDN trials</h3>
{% if trial_adverse_events %}<p class="note">Events per arm as reported (Wilson 95% CIs; rd =
risk difference LDN − control), from ldn.evidence.</p>
{{ trial_adverse_events }}{% else %}<p>No trial-reported rates for these event types.</p>{% endif %}

<h2>Per-patient N-of-1 results</h2>
{{ patients }}
<p class="note">δ: change in the score on LDN (scale units, posterior mean and 95% credible
interval); improvement in MID: −δ/MID when lower scores are better.</p>
</body></html>
"""


def figure_data_uri(fig: Figure) -> str:
    """A `data:image/png;base64,...` URI of a matplotlib figure."""
    return "data:image/png;base64," + base64.b64encode(figure_png(fig)).decode("ascii")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3g}"
    return str(value)


def _html_table(frame: pd.DataFrame | None) -> str:
    if frame is None or frame.empty:
        return ""
    table = frame.to_html(index=False, escape=True, na_rep="", float_format=_fmt, border=0)
    return f'<div class="wrap">{table}</div>'


def _ci(est: object, lo: float, hi: float) -> str:
    if not isinstance(est, int | float) or math.isnan(float(est)):
        return ""
    return f"{float(est):.2f} ({float(lo):.2f} to {float(hi):.2f})"


def _compact_side_by_side(frame: pd.DataFrame) -> pd.DataFrame:
    """Side-by-side table with estimates and intervals in one cell each (for reading)."""
    if frame.empty:
        return frame
    out = pd.DataFrame(
        {
            "condition": frame["condition"],
            "scale": frame["scale"],
            "registry responders": [
                f"{int(k)}/{int(n)}" for k, n in zip(frame["n_responders"], frame["n_evaluable"],
                                                      strict=True)
            ],
            "responder rate (95% CI)": [
                _ci(r, lo, hi)
                for r, lo, hi in zip(frame["responder_rate"], frame["responder_ci95_low"],
                                     frame["responder_ci95_high"], strict=True)
            ],
        }
    )  # fmt: skip
    if "trial_estimate" in frame.columns:
        out["trial SMD (95% CI)"] = [
            _ci(e, lo, hi)
            for e, lo, hi in zip(
                frame["trial_estimate"], frame["trial_ci_low"], frame["trial_ci_high"], strict=True
            )
        ]
        for col, label in (("trial_k", "trials (k)"), ("trial_n_total", "trial patients")):
            if col in frame.columns:
                out[label] = ["" if pd.isna(v) else str(int(v)) for v in frame[col]]
        if "trial_i2" in frame.columns:
            out["I² (%)"] = frame["trial_i2"]
    out["trial evidence"] = frame["trial_evidence"]
    return out


def render_cohort_html(report: CohortReport) -> str:
    """The whole cohort report as one self-contained HTML page."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(_TEMPLATE)
    pats = report.patients
    shown = pats.drop(columns=["patient_id", "clinic_id"], errors="ignore")
    scales_used = sorted(set(pats["scale"])) if len(pats) else []
    scales = [
        {
            "label": SCALES[code].label,
            "direction": "lower is better" if SCALES[code].lower_is_better else "higher is better",
            "mid": f"{SCALES[code].mid:g}",
            "source": SCALES[code].mid_provenance.basis(),
        }
        for code in scales_used
        if code in SCALES
    ]
    sd = report.settings.prior_delta_sd_in_mid
    return template.render(
        as_of=str(report.as_of),
        n_patients=report.n_patients,
        n_units=len(pats),
        n_evaluable=int((pats["status"] != "not evaluable").sum()) if len(pats) else 0,
        threshold=f"{report.settings.responder_probability:g}",
        prior_text=f"sceptical, N(0, ({sd:g} × MID)²)",
        bands=", ".join(DOSE_BANDS),
        scales=scales,
        responders=Markup(_html_table(report.responders)),
        responder_png=figure_data_uri(report.plot_responders()),
        side_by_side=Markup(_html_table(_compact_side_by_side(report.side_by_side()))),
        evidence_note=report.evidence_note or "no pooled trial evidence",
        adverse_events=Markup(_html_table(report.adverse_events)),
        ae_png=figure_data_uri(report.plot_adverse_events()),
        trial_adverse_events=Markup(_html_table(report.trial_adverse_events)),
        patients=Markup(_html_table(shown)),
    )
