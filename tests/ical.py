"""Read the calendar files the app makes with two independent parsers, and check they agree.

icalendar resolves TZID=Europe/Amsterdam with the system's time-zone database; vobject builds
the time zone from the file's own VTIMEZONE. So when both give the same instant, the VTIMEZONE
we wrote is right too.
"""

import datetime

import icalendar
import vobject

FIELDS = ("uid", "sequence", "summary", "location", "description", "url", "status", "transp")


def parse(body: bytes | str) -> tuple[icalendar.Calendar, vobject.base.Component]:
    text = body.decode() if isinstance(body, bytes) else body
    return icalendar.Calendar.from_ical(text), vobject.readOne(text, validate=True)


def _moment(value):
    """Datetimes as UTC instants (so both parsers' time zones compare), dates as they are."""
    if isinstance(value, datetime.datetime):
        assert value.tzinfo is not None, "a floating time: no time zone"
        return value.astimezone(datetime.UTC)
    return value


def wall_clock(value):
    """The time as written, without its zone (a date stays a date)."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    return value


def _from_icalendar(event) -> dict:
    fields = {name: str(event[name]) for name in FIELDS if name in event}
    if "sequence" in fields:
        fields["sequence"] = int(fields["sequence"])
    fields["start"] = _moment(event.decoded("dtstart"))
    fields["end"] = _moment(event.decoded("dtend"))
    fields["local_start"] = event.decoded("dtstart")
    return fields


def _from_vobject(event) -> dict:
    fields = {name: event.contents[name][0].value for name in FIELDS if name in event.contents}
    if "sequence" in fields:
        fields["sequence"] = int(fields["sequence"])
    fields["start"] = _moment(event.dtstart.value)
    fields["end"] = _moment(event.dtend.value)
    fields["local_start"] = event.dtstart.value
    return fields


def events(body: bytes | str) -> list[dict]:
    """Every VEVENT as a dict (uid, sequence, summary, ..., start and end as UTC instants and
    local_start as written), after checking that both parsers read the same."""
    ical, vcal = parse(body)
    by_icalendar = [_from_icalendar(e) for e in ical.walk("VEVENT")]
    by_vobject = [_from_vobject(e) for e in vcal.contents.get("vevent", [])]
    for a, b in zip(by_icalendar, by_vobject, strict=True):
        # Same instant and the same wall-clock time in both; the tzinfo objects differ by design.
        assert wall_clock(a["local_start"]) == wall_clock(b["local_start"])
        assert {**a, "local_start": None} == {**b, "local_start": None}
    return by_icalendar


def calendar_property(body: bytes | str, name: str) -> str | None:
    ical, vcal = parse(body)
    value = ical.get(name)
    in_vobject = vcal.contents.get(name.lower())
    assert (value is None) == (in_vobject is None)
    return None if value is None else str(value)


def timezones(body: bytes | str) -> list[str]:
    ical, _ = parse(body)
    return [str(tz["tzid"]) for tz in ical.walk("VTIMEZONE")]


def emailed(message, method: str, attendee: str) -> list[dict]:
    """The event of each calendar file attached to the email (see events), after checking that
    each carries `method`, as its MIME part and as the file say, and names no one but the
    `attendee` address: every member gets their own message."""
    found = []
    for part in message.message().walk():
        if part.get_content_type() != "text/calendar":
            continue
        body = part.get_payload(decode=True)
        assert part.get_param("method") == method
        assert calendar_property(body, "METHOD") == method
        [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
        # One attendee is one value; several would be a list.
        assert str(event["attendee"]) == f"mailto:{attendee}"
        found.extend(events(body))
    return found
