"""One map from a study outcome to a model scale (`ldn.evidence.model_scales`), row by row.

Every row of the evidence dataset is listed with the model scale it maps to (None: no model
scale, or the condition is not modelled), so a change to the map or to a row's scale shows here.
The calibration (`ldn.mechanisms.data`) and the re-runs of published trials (`ldn.trials.evidence`)
both read it. Before it was one map, the two copies disagreed on five rows: PCDAI was `cdai` in
the trials' copy, and all three "% of baseline" rows were `pain_nrs` (relative) in the
calibration's; now PCDAI and the two "% of baseline" rows that are not pain ratings map to None.
"""

from __future__ import annotations

import pytest

from ldn.evidence.dataset import load_studies
from ldn.evidence.model_scales import SCALE_PATTERNS, ScaleMatch, model_scale
from ldn.scales import SCALES

# (study_id, outcome, dataset scale, (model scale column, relative to baseline %) or None)
MODELLED_CONDITIONS = [
    (
        "Smith2007_CD",
        "Clinical response (CDAI fall >=70) and remission (CDAI<150)",
        "CDAI",
        ("cdai", False),
    ),
    (
        "Smith2011_CD",
        "Clinical response (CDAI fall >=70)",
        "CDAI responders (proportion)",
        ("cdai", False),
    ),
    ("Smith2011_CD", "Endoscopic response (CDEIS fall >=5)", "CDEIS", None),
    ("Smith2011_CD", "Endoscopic remission (CDEIS<6)", "CDEIS", None),
    ("Smith2013_pedCD", "PCDAI change after 8 weeks of naltrexone (pre-post)", "PCDAI", None),
    ("Smith2013_pedCD", "Remission (PCDAI<=10) and improvement at end of study", "PCDAI", None),
    (
        "Parker2018_Cochrane_CD",
        "Clinical remission, clinical and endoscopic response (pooled RRs not found)",
        "RR",
        None,
    ),
    ("Cree2010_MS", "SF-36 Mental Component Summary", "SF-36 MCS", ("sf36_mcs", False)),
    ("Cree2010_MS", "Mental Health Inventory", "MHI (MSQLI)", None),
    ("Cree2010_MS", "Pain Effects Scale", "PES (MSQLI)", None),
    ("Cree2010_MS", "Perceived Deficits Questionnaire", "PDQ (MSQLI)", None),
    ("Sharafaddinzadeh2010_MS", "MSQoL-54 physical and mental health composites", "MSQoL-54", None),
    (
        "Gironi2008_PPMS",
        "Safety and tolerability (primary); spasticity (secondary)",
        "adverse events",
        None,
    ),
    (
        "Ludwig2016_MS",
        "Lab values, timed 25-foot walk, MRI change",
        "T25FW; MRI; blood tests",
        None,
    ),
    ("Turel2015_MS", "Safety, tolerability, fatigue (chart review)", "chart review", None),
    (
        "Raknes2017_MS",
        "Dispensing of MS disease-modifying and symptomatic drugs",
        "dispensed doses",
        None,
    ),
    (
        "Bruun2024_FINAL_FM",
        "Pain intensity change, baseline to week 12 (primary, ITT)",
        "NRS 0-10",
        ("pain_nrs", False),
    ),
    ("Bruun2024_FINAL_FM", "Responders: >30% pain reduction", "NRS 0-10", ("pain_nrs", False)),
    ("Bruun2024_FINAL_FM", "Discontinuation due to intolerable side effects", "count", None),
    ("Bruun2025_FINAL_FM_CPM", "Conditioned pain modulation change (exploratory)", "kPa", None),
    (
        "Younger2013_FM",
        "Reduction of baseline daily pain",
        "daily pain (% of baseline)",
        ("pain_nrs", True),
    ),
    (
        "Younger2013_FM",
        "Responders (pain reduction plus fatigue or sleep reduction)",
        "composite",
        None,
    ),
    (
        "Younger2009_FM",
        "Symptom severity reduction vs baseline",
        "daily symptom ratings (% of baseline)",
        None,
    ),
    (
        "Younger2009_FM",
        "Daily fibromyalgia symptom severity (abstract)",
        "daily symptom ratings",
        None,
    ),
    ("BJAnesth2022_FM_tDCS", "VAS pain within-group change", "VAS", None),
    ("Metyas2018_FM", "Pain / tolerability", "not stated", None),
    (
        "Raknes2019_RA",
        "Cumulative DDD of all rheumatic-disease medicines (persistent users)",
        "DDD per patient-year",
        None,
    ),
    ("Raknes2019_RA", "Analgesic DDD (persistent users)", "DDD per patient-year", None),
    ("Raknes2019_RA", "Proportion using DMARDs (persistent users)", "percentage points", None),
    ("Bridgman2018_PsO", "PASI and affected BSA", "PASI", ("pasi", False)),
    ("Weinstock2020_PsO", "Self-rated response (5-point Likert)", "Likert 1-5", None),
    (
        "Smith2011_CD",
        "Participants randomised per arm (registry participant flow)",
        "participants",
        None,
    ),
    (
        "Smith2013_pedCD",
        "Participants randomised per arm (registry participant flow)",
        "participants",
        None,
    ),
    ("Bested2023_FM", "Summed pain intensity ratings (co-primary)", "SPIR", None),
    (
        "Bested2023_FM",
        "Fibromyalgia Impact Questionnaire revised (co-primary)",
        "FIQR",
        ("fiqr", False),
    ),
    ("Parkitny2017_FM", "Pain and overall symptoms vs baseline", "% of baseline", None),
    (
        "INNOVA_NCT04739995",
        "Effectiveness and cost-utility of LDN vs placebo over 12 months",
        "registered primary outcome",
        None,
    ),
    (
        "ACTRN12623000172606_FM",
        "Average pain intensity (FIQR item), 12 weeks",
        "registered primary outcome",
        None,
    ),
    (
        "LDNCrohn_NL9259",
        "Endoscopic remission at week 12 (SES-CD)",
        "registered primary outcome",
        None,
    ),
    ("UpDown2020_FM", "Dose effective in 50 % and 95 % of subjects (ED50, ED95)", "mg", None),
    ("Khan2020_PsO", "PASI", "PASI", ("pasi", False)),
]
# Rows of conditions the model does not have: None whatever the scale (e.g. ANODYNE4's NRS).
OTHER_CONDITIONS = [
    ("Lie2018_IBD", "Clinical improvement and remission", "clinical indices", None),
    ("Albers2017_HHD", "Lesion healing / clinical resolution", "qualitative", None),
    ("HHD2018_JAMADerm", "Clearance of erosions", "% clearance (physician)", None),
    ("Gavali_HHD", "Clinical improvement", "qualitative", None),
    ("Frech2011_SSc", "Pruritus (10-point faces scale) and UCLA GIT 2.0", "faces 0-10", None),
    ("Zashin2019_SjS", "Clinical improvement (fatigue, joint pain)", "qualitative", None),
    ("Isman2024_LC", "SF-36 total score", "SF-36", None),
    ("Isman2024_LC", "Chalder fatigue scale", "Chalder Fatigue Scale", None),
    ("OKelly2022_LC", "Likert QoL questionnaire, 7 domains", "Likert", None),
    ("Polo2019_MECFS", "Patient-reported treatment response", "any positive response", None),
    ("Chopra2013_CRPS", "Dystonia, allodynia (qualitative)", "qualitative", None),
    ("Srinivasan2021_DPN", "Change in pain VAS vs amitriptyline (ITT)", "VAS", None),
    ("Srinivasan2021_DPN", "Adverse event count", "events", None),
    ("Kariv2006_IBS", "Pain-free days per week", "days/week", None),
    ("Brewer2018_GWI", "Clinical Global Impression responders", "CGIS", None),
    (
        "Driver2023_pain",
        "Patient-reported benefit; adverse events; discontinuation",
        "chart-recorded benefit",
        None,
    ),
    ("GIsurvey_LDN_AEs", "Any side effect", "survey counts", None),
    ("Raknes2017_DU", "Prescribing extent and daily dose", "users; mg/day", None),
    (
        "Raknes2017_opioid",
        "Annual opioid consumption (>=4 LDN prescriptions)",
        "DDD per person-year",
        None,
    ),
    ("RassiMariani2024_SR_pain", "Pain relief and QoL (narrative)", "narrative", None),
    ("Rupp2023_ScR_pain", "Side-effect frequency across studies", "narrative", None),
    ("Gouda2026_NR", "Overall evidence appraisal", "narrative", None),
    (
        "BeaudetteZlatanova2023_Arth",
        "Brief Pain Inventory pain interference (primary)",
        "BPI interference (0-70)",
        None,
    ),
    (
        "BeaudetteZlatanova2023_Arth",
        "Brief Pain Inventory pain severity",
        "BPI severity (0-10)",
        None,
    ),
    ("BeaudetteZlatanova2023_Arth", "painDETECT", "painDETECT", None),
    ("BeaudetteZlatanova2023_Arth", "Beck Depression Inventory-II", "BDI-II", None),
    ("Mischoulon2017_MDD", "HAM-D-17 (primary)", "HAM-D-17", None),
    ("LPP2020_IRCT", "Lichen planopilaris activity index (LPPAI)", "LPPAI", None),
    ("BC_PCFS_NCT05430152", "Fatigue severity at 16 weeks", "registered primary outcome", None),
    (
        "HSS_CRPS_NCT06306157",
        "Pain scores and symptom severity over 6 months",
        "registered primary outcome",
        None,
    ),
    (
        "Dartmouth_PDN_NCT04678895",
        "Pain (8 weeks LDN, 4 weeks placebo)",
        "registered primary outcome",
        None,
    ),
    (
        "LoDoNaVasc_NCT03482479",
        "Self-reported physical health (HRQoL), 6 weeks per period",
        "registered primary outcome",
        None,
    ),
    ("ANODYNE4_NCT03201393", "Pain intensity (NRS)", "registered primary outcome", None),
    ("Plank_MDD_protocol2022", "MADRS change at 12 weeks (primary)", "MADRS", None),
    ("UAB_MECFS_NCT02965768", "Plasma inflammatory biomarkers", "registered primary outcome", None),
    ("BWH_Arth_NCT04115020", "Pain interference", "registered primary outcome", None),
    ("SBCH_IBD_NCT01810185", "IBDQ", "registered primary outcome", None),
    ("CLBP2014_case", "Paraspinal pain", "VAS", None),
    (
        "WashU_LPP_FFA_NCT04409041",
        "Investigator-rated scalp erythema (0-3), 12 months vs baseline",
        "erythema 0-3",
        None,
    ),
    ("Zashin2020_SjS", "Joint pain, headache, inflammatory markers", "clinical", None),
    ("pSS_fatigue_openlabel", "Fatigue Severity Scale change", "FSS", None),
    ("Kais2013_UC", "Symptoms of active ulcerative colitis", "clinical", None),
    ("Traore2011_HIV", "CD4 count improvement at 6 months (primary)", "CD4 cells/mm3", None),
    ("Traore2011_HIV_cohort", "CD4 count change over 9 months", "CD4 cells/mm3", None),
    (
        "SINK_COVID_NCT04365985",
        "Progression of COVID-19 (registered primary)",
        "registered primary outcome",
        None,
    ),
    ("MCW_SCI_CNP", "Neuropathic Pain Scale", "registered primary outcome", None),
    (
        "PTI901_IBS_women_phase3",
        "Relief of IBS symptoms in month 3 (primary)",
        "Subject Global Assessment of Relief",
        None,
    ),
    (
        "PTI901_IBS_men_phase3",
        "Relief of IBS symptoms over 3 months",
        "registered primary outcome",
        None,
    ),
    (
        "ThyroLDN_ACTRN12625000131459",
        "Thyroid-specific quality of life (change from baseline)",
        "registered primary outcome",
        None,
    ),
    (
        "UAB_MECFS_dose_NCT07285473",
        "Weekly symptom outcomes across doses",
        "registered primary outcome",
        None,
    ),
    (
        "Peters2022_HGG",
        "FACT-Br quality of life, percent decrease from baseline at 16 weeks (primary)",
        "FACT-Br (% decrease from baseline)",
        None,
    ),
    (
        "ICPaIN_NCT04313972",
        "Interstitial Cystitis Symptom Index (registered primary)",
        "ICSI",
        None,
    ),
    (
        "Stanford_BPS_NCT04450316",
        "Responders with >20% reduction in worst daily pain (registered primary)",
        "NRS pain responders",
        None,
    ),
    ("Bolton2020_MECFS", "Symptoms and quality of life (case descriptions)", "narrative", None),
    (
        "Toledano_migraine_prevention",
        "Change in monthly migraine days, last 4 weeks of the double-blind period (primary)",
        "monthly migraine days",
        None,
    ),
    (
        "Toledano_migraine_acute",
        "Pain freedom 2 hours after dosing (co-primary), LDN alone vs placebo",
        "proportion pain-free at 2 h",
        None,
    ),
    ("Jefferson_migraine_NCT05536050", "Monthly migraine days", "monthly migraine days", None),
    (
        "Martin2022_pain",
        "Pain score change, first to last visit (10-point scale)",
        "pain 0-10 (% change)",
        None,
    ),
    (
        "Hershey_Endo_NCT03970330",
        "Daily pain VAS, area under the curve over 12 weeks (primary)",
        "VAS AUC (0-8300)",
        None,
    ),
    (
        "Lublin_Vd_NCT05955313",
        "Pain perception and quality of life (e-diary, IMMPACT measures)",
        "registered primary",
        None,
    ),
    ("Vulvodynia_LDN_cases", "Subjective symptom improvement", "narrative", None),
    ("Ahmed2024_SFN", "MGH-SSS composite scores", "MGH-SSS", None),
    ("McBride2020_HHD", "Cutaneous lesions", "narrative", None),
]


