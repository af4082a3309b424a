from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ffd_core.clock import UK, as_utc
from ffd_core.domain.calendar import WorkingCalendar
from ffd_core.domain.clocks import ClockEvent, ClockPolicy, clock_view, compute_periods
from ffd_core.domain.vocab import Priority, Status

CAL = WorkingCalendar()
POLICY = ClockPolicy(calendar=CAL)
H24 = ClockPolicy(target="24_hours", calendar=CAL)

S = Status
P1, P3 = Priority.IMMEDIATE, Priority.STANDARD


def uk(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=UK)


def utc(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=timezone.utc)


def ev(at, status=None, priority=None, reopened=False):
    return ClockEvent(at=at, to_status=status, priority=priority, reopened=reopened)


# Monday 30 November 2026 (GMT, so UK wall time == UTC).
RECEIVED = ev(uk(2026, 11, 30, 10), S.RECEIVED, P3)
CLAIMED = ev(uk(2026, 11, 30, 10, 30), S.SCREENING)


def only(events, policy=POLICY):
    [period] = compute_periods(events, policy)
    return period


def test_decided_in_time():
    p = only([RECEIVED, CLAIMED, ev(uk(2026, 12, 1, 9, 30), S.DECIDED)])
    assert p.number == 1
    assert p.started_at == p.counted_from == utc(2026, 11, 30, 10)
    assert p.statutory_due_at == p.working_due_at == utc(2026, 12, 1, 10)
    assert p.stopped_at == utc(2026, 12, 1, 9, 30)
    assert p.stop_status is S.DECIDED
    assert p.statutory_margin_minutes == p.working_margin_minutes == 30
    assert p.paused_minutes == 0 and p.paused_since is None


def test_open_contact_has_no_result():
    p = only([RECEIVED, CLAIMED])
    assert p.stopped_at is None and p.stop_status is None
    assert p.statutory_margin_minutes is None and p.working_margin_minutes is None
    assert p.working_due_at == p.statutory_due_at


def test_out_of_hours_receipt_counts_from_next_working_morning():
    p = only([ev(uk(2026, 11, 27, 18, 30), S.RECEIVED, P3)])  # Friday evening
    assert p.started_at == utc(2026, 11, 27, 18, 30)
    assert p.counted_from == utc(2026, 11, 30, 9)
    # A whole working day from opening runs to the next opening (Monday's end).
    assert p.statutory_due_at == utc(2026, 12, 1, 9)


def test_weekend_and_bank_holidays_do_not_count():
    # Christmas Eve 2026 afternoon: Friday 25th and Monday 28th are bank holidays.
    p = only([ev(uk(2026, 12, 24, 16), S.RECEIVED, P3)])
    assert p.statutory_due_at == utc(2026, 12, 29, 16)


def test_dst_change_week():
    # Clocks go back on Sunday 25 October 2026; the due keeps its wall time.
    p = only([ev(uk(2026, 10, 23, 12), S.RECEIVED, P3)])
    assert p.counted_from == utc(2026, 10, 23, 11)
    assert p.statutory_due_at == uk(2026, 10, 26, 12) == utc(2026, 10, 26, 12)


PAUSE = [
    RECEIVED,
    CLAIMED,
    ev(uk(2026, 11, 30, 14), S.AWAITING_INFORMATION),
    ev(uk(2026, 12, 1, 11), S.SCREENING),  # paused 3h Monday + 2h Tuesday
]


def test_pause_moves_working_due_not_statutory():
    p = only(PAUSE + [ev(uk(2026, 12, 1, 14), S.DECIDED)])
    assert p.paused_minutes == 300
    assert p.statutory_due_at == utc(2026, 12, 1, 10)
    assert p.working_due_at == utc(2026, 12, 1, 15)
    assert p.statutory_margin_minutes == -240  # missed by four hours
    assert p.working_margin_minutes == 60  # met with an hour to spare


def test_ongoing_pause():
    p = only(PAUSE[:3])
    assert p.paused_since == utc(2026, 11, 30, 14)
    assert p.paused_minutes == 0
    assert p.working_due_at is None
    assert p.statutory_due_at == utc(2026, 12, 1, 10)


