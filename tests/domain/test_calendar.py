from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ffd_core.clock import UK
from ffd_core.domain.calendar import WorkingCalendar

CAL = WorkingCalendar()
DAY = 480.0


def uk(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=UK)


def utc(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=timezone.utc)


def test_minutes_per_day():
    assert CAL.minutes_per_day == 480
    assert WorkingCalendar(time(8, 30), time(17)).minutes_per_day == 510


def test_office_hours_must_be_a_daytime_window():
    with pytest.raises(ValueError):
        WorkingCalendar(time(17), time(9))


@pytest.mark.parametrize(
    "d, working",
    [
        (date(2026, 11, 30), True),  # Monday
        (date(2026, 12, 5), False),  # Saturday
        (date(2026, 12, 6), False),  # Sunday
        (date(2026, 12, 24), True),  # Christmas Eve is a working day
        (date(2026, 12, 25), False),  # Christmas Day, Friday
        (date(2026, 12, 28), False),  # Boxing Day substitute, Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 12, 27), False),  # Christmas substitute
        (date(2027, 12, 28), False),  # Boxing Day substitute
        (date(2026, 8, 31), False),  # late summer bank holiday
    ],
)
def test_working_days(d, working):
    assert CAL.is_working_day(d) is working


def test_extra_closures():
    cal = WorkingCalendar(closures=[date(2026, 12, 24)])
    assert not cal.is_working_day(date(2026, 12, 24))
    # Thursday 24th closed, 25th and 28th bank holidays: Wednesday runs into Tuesday 29th.
    assert cal.add_working_minutes(uk(2026, 12, 23, 10), DAY) == utc(2026, 12, 29, 10)


def test_working_start():
    assert CAL.working_start(uk(2026, 11, 30, 10, 15)) == utc(2026, 11, 30, 10, 15)
    assert CAL.working_start(uk(2026, 11, 30, 7)) == utc(2026, 11, 30, 9)
    # Out-of-hours Friday evening counts from Monday morning.
    assert CAL.working_start(uk(2026, 11, 27, 18, 30)) == utc(2026, 11, 30, 9)
    # Office windows are half-open: 17:00 is already out of hours.
    assert CAL.working_start(uk(2026, 11, 30, 17)) == utc(2026, 12, 1, 9)
    # Christmas Eve evening: the next working day is Tuesday 29th.
    assert CAL.working_start(uk(2026, 12, 24, 17, 30)) == utc(2026, 12, 29, 9)


def test_results_are_utc_whatever_the_input_zone():
    out = CAL.working_start(uk(2026, 7, 1, 10))
    assert out.utcoffset() == timedelta(0)
    assert out == utc(2026, 7, 1, 9)  # 10:00 BST


def test_add_one_working_day():
    assert CAL.add_working_minutes(uk(2026, 11, 30, 10), DAY) == utc(2026, 12, 1, 10)
    # Friday before the late summer bank holiday: Tuesday.
    assert CAL.add_working_minutes(uk(2026, 8, 28, 16), DAY) == uk(2026, 9, 1, 16)
    # A whole day from opening ends at the next opening, never at 17:00.
    assert CAL.add_working_minutes(uk(2026, 11, 30, 9), DAY) == utc(2026, 12, 1, 9)
    # Across Christmas 2026: Thursday 24th, then Tuesday 29th.
    assert CAL.add_working_minutes(uk(2026, 12, 24, 16), DAY) == utc(2026, 12, 29, 16)


def test_add_within_a_day_and_zero():
    assert CAL.add_working_minutes(uk(2026, 11, 30, 10), 90) == utc(2026, 11, 30, 11, 30)
    assert CAL.add_working_minutes(uk(2026, 11, 28, 12), 0) == utc(2026, 11, 30, 9)
    assert CAL.add_working_minutes(uk(2026, 11, 27, 18, 30), 30.5) == datetime(
        2026, 11, 30, 9, 30, 30, tzinfo=timezone.utc
    )
    with pytest.raises(ValueError):
        CAL.add_working_minutes(uk(2026, 11, 30, 10), -1)


def test_add_many_working_days():
    # 45 working days from Monday 4 Jan 2027: 9 weeks, with no bank holidays in between.
    assert CAL.add_working_minutes(uk(2027, 1, 4, 11), 45 * DAY) == utc(2027, 3, 8, 11)


def test_dst_autumn_week():
    # Clocks go back on Sunday 25 October 2026: 10:00 stays 10:00 wall time.
    friday = uk(2026, 10, 23, 10)
    assert friday == utc(2026, 10, 23, 9)
    monday = CAL.add_working_minutes(friday, DAY)
    assert monday == uk(2026, 10, 26, 10) == utc(2026, 10, 26, 10)
    assert CAL.working_minutes_between(friday, monday) == DAY


def test_dst_spring_with_easter():
    # Clocks go forward on Sunday 28 March 2027, between Good Friday and Easter Monday.
    thursday = uk(2027, 3, 25, 10)
    assert CAL.add_working_minutes(thursday, DAY) == uk(2027, 3, 30, 10) == utc(2027, 3, 30, 9)
    assert CAL.working_start(uk(2027, 3, 25, 17, 1)) == utc(2027, 3, 30, 8)


def test_working_minutes_between():
    mon10 = uk(2026, 11, 30, 10)
    assert CAL.working_minutes_between(mon10, uk(2026, 11, 30, 12, 30)) == 150
    assert CAL.working_minutes_between(uk(2026, 11, 30, 12, 30), mon10) == -150
    assert CAL.working_minutes_between(mon10, mon10) == 0
    # Friday 16:00 to Monday 10:00: one hour each side of the weekend.
    assert CAL.working_minutes_between(uk(2026, 11, 27, 16), mon10) == 120
    # Out of hours only.
    assert CAL.working_minutes_between(uk(2026, 11, 27, 17), uk(2026, 11, 30, 9)) == 0
    # Christmas 2026: only Thursday 24th counts between Thursday and Tuesday mornings.
    assert CAL.working_minutes_between(uk(2026, 12, 24, 9), uk(2026, 12, 29, 9)) == DAY


def test_fast_enough():
    # Guards against a minute-by-minute loop; the real budget is 100k calls in a few seconds.
    import time as _time

    cal = WorkingCalendar()
    start = uk(2026, 11, 27, 15)
    t0 = _time.perf_counter()
    for i in range(20_000):
        at = start + timedelta(minutes=37 * i)
        due = cal.add_working_minutes(at, DAY)
        cal.working_minutes_between(at, due)
    assert _time.perf_counter() - t0 < 5


INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UK)
)


@settings(max_examples=200, deadline=None)
@given(at=INSTANTS, minutes=st.floats(min_value=0, max_value=30 * DAY))
def test_add_then_measure_round_trips(at, minutes):
    due = CAL.add_working_minutes(at, minutes)
    assert due >= at
    assert CAL.working_start(due) == due  # due is always a working instant
    assert CAL.working_minutes_between(at, due) == pytest.approx(minutes, abs=1e-6)
    assert CAL.working_minutes_between(due, at) == pytest.approx(-minutes, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(a=INSTANTS, b=INSTANTS)
def test_measure_then_add_lands_on_the_same_working_instant(a, b):
    a, b = min(a, b), max(a, b)
    minutes = CAL.working_minutes_between(a, b)
    assert CAL.add_working_minutes(a, minutes) == CAL.working_start(b)