def test_every_dataset_outcome_is_listed_with_its_model_scale() -> None:
    table = MODELLED_CONDITIONS + OTHER_CONDITIONS
    rows = load_studies()
    listed = {(sid, outcome, scale) for sid, outcome, scale, _ in table}
    in_dataset = set(zip(rows["study_id"], rows["outcome"], rows["scale"].astype(str), strict=True))
    assert len(listed) == len(table) == len(rows)
    assert listed == in_dataset  # a new or changed row: add it here with its mapping
    by_row = {(sid, outcome, scale): want for sid, outcome, scale, want in table}
    for rec in rows.to_dict(orient="records"):
        key = (rec["study_id"], rec["outcome"], str(rec["scale"]))
        got = model_scale(rec["condition"], str(rec["scale"]))
        assert (None if got is None else tuple(got)) == by_row[key], key
    assert all(want is None for *_, want in OTHER_CONDITIONS)


@pytest.mark.parametrize(
    ("condition", "text", "want"),
    [
        ("crohns", "PCDAI", None),  # paediatric CDAI: another instrument (0-100), not `cdai`
        ("crohns", "cdai responders", ScaleMatch("cdai", False)),  # case does not matter
        ("fibromyalgia", "Daily Pain (% of baseline)", ScaleMatch("pain_nrs", True)),
        ("fibromyalgia", "daily symptom ratings (% of baseline)", None),  # not a pain rating
        ("fibromyalgia", "pain NRS", ScaleMatch("pain_nrs", False)),
        ("fibromyalgia", "FIQR", ScaleMatch("fiqr", False)),
        ("ms", "FIQR", None),  # only the condition's own scales
        ("chronic_pain", "NRS 0-10", None),  # a condition the model does not have
    ],
)
def test_scale_decisions(condition: str, text: str, want: ScaleMatch | None) -> None:
    assert model_scale(condition, text) == want


def test_patterns_name_model_scales() -> None:
    assert set(SCALE_PATTERNS) <= set(SCALES)
