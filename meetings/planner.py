"""The year planner's proposal: pure date logic, testable without the web or the database.

A circle aims at a number of dinners a year (five by default). For what is left of a year the
planner proposes the missing dinners, spread evenly, on the circle's preferred weekday, never on
a Dutch public holiday, Christmas Eve or New Year's Eve, and never on a day that already has a
meeting of the circle.
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
    """The first day the planner may use in the year: tomorrow in the current year (a dinner
    today is too late to plan), 1 January in a later year, and None for a year that is over."""
    if year < today.year:
        return None
    if year == today.year:
        tomorrow = today + datetime.timedelta(days=1)
        return tomorrow if tomorrow.year == year else None
    return datetime.date(year, 1, 1)


def propose_year(
    *,
    year: int,
    target: int,
    weekday: int,
    today: datetime.date,
    planned: Iterable[datetime.date] = (),
    taken: Iterable[datetime.date] = (),
    before: datetime.date | None = None,
) -> list[datetime.date]:
    """The dates of the dinners still to plan in the year.

    planned: the dates of the year's dinners that count towards the target (kind dinner, not
    cancelled), held or still to come. taken: every date that already has a meeting of the
    circle, which the proposal skips. weekday: 0 is Monday, as in date.weekday(). before: the
    day of the circle's last such dinner before the year, if any.
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
) -> list[datetime.date]:
    """Up to count dates between start and end (inclusive), spread evenly around the fixed dinners.

    The fixed dinners cut the period into gaps; the new dinners go to the gaps one by one, each
    to the gap whose intervals between dinners are longest so far, and are spaced evenly inside
    their gap (see _Gap). The last dinner before the period (`previous`) bounds its first gap
    as a fixed one does, if it was recent: within one interval of the period's dinners
    (a year's length over their number); an older one tells nothing about the spacing to come.
    Every ideal day becomes the nearest usable day: the right weekday, no day off (is_day_off),
    not taken, not a fixed dinner. Fewer dates come back when fewer days fit.
    """
    fixed = sorted(set(fixed))
    unusable = set(taken) | set(fixed)
    recent = previous is not None and (start - previous).days * (count + len(fixed)) < YEAR_DAYS
    chosen: list[datetime.date] = []
    for ideal in _ideal_days(start, end, count, fixed, previous if recent else None):
        day = _nearest_usable(ideal, start, end, weekday, unusable)
        if day is not None:
            chosen.append(day)
            unusable.add(day)
    return sorted(chosen)


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
    slot: datetime.date,
    start: datetime.date,
    end: datetime.date,
    weekday: int,
    unusable: set[datetime.date],
) -> datetime.date | None:
    """The usable day on the weekday closest to slot (the earlier one on a tie)."""
    first = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
    days = []
    while first <= end:
        days.append(first)
        first += WEEK
    days.sort(key=lambda day: (abs((day - slot).days), day))
    return next((day for day in days if day not in unusable and not is_day_off(day)), None)
