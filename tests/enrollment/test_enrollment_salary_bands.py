"""Salary bands are written down once (SALARY_BANDS); imports put a salary in its band."""

import pytest

from coop.enrollment.models import SALARY_BANDS, salary_band_for


@pytest.mark.parametrize(
    ("salary", "band"),
    [
        (None, None),
        (-100, "none"),
        (0, "none"),
        (1, "under-25k"),
        (24999, "under-25k"),
        (25000, "25-35k"),
        (44999, "35-45k"),
        (64999, "55-65k"),
        (65000, "65k-plus"),
        (250000, "65k-plus"),
    ],
)
def test_a_salary_falls_in_its_band(salary, band):
    assert salary_band_for(salary) == band


def test_each_band_holds_its_own_midpoint():
    assert [salary_band_for(b.midpoint) for b in SALARY_BANDS] == [b.code for b in SALARY_BANDS]
