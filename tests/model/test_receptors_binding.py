"""Competitive binding at MOR/KOR/DOR: formulas, bounds, monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldn.errors import InputError
from ldn.model.pk import PKParams
from ldn.model.receptors import BindingParams, competitive_occupancy, occupancy
from ldn.parameters import default_parameters
from ldn.units import MW_NALTREXONE_G_PER_MOL


@pytest.fixture(scope="module")
def binding() -> BindingParams:
    return BindingParams.from_parameters(default_parameters())


def test_single_ligand_at_its_k_occupies_half() -> None:
    total, by1, by2 = competitive_occupancy(2.0, 2.0, 0.0, 5.0)
    assert float(total) == pytest.approx(0.5)
    assert float(by1) == pytest.approx(0.5)
    assert float(by2) == 0.0


def test_two_competitors_share_the_site() -> None:
    # L1/K1 = 1, L2/K2 = 2: total 3/4, split 1/4 and 2/4
    total, by1, by2 = competitive_occupancy(1.0, 1.0, 4.0, 2.0)
    assert (float(total), float(by1), float(by2)) == pytest.approx((0.75, 0.25, 0.5))


def test_naltrexone_alone_uses_unbound_fraction_and_invivo_k(binding: BindingParams) -> None:
    k_invivo = binding.ki_ntx_mor_nm * binding.invivo_scale
    # plasma-equivalent effect-site concentration whose unbound molar value equals K
    c = k_invivo / binding.fu * MW_NALTREXONE_G_PER_MOL / 1000.0
    occ = occupancy(c, 0.0, binding)
    assert float(occ["mor"]) == pytest.approx(0.5)
    assert float(occ["kor"]) == pytest.approx(1 / 3)  # K(KOR) = 2 K(MOR)
    assert float(occ["dor"]) == pytest.approx(1 / 80)  # K(DOR) = 79 K(MOR)


def test_per_patient_binding_arrays_broadcast(binding: BindingParams) -> None:
    b = BindingParams(**{**binding.__dict__, "invivo_scale": np.array([1.0, 3.0])})
    c = np.ones((2, 5))
    occ = occupancy(c, 10 * c, b)["mor"]
    assert occ.shape == (2, 5)
    assert np.all(occ[0] > occ[1])


conc = st.floats(min_value=0.0, max_value=1e5, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(c1=conc, c2=conc, factor=st.floats(min_value=1.0, max_value=100.0))
def test_occupancy_in_unit_interval_and_monotone(
    binding: BindingParams, c1: float, c2: float, factor: float
) -> None:
    low = occupancy(c1, c2, binding)
    high = occupancy(c1 * factor, c2 * factor, binding)
    for rec in ("mor", "kor", "dor"):
        assert 0.0 <= float(low[rec]) <= 1.0
        assert float(high[rec]) >= float(low[rec]) - 1e-15


@pytest.mark.parametrize("cls", [BindingParams, PKParams])
def test_misspelt_override_is_refused(cls: type) -> None:
    with pytest.raises(InputError, match=r"unknown (receptor|pk) parameter\(s\) \['ki_mor'\]"):
        cls.from_parameters(default_parameters(), ki_mor=1.0)
