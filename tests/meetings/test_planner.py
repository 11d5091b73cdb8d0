"""The year planner's proposal, without the web or the database."""

import datetime
import itertools

import pytest

from meetings.planner import (
    MIN_GAP_DAYS,
    MIN_NOTICE_DAYS,
    is_day_off,
    is_public_holiday,
    propose_dates,
    propose_year,
    public_holiday_name,
    year_start,
)

D = datetime.date
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
# The Dutch public holidays of 2026 that fall on a working day.
KINGS_DAY = D(2026, 4, 27)  # Monday
EASTER_MONDAY = D(2026, 4, 6)
ASCENSION = D(2026, 5, 14)  # Thursday, the default dinner day
WHIT_MONDAY = D(2026, 5, 25)
CHRISTMAS = D(2026, 12, 25)  # Friday
# No public holidays, but no evening for a dinner: both a Thursday in 2026.
CHRISTMAS_EVE = D(2026, 12, 24)
NEW_YEARS_EVE = D(2026, 12, 31)
BEFORE_2026 = D(2025, 11, 1)


@pytest.mark.parametrize(
    "holiday", [KINGS_DAY, EASTER_MONDAY, ASCENSION, WHIT_MONDAY, CHRISTMAS], ids=str
)
def test_a_dinner_that_would_fall_on_a_holiday_moves_a_week(holiday):
    # A fortnight each side of the holiday: the even spot is the holiday itself.
    start, end = holiday - datetime.timedelta(days=14), holiday + datetime.timedelta(days=14)
    dates = propose_dates(start=start, end=end, count=1, weekday=holiday.weekday())
    assert is_public_holiday(holiday)
    assert dates in ([holiday - datetime.timedelta(days=7)], [holiday + datetime.timedelta(7)])


@pytest.mark.parametrize("eve", [CHRISTMAS_EVE, NEW_YEARS_EVE], ids=str)
def test_a_dinner_that_would_fall_on_christmas_or_new_years_eve_moves_as_from_a_holiday(eve):
    start, end = eve - datetime.timedelta(days=14), eve + datetime.timedelta(days=14)
    dates = propose_dates(start=start, end=end, count=1, weekday=THURSDAY)
    assert not is_public_holiday(eve) and is_day_off(eve)
    assert len(dates) == 1
    assert dates[0] not in {CHRISTMAS_EVE, NEW_YEARS_EVE}


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("nl", "Koningsdag"),
        ("en", "King's Day"),
        ("en-gb", "King's Day"),
        ("fy", "Keningsdei"),
        # A language the holidays package lacks: English, as the message around it.
        ("de", "King's Day"),
        (None, "King's Day"),
    ],
)
def test_a_holiday_is_named_in_the_readers_language(language, name):
    assert public_holiday_name(KINGS_DAY, language) == name


def test_a_day_that_is_no_holiday_has_no_name():
    assert public_holiday_name(KINGS_DAY + datetime.timedelta(days=1), "nl") is None
    assert public_holiday_name(ASCENSION, "nl") == "Hemelvaartsdag"


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize("target", [1, 4, 5, 6, 12])
def test_no_dinner_is_ever_proposed_on_a_public_holiday(weekday, target):
    dates = propose_year(year=2026, target=target, weekday=weekday, today=BEFORE_2026)
    assert len(dates) == target
    assert not [day for day in dates if is_public_holiday(day)]
    assert {day.weekday() for day in dates} == {weekday}


def test_twelve_mondays_avoid_easter_kings_day_and_whit_monday():
    dates = propose_year(year=2026, target=12, weekday=MONDAY, today=BEFORE_2026)
    assert len(set(dates)) == 12
    assert not {EASTER_MONDAY, KINGS_DAY, WHIT_MONDAY} & set(dates)


def test_five_dinners_are_spread_evenly_over_a_whole_year():
    dates = propose_year(year=2026, target=5, weekday=THURSDAY, today=BEFORE_2026)
    assert dates == [D(2026, 2, 5), D(2026, 4, 23), D(2026, 7, 2), D(2026, 9, 10), D(2026, 11, 26)]
    gaps = [(later - earlier).days for earlier, later in itertools.pairwise(dates)]
    assert min(gaps) >= 63 and max(gaps) <= 84


def test_a_year_half_over_gets_its_dinners_in_what_is_left():
    today = D(2026, 7, 1)
    dates = propose_year(year=2026, target=5, weekday=THURSDAY, today=today)
    assert len(dates) == 5
    assert all(today < day <= D(2026, 12, 31) for day in dates)
    assert dates[0] < D(2026, 8, 1) and dates[-1] > D(2026, 11, 30)