def test_pause_over_a_weekend_counts_only_office_minutes():
    events = [
        ev(uk(2026, 11, 27, 16), S.RECEIVED, P3),  # Friday
        ev(uk(2026, 11, 27, 16, 30), S.AWAITING_INFORMATION),
        ev(uk(2026, 11, 30, 9, 30), S.SCREENING),  # Monday
    ]
    p = only(events)
    assert p.paused_minutes == 60
    assert p.statutory_due_at == utc(2026, 11, 30, 16)
    # 480 + 60 office minutes from Friday 16:00: Friday 1h, Monday 8h, then Tuesday's opening.
    assert p.working_due_at == utc(2026, 12, 1, 9)


def test_priority_one_never_pauses():
    events = [
        ev(uk(2026, 11, 30, 10), S.RECEIVED, P1),
        CLAIMED,
        ev(uk(2026, 11, 30, 11), S.AWAITING_INFORMATION),
        ev(uk(2026, 11, 30, 15), S.SCREENING),
    ]
    p = only(events)
    assert p.paused_minutes == 0
    assert p.working_due_at == p.statutory_due_at
    assert only(events[:3]).paused_since is None


def test_priority_raised_to_one_mid_pause_ends_the_pause():
    events = PAUSE[:3] + [
        ev(uk(2026, 11, 30, 16), None, P1),  # only the priority changes
        ev(uk(2026, 12, 1, 11), S.SCREENING),
    ]
    p = only(events)
    assert p.paused_minutes == 120
    assert p.working_due_at == utc(2026, 12, 1, 12)
    assert only(events[:4]).paused_since is None


def test_priority_lowered_from_one_while_waiting_starts_a_pause():
    events = [
        ev(uk(2026, 11, 30, 10), S.RECEIVED, P1),
        ev(uk(2026, 11, 30, 11), S.AWAITING_INFORMATION),
        ev(uk(2026, 11, 30, 12), None, P3),
        ev(uk(2026, 11, 30, 13), S.SCREENING),
    ]
    assert only(events).paused_minutes == 60


def test_sign_off_wait_keeps_the_clock_running():
    events = [
        RECEIVED,
        CLAIMED,
        ev(uk(2026, 11, 30, 16), S.AWAITING_SIGN_OFF),
        ev(uk(2026, 12, 1, 11), S.DECIDED),
    ]
    assert only(events[:3]).stopped_at is None
    p = only(events)
    assert p.paused_minutes == 0
    assert p.stopped_at == utc(2026, 12, 1, 11)
    assert p.statutory_margin_minutes == p.working_margin_minutes == -60


def test_return_from_sign_off_continues_the_same_period():
    events = [
        RECEIVED,
        CLAIMED,
        ev(uk(2026, 11, 30, 15), S.AWAITING_SIGN_OFF),
        ev(uk(2026, 11, 30, 16), S.SCREENING),  # sent back by the supervisor
        ev(uk(2026, 12, 1, 9, 45), S.AWAITING_SIGN_OFF),
        ev(uk(2026, 12, 1, 9, 50), S.DECIDED),
    ]
    p = only(events)
    assert p.stopped_at == utc(2026, 12, 1, 9, 50)
    assert p.statutory_margin_minutes == 10


@pytest.mark.parametrize("stop", [S.WITHDRAWN, S.CLOSED_IN_ERROR])
def test_withdrawn_and_closed_in_error_stop_the_clock(stop):
    p = only([RECEIVED, ev(uk(2026, 11, 30, 11), stop)])
    assert p.stop_status is stop
    assert p.statutory_margin_minutes == 420


def test_stop_during_a_pause_closes_it():
    p = only(PAUSE[:3] + [ev(uk(2026, 11, 30, 15), S.WITHDRAWN)])
    assert p.paused_minutes == 60 and p.paused_since is None
    assert p.working_due_at == utc(2026, 12, 1, 11)
    assert p.statutory_margin_minutes == 180
    assert p.working_margin_minutes == 240


FIRST = [RECEIVED, CLAIMED, ev(uk(2026, 12, 1, 9, 30), S.DECIDED)]


