"""The year planner's proposal: pure date logic, testable without the web or the database.

A circle aims at a number of dinners a year (five by default). For what is left of a year the
planner proposes the missing dinners, spread evenly, on the circle's preferred weekday, never on
a Dutch public holiday, Christmas Eve or New Year's Eve, and never on a day that already has a
meeting of the circle; none sooner than MIN_NOTICE_DAYS from today, and no two dinners closer
together than MIN_GAP_DAYS, across New Year too. Late in a year fewer may fit than are
missing: the rest is for the next year.
"""

import dataclasses
import datetime
import itertools
import math
from collections.abc import Iterable
from functools import cache

import holidays

WEEK = datetime.timedelta(days=7)
YEAR_DAYS = 365
# Evenings that are no public holiday (the holidays package lists neither) but no evening for a
# circle's dinner either: Christmas Eve belongs to families, and on New Year's Eve the police
# are out for the fireworks and the trouble that comes with them. (month, day)
EVENINGS_OFF = {(12, 24), (12, 31)}
# No dinner is proposed sooner than this: the members, citizens with jobs and families among
# them, need time to keep the evening free, and the coordinator to book the venue and order the
# food. Planned on 30 November, a dinner on 3 December asked too much of everyone.
MIN_NOTICE_DAYS = 14
# Nor two dinners closer together than this: the target is contact spread over the year, and
# three dinners in three weeks of December ask a lot of volunteers and leave little new to say.
MIN_GAP_DAYS = 14


@cache
def _dutch_holidays(year: int, language: str | None = None) -> dict[datetime.date, str]:
    """The year's Dutch public holidays with their names in `language` (a language of the
    holidays package; its default, Dutch, when None)."""
    return dict(holidays.country_holidays("NL", years=year, language=language))


def is_public_holiday(day: datetime.date) -> bool:
    """Whether the day is a Dutch public holiday (King's Day, Easter Monday, Christmas, ...)."""
    return day in _dutch_holidays(day.year)


def is_evening_off(day: datetime.date) -> bool:
    """Whether the day is Christmas Eve or New Year's Eve (EVENINGS_OFF)."""
    return (day.month, day.day) in EVENINGS_OFF


def is_day_off(day: datetime.date) -> bool:
    """Whether the planner skips the day: a public holiday or an evening off."""
    return is_public_holiday(day) or is_evening_off(day)


def _holiday_language(language: str | None) -> str:
    """The holidays package's language for a Django language code: "nl" for "nl", "en_US" for
    "en" or "en-gb". A language it lacks gets English, the language the text around the name
    falls back to as well."""
    base = (language or "").split("-")[0].split("_")[0].lower()
    supported = holidays.Netherlands.supported_languages
    return next((code for code in supported if code.split("_")[0].lower() == base), "en_US")


def public_holiday_name(day: datetime.date, language: str | None) -> str | None:
    """The name of the Dutch public holiday on `day` ("Koningsdag", "King's Day") in the
    Django language `language`, or None on any other day."""
    return _dutch_holidays(day.year, _holiday_language(language)).get(day)


def year_start(year: int, today: datetime.date) -> datetime.date | None:
    """The first day the planner may use in the year: MIN_NOTICE_DAYS from today, or 1 January
    of a later year if that comes later; None when the notice runs past the year's end (a
    year that is over, or its last fortnight)."""
    first = max(today + datetime.timedelta(days=MIN_NOTICE_DAYS), datetime.date(year, 1, 1))
    return first if first.year == year else None


def has_room(year: int, today: datetime.date, weekday: int) -> bool:
    """Whether a dinner on the weekday still fits in the year by the calendar alone: a day that
    is no day off, MIN_NOTICE_DAYS or more from today. The year's other dinners may stand in
    its way (MIN_GAP_DAYS): propose_year tells."""
    start = year_start(year, today)
    return start is not None and bool(_weekdays(start, datetime.date(year, 12, 31), weekday))


def propose_year(
    *,
    year: int,
    target: int,
    weekday: int,
    today: datetime.date,
    planned: Iterable[datetime.date] = (),
    taken: Iterable[datetime.date] = (),
    before: datetime.date | None = None,
    after: datetime.date | None = None,
) -> list[datetime.date]:
    """The dates of the dinners still to plan in the year.

    planned: the dates of the year's dinners that count towards the target (kind dinner, not
    cancelled), held or still to come. taken: every date that already has a meeting of the
    circle, which the proposal skips. weekday: 0 is Monday, as in date.weekday(). before and
    after: the days of the circle's last such dinner before the year and its first after it,
    if any; a new dinner keeps MIN_GAP_DAYS from them as from the year's own (late December
    from a dinner in early January).
    """
    start = year_start(year, today)
    planned = sorted(set(planned))
    missing = target - len(planned)
    if start is None or missing <= 0:
        return []
    end = datetime.date(year, 12, 31)
    ahead = [day for day in planned if start <= day <= end]
    previous = max([day for day in planned if day < start], default=before)
    return propose_dates(
        start=start,
        end=end,
        count=missing,
        weekday=weekday,
        fixed=ahead,
        taken=taken,
        previous=previous,
        following=after,
    )