def test_dinners_already_planned_count_towards_the_target():
    planned = [D(2026, 2, 5), D(2026, 3, 5)]
    dates = propose_year(
        year=2026, target=5, weekday=THURSDAY, today=BEFORE_2026, planned=planned, taken=planned
    )
    assert len(dates) == 3
    assert not set(planned) & set(dates)
    # The new ones fill the rest of the year rather than crowding the spring.
    assert all(day > D(2026, 5, 1) for day in dates)


def test_held_dinners_earlier_in_the_year_count_too():
    today = D(2026, 7, 1)
    held = [D(2026, 1, 15), D(2026, 3, 12), D(2026, 5, 21)]
    dates = propose_year(
        year=2026, target=5, weekday=THURSDAY, today=today, planned=held, taken=held
    )
    assert len(dates) == 2
    assert all(day > today for day in dates)


def test_days_that_have_a_meeting_are_skipped():
    taken = [D(2026, 2, 5), D(2026, 4, 23)]  # e.g. an extra meeting, or a cancelled dinner
    dates = propose_year(year=2026, target=5, weekday=THURSDAY, today=BEFORE_2026, taken=taken)
    assert len(dates) == 5
    assert not set(taken) & set(dates)


def test_nothing_to_propose_once_the_target_is_reached():
    planned = [D(2026, m, 5) for m in (2, 3, 5, 7, 9)]
    assert (
        propose_year(year=2026, target=5, weekday=THURSDAY, today=BEFORE_2026, planned=planned)
        == []
    )


def test_nothing_to_propose_for_a_past_year():
    assert propose_year(year=2025, target=5, weekday=THURSDAY, today=D(2026, 3, 1)) == []


def test_nothing_to_propose_on_new_years_eve():
    assert propose_year(year=2026, target=5, weekday=THURSDAY, today=D(2026, 12, 31)) == []


def test_the_end_of_a_year_offers_only_the_days_left():
    # Seen on Monday 30 November: not 3 or 10 December (too soon), nor the 24th or 31st.
    dates = propose_year(year=2026, target=5, weekday=THURSDAY, today=D(2026, 11, 30))
    assert dates == [D(2026, 12, 17)]


def test_nothing_is_proposed_in_the_last_fortnight_of_a_year():
    # Two dinners still to plan on 14 December used to get the 17th, 24th and 31st.
    planned = [D(2026, 2, 5), D(2026, 5, 7), D(2026, 9, 10)]
    assert (
        propose_year(year=2026, target=5, weekday=THURSDAY, today=D(2026, 12, 14), planned=planned)
        == []
    )


def test_fewer_than_missing_that_fit_are_spread_at_the_minimum_gap_or_more():
    # From 29 October (a fortnight after today) the Thursdays up to the 17th of December hold
    # four dinners a fortnight apart, not five.
    dates = propose_year(year=2026, target=5, weekday=THURSDAY, today=D(2026, 10, 15))
    assert dates == [D(2026, 10, 29), D(2026, 11, 12), D(2026, 11, 26), D(2026, 12, 10)]


def test_the_first_day_to_plan_is_a_fortnight_ahead_in_the_next_year_too():
    assert year_start(2027, D(2026, 12, 28)) == D(2027, 1, 11)
    assert year_start(2027, D(2026, 11, 2)) == D(2027, 1, 1)
    assert year_start(2026, D(2026, 12, 18)) is None


def test_a_new_dinner_keeps_its_distance_from_those_planned():
    # A dinner between those of 3 and 17 December would be a week from each.
    planned = [D(2026, 12, 3), D(2026, 12, 17)]
    dates = propose_year(
        year=2026,
        target=4,
        weekday=THURSDAY,
        today=D(2026, 11, 1),
        planned=planned,
        taken=planned,
    )
    assert dates == [D(2026, 11, 19)]


def test_late_december_keeps_its_distance_from_the_first_dinner_after_the_year():
    # On 14 December the only Monday left is the 28th: a week before a dinner of 4 January.
    planned = [D(2026, 2, 2), D(2026, 5, 4), D(2026, 9, 7)]
    plan = {"year": 2026, "target": 5, "weekday": MONDAY, "today": D(2026, 12, 14)}
    assert propose_year(**plan, planned=planned) == [D(2026, 12, 28)]
    assert propose_year(**plan, planned=planned, after=D(2027, 1, 4)) == []
    assert propose_year(**plan, planned=planned, after=D(2027, 1, 11)) == [D(2026, 12, 28)]


