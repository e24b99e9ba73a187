"""Tests of the compile step from a region to arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from carecap.compile import ANW_CODES, EMPLOYMENT_CODES, compile_region
from carecap.instances import EXAMPLE_REGION, generate_region
from carecap.io import read_region


@pytest.fixture(scope="module")
def compiled():
    """The bundled example, compiled."""
    return compile_region(read_region(EXAMPLE_REGION))


def test_arrays_are_frozen_and_contiguous(compiled):
    """Tests that every array is read-only and C-contiguous."""
    for name, value in compiled.arrays._asdict().items():
        if isinstance(value, np.ndarray):
            assert value.flags.c_contiguous, name
            assert not value.flags.writeable, name


def test_shift_times_match_the_region(compiled):
    """Tests that shift minutes, paid time and ANW codes follow the region's classes."""
    region, arrays = compiled.region, compiled.arrays
    origin = region.horizon.start_instant
    for k, shift in enumerate(region.shifts):
        cls = region.shift_classes[shift.id]
        assert arrays.shift_start[k] == (cls.start - origin).total_seconds() // 60
        assert arrays.shift_end[k] - arrays.shift_start[k] == cls.elapsed_minutes
        assert arrays.shift_paid[k] == cls.paid_minutes
        assert arrays.shift_anw[k] == ANW_CODES[cls.anw_class]
        assert arrays.shift_day[k] == (shift.date - region.horizon.start).days


def test_open_slots_and_fixed_roster(compiled):
    """Tests that slots follow `Region.open_slots` and fixed shifts the worked roster."""
    region, arrays = compiled.region, compiled.arrays
    assert len(arrays.slot_shift) == len(region.open_slots)
    for k, slot in enumerate(region.open_slots):
        assert compiled.shift_ids[arrays.slot_shift[k]] == slot.shift
        assert arrays.slot_level[k] == slot.level.rank
    horizon_fixed = arrays.fixed_shift[arrays.fixed_shift < arrays.num_horizon_shifts]
    assert len(horizon_fixed) == len(region.worked_roster)
    carry_in = sum(len(p.history.recent_shifts) for p in region.staff)
    assert len(arrays.fixed_shift) == len(region.worked_roster) + carry_in
    for person in range(len(region.staff)):
        starts = arrays.shift_start[
            arrays.fixed_shift[arrays.fixed_ptr[person] : arrays.fixed_ptr[person + 1]]
        ]
        assert np.all(np.diff(starts) > 0)
        assert np.all(starts[starts < 0] < 0)


def test_staff_attributes(compiled):
    """Tests employment codes, minutes and the home location in the induction list."""
    region, arrays = compiled.region, compiled.arrays
    for k, person in enumerate(region.staff):
        assert arrays.staff_employment[k] == EMPLOYMENT_CODES[person.employment]
        assert arrays.staff_contract_minutes[k] == round(person.contract_hours * 60)
        inducted = arrays.inducted_location[
            arrays.inducted_ptr[k] : arrays.inducted_ptr[k + 1]
        ]
        if person.ward is not None:
            assert arrays.staff_home_location[k] in inducted


def test_sickness_becomes_sick_days(compiled):
    """Tests that a sick person's horizon days are set in their sick-day mask."""
    region, arrays = compiled.region, compiled.arrays
    episode = region.sickness[0]
    mask = int(arrays.staff_sick_days[compiled.staff_index[episode.staff]])
    for day in range(region.horizon.days):
        date = region.horizon.start + dt.timedelta(days=day)
        assert bool(mask >> day & 1) == episode.covers(date)


def test_ort_premium_of_a_hospital_night():
    """Tests the ORT of a hospital night 23:15-07:45 on a weekday: 47 % then 22 %."""
    region = generate_region("S", 1)
    compiled = compile_region(region)
    arrays = compiled.arrays
    for k, shift in enumerate(region.shifts):
        if shift.template == "ZKH-N" and shift.date.weekday() < 4:
            # 45 min + 6 h at 47 %, 1 h at 22 %, 45 min at 0 %; no unpaid break.
            expected = (45 + 360) * 0.47 + 60 * 0.22
            assert arrays.shift_ort_minutes[k] == pytest.approx(expected)
            return
    pytest.skip("no weekday hospital night in this region")


def test_dst_night_is_short():
    """Tests that the night into the spring switch lasts 7 h 15 in the arrays."""
    region = read_region(EXAMPLE_REGION)
    arrays = compile_region(region).arrays
    for k, shift in enumerate(region.shifts):
        if shift.template == "VVT-N" and shift.date == dt.date(2026, 3, 28):
            assert arrays.shift_end[k] - arrays.shift_start[k] == 435
            return
    pytest.skip("no VVT night on 28 March in the example")
