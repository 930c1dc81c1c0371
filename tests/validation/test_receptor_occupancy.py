"""Validation of brain opioid-receptor occupancy against human PET and pharmacology data.

Scan times in Rabiner 2011 are reported only as "< 8 h" after the dose: each point is checked
against the range the model spans between 1 h and 8 h, widened by the stated tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest

from ldn.model.exposure import exposure
from ldn.regimen import DoseEvents

T = np.linspace(0.0, 200.0, 200 * 12 + 1)  # 5-min grid
PET_WINDOW = (T >= 1.0) & (T <= 8.0)


def single(dose_mg: float) -> DoseEvents:
    return DoseEvents(t_h=[0.0], dose_mg=[dose_mg])


def mor(dose_mg: float) -> np.ndarray:
    return exposure(single(dose_mg), T).mor_occupancy


# Rabiner et al. Mol Psychiatry 2011 ([11C]carfentanil PET, single oral doses), as tabulated in
# Trøstheim et al. Neuropsychopharmacology 2022 Table 1
# (https://preview-www.nature.com/articles/s41386-022-01416-z/tables/1):
# "2 mg 27% 5 mg 43% 5 mg 46% 5 mg 58% 15 mg 61% 50 mg 92% 50 mg 98%"
RABINER = [
    (2.0, 0.27),
    (5.0, 0.43),
    (5.0, 0.46),
    (5.0, 0.58),
    (15.0, 0.61),
    (50.0, 0.92),
    (50.0, 0.98),
]
# Tolerance: 0.12 absolute occupancy — the spread of the three 5 mg subjects (43–58 %) is 0.15,
# so individual points cannot be expected closer than about this.
PET_TOL = 0.12


@pytest.mark.parametrize(("dose_mg", "observed"), RABINER)
def test_rabiner_2011_pet_points(dose_mg: float, observed: float) -> None:
    occ = mor(dose_mg)[PET_WINDOW]
    assert occ.min() - PET_TOL <= observed <= occ.max() + PET_TOL


def test_trostheim_ed50_of_oral_naltrexone() -> None:
    """Trøstheim 2022 refit of Rabiner: MOR blockade = D/(D + 5.59 mg) for t < 8 h.

    Mean model occupancy over 1–8 h at 5.59 mg must be 50 % ± 8 %.
    """
    assert mor(5.59)[PET_WINDOW].mean() == pytest.approx(0.5, abs=0.08)


def test_trostheim_50mg_kor_dor() -> None:
    """Trøstheim 2022 abstract: 50 mg gives > 90 % MOR, KOR 78–100 % (range incl. naloxone) and
    ~10 % DOR blockade in a typical session.  Tolerances: MOR ≥ 0.85 at 1–3 h (their ">90 %"
    minus 5 points), KOR peak within 0.70–1.0, DOR peak 0.03–0.25."""
    e = exposure(single(50.0), T)
    session = (T >= 1.0) & (T <= 3.0)
    assert e.mor_occupancy[session].min() >= 0.85
    assert 0.70 <= e.kor_occupancy[PET_WINDOW].max() <= 1.0
    assert 0.03 <= e.dor_occupancy[PET_WINDOW].max() <= 0.25


def test_weerts_2008_mor_and_dor_on_50mg_daily() -> None:
    """Weerts et al. Neuropsychopharmacology 2008;33:653 (n=21, 50 mg/day on days 15–19, PET on
    day 18): MOR inhibition 94.9 ± 4.9 %, DOR 21.1 ± 14.5 %.  Scan time after the dose is not
    given; ASSUMED 1–8 h after the 4th daily dose.  Tolerance: the model range must overlap the
    mean ± 1 SD."""
    events = DoseEvents(t_h=24.0 * np.arange(4), dose_mg=[50.0] * 4)
    e = exposure(events, T)
    w = (T >= 73.0) & (T <= 80.0)
    assert e.mor_occupancy[w].max() >= 0.949 - 0.049
    assert e.dor_occupancy[w].max() >= 0.211 - 0.145
    assert e.dor_occupancy[w].min() <= 0.211 + 0.145


def test_lee_1988_half_time_of_blockade() -> None:
    """Lee et al. J Nucl Med 1988;29:1207 (50 mg, scans 1–168 h): "The half-time of blockade by
    naltrexone in the brain ranged from 72 to 108 hr"; at 1 h plasma levels exceed what is
    needed to saturate receptors.  Half-time of the occupancy decline between the 48 h and
    168 h scans must lie within 72–108 h; occupancy at 1 h ≥ 0.85."""
    occ = mor(50.0)
    i48, i168 = np.searchsorted(T, 48.0), np.searchsorted(T, 168.0)
    half_time = np.log(2.0) * 120.0 / np.log(occ[i48] / occ[i168])
    assert 72.0 <= half_time <= 108.0
    assert occ[np.searchsorted(T, 1.0)] >= 0.85


def test_clin_pharmacol_ther_2005_persistence_of_blockade() -> None:
    """CPT 2005;77:P26 ([11C]carfentanil PET at 3, 24, 72, 144 h): 12.5 mg — significant at 3 and
    24 h, not at 72 h; 50/100 mg — significant at 72 h and 144 h.  ASSUMED detection threshold
    10 % occupancy (typical PET test–retest variability)."""
    det = 0.10
    o12 = mor(12.5)
    at = {h: np.searchsorted(T, h) for h in (3.0, 24.0, 72.0, 144.0)}
    assert o12[at[3.0]] >= det and o12[at[24.0]] >= det
    assert o12[at[72.0]] < det
    for dose in (50.0, 100.0):
        o = mor(dose)
        assert o[at[72.0]] >= det and o[at[144.0]] >= det


def test_label_heroin_blockade_duration_scales_with_dose() -> None:
    """US label via Davis's Drug Guide (blockade of 25 mg IV heroin): 50 mg → 24 h, 100 mg → 48 h,
    150 mg → 72 h.  The occupancy needed to block 25 mg heroin is not known, so the test is
    threshold-free: take the MOR occupancy 50 mg leaves at 24 h as the threshold and require
    100 mg and 150 mg to stay above it for 48 ± 12 h and 72 ± 12 h."""
    threshold = mor(50.0)[np.searchsorted(T, 24.0)]
    for dose, hours in ((100.0, 48.0), (150.0, 72.0)):
        above = T[mor(dose) >= threshold]
        assert abs(above.max() - hours) <= 12.0


def test_occupancy_monotone_in_dose_and_bounded() -> None:
    doses = np.logspace(-3, np.log10(200.0), 25)
    peaks = np.array([mor(d)[PET_WINDOW].max() for d in doses])
    assert np.all(np.diff(peaks) > 0)
    assert peaks[0] >= 0 and peaks[-1] < 1


# Clin Pharmacol Ther 2005;77:P26 (doi 10.1016/j.clpt.2004.11.099), [11C]carfentanil PET at 3, 24,
# 72 and 144 h after single doses: "regions of significantly (p<0.001) lower activity were mapped
# in all known regions of brain mu receptors 3 and 24 hours following all doses of naltrexone.
# This effect was measurable at 72 hours for the combined 50/100mg dose. At 144 hours, significant
# blockade remained in the left temporal lobe." Table: 12.5 mg NS at 72 h.
# Only significance is reported, so the check is qualitative: where blockade was detected with
# n = 4-5 the model must leave at least 10 % of MOR occupied; where it was not (12.5 mg, 72 h) the
# model must give less than the 50/100 mg doses at the same time.
DETECTABLE = 0.10


@pytest.mark.parametrize(
    ("dose_mg", "t_h"), [(12.5, 3.0), (12.5, 24.0), (50.0, 72.0), (100.0, 72.0)]
)
def test_2005_pet_blockade_detected_where_reported(dose_mg: float, t_h: float) -> None:
    assert mor(dose_mg)[np.searchsorted(T, t_h)] >= DETECTABLE


def test_2005_pet_blockade_fades_first_after_the_low_dose() -> None:
    at_72 = np.searchsorted(T, 72.0)
    assert mor(12.5)[at_72] < mor(50.0)[at_72] < mor(100.0)[at_72]
