"""Calendar arithmetic that more than one app needs."""

import datetime


def years_later(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later, or earlier for a negative number: calendar years, not 365
    days each, which end a year holding 29 February a day early (1 March 2027 + 365 days is 29
    February 2028). From 29 February into a common year it is 28 February, the end of the same
    month: a year from 29 February 2028 runs until 28 February 2029, not into March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