@pytest.mark.parametrize("target", [1, 2, 5, 12])
@pytest.mark.parametrize("weekday", [MONDAY, THURSDAY, FRIDAY])
def test_from_any_day_of_the_autumn_the_notice_and_gap_hold(target, weekday):
    planned = [D(2026, 3, 5), D(2026, 11, 26)]
    for offset in range(0, 92, 3):
        today = D(2026, 10, 1) + datetime.timedelta(days=offset)
        dates = propose_year(
            year=2026,
            target=target + len(planned),
            weekday=weekday,
            today=today,
            planned=planned,
            taken=planned,
            before=D(2025, 12, 11),
        )
        assert all((day - today).days >= MIN_NOTICE_DAYS for day in dates), today
        assert min(_intervals([*planned, *dates]), default=MIN_GAP_DAYS) >= MIN_GAP_DAYS, today
        assert not [day for day in dates if is_day_off(day)], today


def test_today_itself_is_never_proposed():
    today = D(2026, 12, 17)  # a Thursday
    assert today not in propose_year(year=2026, target=5, weekday=THURSDAY, today=today)


def _intervals(dates):
    """The days between consecutive dinners."""
    return [(later - earlier).days for earlier, later in itertools.pairwise(sorted(dates))]


def test_dinners_bunched_early_leave_no_long_gap_after_them():
    # Planning on New Year's Day with two dinners fixed in January and a target of five: the
    # three new ones used to wait until July, five months without a dinner.
    fixed = [D(2026, 1, 10), D(2026, 1, 20)]
    dates = propose_year(
        year=2026, target=5, weekday=THURSDAY, today=D(2026, 1, 1), planned=fixed, taken=fixed
    )
    assert dates == [D(2026, 4, 30), D(2026, 8, 6), D(2026, 11, 12)]
    assert max(_intervals(fixed + dates)) <= 100


def test_dinners_fixed_late_in_the_year_put_the_new_ones_earlier_and_evenly():
    fixed = [D(2026, 10, 8), D(2026, 11, 12)]
    dates = propose_year(
        year=2026, target=5, weekday=THURSDAY, today=BEFORE_2026, planned=fixed, taken=fixed
    )
    assert len(dates) == 3
    assert all(day < fixed[0] for day in dates)
    intervals = _intervals([*dates, fixed[0]])
    assert max(intervals) - min(intervals) <= 7


def test_a_dinner_fixed_mid_year_splits_the_rest_evenly_on_both_sides():
    fixed = D(2026, 7, 16)
    dates = propose_year(
        year=2026, target=5, weekday=THURSDAY, today=BEFORE_2026, planned=[fixed], taken=[fixed]
    )
    before = [day for day in dates if day < fixed]
    after = [day for day in dates if day > fixed]
    assert len(before) == len(after) == 2
    for side in ([*before, fixed], [fixed, *after]):
        intervals = _intervals(side)
        assert max(intervals) - min(intervals) <= 7


def test_more_dinners_than_usable_days_around_a_fixed_one_gives_the_days_there_are():
    # December 2026 has five Thursdays; the 17th is already fixed.
    dates = propose_dates(
        start=D(2026, 12, 1),
        end=D(2026, 12, 31),
        count=10,
        weekday=THURSDAY,
        fixed=[D(2026, 12, 17)],
    )
    # The 10th is a week before the fixed dinner; the 24th and 31st are evenings off.
    assert dates == [D(2026, 12, 3)]


def test_the_last_dinner_of_the_year_before_keeps_the_first_ones_from_crowding_it():
    """Planned in December with last year's dinner on 2 December and one fixed on 18 February:
    a dinner proposed in mid-January came six weeks after the one before and five before the
    next, and then three months went by between the others."""
    fixed = D(2027, 2, 18)
    dates = propose_year(
        year=2027,
        target=5,
        weekday=THURSDAY,
        today=D(2026, 12, 10),
        planned=[fixed],
        taken=[fixed],
        before=D(2026, 12, 2),
    )
    assert len(dates) == 4
    assert all(day > fixed for day in dates)
    intervals = _intervals([D(2026, 12, 2), fixed, *dates])
    assert max(intervals) <= 84


def test_a_dinner_long_before_the_year_changes_nothing():
    """A circle that has not met for a year or more: its last dinner says nothing of the
    spacing to come."""
    alone = propose_year(year=2027, target=5, weekday=THURSDAY, today=D(2026, 12, 10))
    assert alone == propose_year(
        year=2027, target=5, weekday=THURSDAY, today=D(2026, 12, 10), before=D(2025, 10, 2)
    )


def test_a_dinner_held_this_year_spaces_the_next_from_it():
    today = D(2026, 6, 1)
    held = [D(2026, 5, 28)]  # last week
    dates = propose_year(
        year=2026, target=4, weekday=THURSDAY, today=today, planned=held, taken=held
    )
    assert len(dates) == 3
    assert (dates[0] - held[0]).days >= 56  # not a fortnight later