def test_events_after_a_stop_do_not_change_it():
    later = [
        ev(uk(2026, 12, 1, 10), S.TRANSFERRED),
        ev(uk(2026, 12, 1, 11), None, P1),
        ev(uk(2026, 12, 1, 12), S.AWAITING_INFORMATION),
    ]
    assert compute_periods(FIRST + later, POLICY) == compute_periods(FIRST, POLICY)


def test_reopen_starts_a_new_period_and_keeps_the_old_result():
    reopened = FIRST + [
        ev(uk(2026, 12, 1, 10), S.TRANSFERRED),
        ev(uk(2026, 12, 3, 15), S.SCREENING, reopened=True),  # Thursday
        ev(uk(2026, 12, 4, 16), S.DECIDED),  # Friday
    ]
    first, second = compute_periods(reopened, POLICY)
    assert first == compute_periods(FIRST, POLICY)[0]
    assert first.statutory_margin_minutes == 30
    assert second.number == 2
    assert second.started_at == second.counted_from == utc(2026, 12, 3, 15)
    assert second.statutory_due_at == utc(2026, 12, 4, 15)
    assert second.statutory_margin_minutes == second.working_margin_minutes == -60


def test_reopen_out_of_hours_carries_priority():
    events = [
        ev(uk(2026, 11, 30, 10), S.RECEIVED, P3),
        ev(uk(2026, 11, 30, 12), S.DECIDED),
        ev(uk(2026, 11, 30, 13), None, P1),  # raised after the decision
        ev(uk(2026, 11, 30, 19), S.SCREENING, reopened=True),
        ev(uk(2026, 12, 1, 10), S.AWAITING_INFORMATION),  # priority 1: no pause
        ev(uk(2026, 12, 1, 11), S.SCREENING),
    ]
    _, second = compute_periods(events, POLICY)
    assert second.counted_from == utc(2026, 12, 1, 9)
    assert second.paused_minutes == 0


def test_24_hour_mode_counts_wall_time():
    events = [
        ev(uk(2026, 11, 27, 18, 30), S.RECEIVED, P3),  # Friday evening
        ev(uk(2026, 11, 27, 19), S.AWAITING_INFORMATION),
        ev(uk(2026, 11, 28, 1), S.SCREENING),  # six hours' wall time paused
        ev(uk(2026, 11, 28, 22), S.DECIDED),
    ]
    p = only(events, H24)
    assert p.counted_from == p.started_at == utc(2026, 11, 27, 18, 30)
    assert p.statutory_due_at == utc(2026, 11, 28, 18, 30)
    assert p.paused_minutes == 360
    assert p.working_due_at == utc(2026, 11, 29, 0, 30)
    assert p.statutory_margin_minutes == -210
    assert p.working_margin_minutes == 150


def test_24_hour_mode_across_the_clock_change_is_24_real_hours():
    p = only([ev(uk(2026, 10, 24, 12), S.RECEIVED, P3)], H24)
    assert p.statutory_due_at == uk(2026, 10, 25, 11)


def test_bad_event_streams():
    with pytest.raises(ValueError):
        compute_periods([ev(uk(2026, 11, 30, 10), None, P3)], POLICY)
    with pytest.raises(ValueError):
        compute_periods([CLAIMED, RECEIVED], POLICY)
    assert compute_periods([], POLICY) == []


# --- display ---------------------------------------------------------------------------


def view(period, now, policy=POLICY, **kw):
    return clock_view(period, now, CAL, policy, **kw)


def test_view_open_with_time_to_spare():
    p = only([RECEIVED, CLAIMED])  # due Tuesday 10:00
    v = view(p, uk(2026, 11, 30, 11))
    assert v.time_left_minutes == 420
    assert not v.breached and not v.due_soon and not v.stopped


def test_view_due_soon_counts_office_minutes_not_wall_time():
    p = only([RECEIVED, CLAIMED])  # due Tuesday 10:00
    assert view(p, uk(2026, 12, 1, 7)).due_soon  # 60 office minutes, 3 wall hours
    # 90 office minutes left at 16:30, though 17.5 wall hours: the office is shut overnight.
    assert view(p, uk(2026, 11, 30, 16, 30)).due_soon
    assert not view(p, uk(2026, 11, 30, 12, 30)).due_soon  # 270 office minutes