def propose_dates(
    *,
    start: datetime.date,
    end: datetime.date,
    count: int,
    weekday: int,
    fixed: Iterable[datetime.date] = (),
    taken: Iterable[datetime.date] = (),
    previous: datetime.date | None = None,
    following: datetime.date | None = None,
) -> list[datetime.date]:
    """Up to count dates between start and end (inclusive), spread evenly around the fixed dinners.

    The fixed dinners cut the period into gaps; the new dinners go to the gaps one by one, each
    to the gap whose intervals between dinners are longest so far, and are spaced evenly inside
    their gap (see _Gap). The last dinner before the period (`previous`) bounds its first gap
    as a fixed one does, if it was recent: within one interval of the period's dinners
    (a year's length over their number); an older one tells nothing about the spacing to come.
    Every ideal day becomes the nearest usable day: the right weekday, no day off (is_day_off),
    not taken, and MIN_GAP_DAYS or more from every other dinner (fixed, previous, the first
    after the period (`following`) or new).

    Fewer dates come back when fewer fit: as many as the period holds at that gap (found by
    taking the first usable day each time, which fits the most), spread as above; when that
    spreading leaves one without a day, they are packed from the start of the period instead.
    """
    fixed = sorted(set(fixed))
    unusable = set(taken) | set(fixed)
    usable = [day for day in _weekdays(start, end, weekday) if day not in unusable]
    dinners = [*fixed, *(day for day in (previous, following) if day)]
    fitting = len(_packed(usable, dinners, count))
    recent = previous is not None and (start - previous).days * (fitting + len(fixed)) < YEAR_DAYS
    chosen: list[datetime.date] = []
    for ideal in _ideal_days(start, end, fitting, fixed, previous if recent else None):
        day = _nearest_usable(ideal, usable, [*dinners, *chosen])
        if day is not None:
            chosen.append(day)
    return sorted(chosen) if len(chosen) == fitting else _packed(usable, dinners, fitting)


def _weekdays(start: datetime.date, end: datetime.date, weekday: int) -> list[datetime.date]:
    """The days on the weekday from start to end, but for days off (is_day_off)."""
    day = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
    days = []
    while day <= end:
        if not is_day_off(day):
            days.append(day)
        day += WEEK
    return days


def _far_enough(day: datetime.date, dinners: list[datetime.date]) -> bool:
    """Whether the day lies MIN_GAP_DAYS or more from each of the dinners (so not on one)."""
    return all(abs((day - dinner).days) >= MIN_GAP_DAYS for dinner in dinners)


def _packed(
    usable: list[datetime.date], dinners: list[datetime.date], count: int
) -> list[datetime.date]:
    """Up to count of the usable days (in order), each the first far enough from the dinners
    and those taken before it: as many as fit."""
    chosen: list[datetime.date] = []
    for day in usable:
        if len(chosen) == count:
            break
        if _far_enough(day, [*dinners, *chosen]):
            chosen.append(day)
    return chosen


@dataclasses.dataclass
class _Gap:
    """A stretch of the period between fixed dinners, in days from the period's start, and the
    number of new dinners it gets.

    A side at a fixed dinner is a whole interval from the gap's nearest new dinner, a side at an
    end of the period half of one: the dinners of the year before or after lie beyond it. So a
    period without fixed dinners has each dinner in the middle of its equal part of the period.
    """

    begin: int
    finish: int
    begin_weight: float = 1
    finish_weight: float = 1
    dinners: int = 0

    def intervals(self) -> float:
        """How many intervals the gap holds: one between each two of its dinners, plus its sides."""
        return self.begin_weight + self.dinners - 1 + self.finish_weight

    def interval(self) -> float:
        """The days between consecutive dinners (infinite in a period still without any)."""
        return (self.finish - self.begin) / self.intervals() if self.intervals() else math.inf

    def days(self) -> list[float]:
        """Its new dinners, evenly spaced."""
        length, intervals = self.finish - self.begin, self.intervals()
        return [
            self.begin + (self.begin_weight + index) * length / intervals
            for index in range(self.dinners)
        ]


def _ideal_days(
    start: datetime.date,
    end: datetime.date,
    count: int,
    fixed: list[datetime.date],
    previous: datetime.date | None,
) -> list[datetime.date]:
    """count days in the gaps that the fixed days (sorted), and a previous dinner before the
    period, leave in the period, with intervals between consecutive dinners as even as
    possible."""
    first = 0 if previous is None else (previous - start).days
    edges = [first, *((day - start).days for day in fixed), (end - start).days + 1]
    gaps = [_Gap(begin, finish) for begin, finish in itertools.pairwise(edges)]
    gaps[-1].finish_weight = 0.5
    if previous is None:
        gaps[0].begin_weight = 0.5
    for _ in range(count):
        max(gaps, key=_Gap.interval).dinners += 1
    return [start + datetime.timedelta(days=int(day)) for gap in gaps for day in gap.days()]


def _nearest_usable(
    slot: datetime.date, usable: list[datetime.date], dinners: list[datetime.date]
) -> datetime.date | None:
    """The usable day closest to slot (the earlier one on a tie) that is far enough from the
    dinners."""
    days = sorted(usable, key=lambda day: (abs((day - slot).days), day))
    return next((day for day in days if _far_enough(day, dinners)), None)
