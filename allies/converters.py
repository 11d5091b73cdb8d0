"""Path converters for every app's urls.py: `<id:circle_id>` and `<year:year>`.

Django's `<int:...>` takes any run of digits, so /circles/1000000000000000000000000000000/
reached the view, and the database could not hold the number: SQLite raised OverflowError
(a 500), PostgreSQL would compare it with a bigint. These converters refuse such values while
the URL is resolved, so the answer is a plain 404 before any view or query runs, and `reverse()`
refuses to build a URL that would not resolve. Registered when this module is imported, which
AlliesConfig.ready() does before any URLconf is loaded.
"""

from django.urls import register_converter

# The largest primary key a 64-bit signed database column holds (BigAutoField).
MAX_ID = 2**63 - 1


class IdConverter:
    """A primary key: 1 to MAX_ID, written in ASCII digits."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        # int() refuses more than 4300 digits with ValueError, which also means "no match".
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value} is no id")
        return number

    def to_url(self, value) -> str:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value} is no id")
        return str(number)


class YearConverter:
    """A year of four digits, 1000 to 9999: every year a date can have on both sides."""

    regex = "[1-9][0-9]{3}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        year = int(value)
        if not 1000 <= year <= 9999:
            raise ValueError(f"{value} is no four-digit year")
        return str(year)


register_converter(IdConverter, "id")
register_converter(YearConverter, "year")