def test_due_soon_until_is_the_last_due_time_with_240_office_minutes_left():
    now = uk(2026, 11, 30, 16)  # Monday 16:00: 60 minutes today, 180 tomorrow morning
    until = POLICY.due_soon_until(now)
    assert until == uk(2026, 12, 1, 12)
    assert POLICY.is_due_soon(now, uk(2026, 12, 1, 9))  # 60 office minutes left
    assert not POLICY.is_due_soon(now, uk(2026, 12, 1, 12, 1))
    assert not POLICY.is_due_soon(now, uk(2026, 11, 30, 15, 59))  # already breached
    # Friday afternoon: the weekend does not count.
    assert POLICY.due_soon_until(uk(2026, 11, 27, 15)) == uk(2026, 11, 30, 11)
    assert H24.due_soon_until(now) == uk(2026, 11, 30, 20)


@given(st.integers(0, 60 * 24 * 10), st.integers(-600, 60 * 24 * 5))
def test_due_soon_until_agrees_with_the_minutes_left(now_offset, due_offset):
    """The query predicate (due_at <= due_soon_until) and the clock view's minutes left
    always agree, so counters, lists and colours show the same contacts as due soon."""
    now = uk(2026, 11, 27, 0) + timedelta(minutes=now_offset)
    due = CAL.add_working_minutes(now, max(due_offset, 0)) if due_offset >= 0 else \
        now + timedelta(minutes=due_offset)
    left = POLICY.measure(now, due)
    assert POLICY.is_due_soon(now, due) == (as_utc(now) <= as_utc(due) and left <= 240)


def test_view_overnight_before_a_morning_due_is_not_breached():
    p = only([ev(uk(2026, 11, 30, 9), S.RECEIVED, P3)])  # due Tuesday 09:00
    v = view(p, uk(2026, 11, 30, 20))
    assert v.time_left_minutes == 0 and not v.breached


def test_view_breached():
    p = only([RECEIVED, CLAIMED])
    v = view(p, uk(2026, 12, 1, 11, 30))
    assert v.time_left_minutes == -90
    assert v.breached and not v.due_soon


def test_view_stopped_shows_the_margin():
    p = only(PAUSE + [ev(uk(2026, 12, 1, 14), S.DECIDED)])
    later = uk(2027, 1, 5, 12)
    assert view(p, later) == view(p, uk(2026, 12, 2))
    v = view(p, later)
    assert v.stopped and v.breached and v.time_left_minutes == -240 and not v.due_soon
    w = view(p, later, clock="working")
    assert w.stopped and not w.breached and w.time_left_minutes == 60


def test_view_working_clock_is_frozen_while_paused():
    p = only(PAUSE[:3])  # received 10:00, paused 14:00: 240 of 480 office minutes left
    for now in (uk(2026, 11, 30, 15), uk(2026, 12, 3, 12)):
        w = view(p, now, clock="working")
        assert w.time_left_minutes == 240
        assert not w.breached and not w.due_soon
    # The statutory clock keeps running and breaches.
    assert view(p, uk(2026, 12, 3, 12)).breached


def test_view_24_hours():
    p = only([ev(uk(2026, 11, 27, 18, 30), S.RECEIVED, P3)], H24)
    v = view(p, uk(2026, 11, 28, 16), H24)
    assert v.time_left_minutes == 150 and v.due_soon and not v.breached


# --- properties ------------------------------------------------------------------------

INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UK)
)


@settings(max_examples=200, deadline=None)
@given(received=INSTANTS, decided=INSTANTS, target=st.sampled_from(["one_working_day", "24_hours"]))
def test_margin_sign_agrees_with_the_due_instant(received, decided, target):
    received, decided = min(received, decided), max(received, decided)
    policy = ClockPolicy(target=target, calendar=CAL)
    p = only([ev(received, S.RECEIVED, P3), ev(decided, S.DECIDED)], policy)
    assert (p.statutory_margin_minutes >= 0) == (p.stopped_at <= p.statutory_due_at)
    assert view(p, decided, policy).breached == (p.stopped_at > p.statutory_due_at)
