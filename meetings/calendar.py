"""iCalendar (RFC 5545) files: one meeting, a circle's meetings, a person's feed, invitations.

Every meeting keeps one UID for life (Meeting.uid) and a SEQUENCE that grows with each change
(Meeting.sequence), so calendar apps update the event they already have instead of adding a
second one. Times are written in Europe/Amsterdam with its VTIMEZONE, so the dinner stays at
18:30 on both sides of the daylight-saving change.

Text goes out in the active language: callers switch to the reader's language first.
"""

import datetime
import zoneinfo
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from meetings.models import AgendaItem, Meeting, Response

PRODID = "-//Allies//Allies calendar//EN"
# Dinners are in the Netherlands: calendars give their times in Dutch time, whatever the
# server's settings.
TZID = "Europe/Amsterdam"
UID_DOMAIN = "allies"
# The personal feed and the circle calendar: meetings of the last twelve months and all ahead.
PAST_WINDOW = datetime.timedelta(days=365)
REFRESH = datetime.timedelta(hours=1)


def meeting_url(meeting) -> str:
    """The meeting page. Its path is fixed by the URL map in DESIGN.md (meetings:detail); it is
    written out here so that calendar files and emails need nothing but the meeting."""
    return f"{settings.SITE_URL}/meetings/{meeting.pk}/"


def respond_url(meeting) -> str:
    """The page to answer the meeting (meetings:respond), see meeting_url."""
    return f"{meeting_url(meeting)}respond/"


def action_url(action) -> str:
    """The action page (actions:detail), see meeting_url."""
    return f"{settings.SITE_URL}/actions/{action.pk}/"


def local_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(TZID)


def vtimezone() -> Timezone:
    """Europe/Amsterdam as every calendar app reads it: the EU rule (summer time from the last
    Sunday of March, 02:00, to the last Sunday of October, 03:00) as two RRULEs, the form that
    Google, Apple and Outlook write themselves.

    icalendar can derive a VTIMEZONE from the tz database, but only as lists of RDATEs, which
    not every reader handles: vobject (dateutil) gets the offset wrong from the second year on.
    The tests compare this rule with the tz database day by day over the years ahead, so a
    change of the rule would be noticed.
    """
    zone = Timezone()
    zone.add("tzid", TZID)
    zone.add("x-lic-location", TZID)
    for part, name, offset_from, offset_to, start, month in (
        (TimezoneDaylight(), "CEST", 1, 2, datetime.datetime(1981, 3, 29, 2, 0), 3),
        (TimezoneStandard(), "CET", 2, 1, datetime.datetime(1996, 10, 27, 3, 0), 10),
    ):
        part.add("tzname", name)
        part.add("tzoffsetfrom", datetime.timedelta(hours=offset_from))
        part.add("tzoffsetto", datetime.timedelta(hours=offset_to))
        part.add("dtstart", start)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone


def meeting_summary(meeting) -> str:
    """The event's title, e.g. "Dinner — Overvecht Allies", in the active language."""
    circle = meeting.circle.name
    if meeting.title:
        summary = gettext("%(title)s — %(circle)s") % {"title": meeting.title, "circle": circle}
    elif meeting.kind == Meeting.Kind.EXTRA:
        summary = gettext("Extra meeting — %(circle)s") % {"circle": circle}
    else:
        summary = gettext("Dinner — %(circle)s") % {"circle": circle}
    if meeting.is_cancelled:
        # STATUS:CANCELLED says it to the calendar app; not every app shows it, so say it here too.
        summary = gettext("Cancelled: %(summary)s") % {"summary": summary}
    return summary


def meeting_location(meeting) -> str:
    return ", ".join(part for part in (meeting.venue_name, meeting.venue_address) if part)


def meeting_description(meeting) -> str:
    """Why a cancelled meeting is cancelled (if the coordinator said), the agenda topics and
    the link to the meeting page, inviting an answer while one can be given; never notes,
    answers or contacts."""
    lines = []
    if meeting.is_cancelled and meeting.cancel_reason:
        lines.extend([f"{gettext('Reason:')} {meeting.cancel_reason}", ""])
    agenda = [str(item) for item in meeting.agenda_items.all()]
    if agenda:
        lines.append(gettext("Agenda:"))
        lines.extend(f"- {topic}" for topic in agenda)
        lines.append("")
    if meeting.is_open_for_answers:
        link = gettext("Details and your answer: %(url)s")
    else:  # cancelled or begun: nothing left to answer
        link = gettext("Details: %(url)s")
    lines.append(link % {"url": meeting_url(meeting)})
    return "\n".join(lines)


def with_agenda(meetings):
    """The queryset with what the calendar and the emails read, in a fixed number of queries."""
    return (
        meetings.with_host_left()
        .select_related("circle", "host")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("topic"))
        )
    )


def in_window(meetings, now=None):
    """Meetings that started at most twelve months ago, and all ahead (cancelled ones too, so
    that a subscribed calendar learns of the cancellation)."""
    now = now or timezone.now()
    return with_agenda(meetings.filter(starts_at__gte=now - PAST_WINDOW)).order_by("starts_at")


def _status(meeting) -> str:
    if meeting.is_cancelled:
        return "CANCELLED"
    if meeting.status == Meeting.Status.PLANNED:
        return "TENTATIVE"
    return "CONFIRMED"


def meeting_event(meeting, *, stamp: datetime.datetime | None = None) -> Event:
    """The meeting as a VEVENT. DTSTAMP is the last change unless `stamp` is given (RFC 5545:
    without METHOD it means "last revised"; with a METHOD, "when the message was made")."""
    tz = local_tz()
    event = Event()
    event.add("uid", f"{meeting.uid}@{UID_DOMAIN}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp or meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("summary", meeting_summary(meeting))
    event.add("location", meeting_location(meeting))
    event.add("description", meeting_description(meeting))
    event.add("url", meeting_url(meeting))
    event.add("status", _status(meeting))
    return event


def action_event(action) -> Event:
    """An action's due date as an all-day event that does not block the day."""
    event = Event()
    event.add("uid", f"action-{action.pk}@{UID_DOMAIN}")
    event.add("dtstamp", action.updated_at)
    event.add("last-modified", action.updated_at)
    event.add("dtstart", action.due_date)
    event.add("dtend", action.due_date + datetime.timedelta(days=1))
    event.add("summary", gettext("Action due: %(title)s") % {"title": action.title})
    lines = [action.description, ""] if action.description else []
    lines.append(action.circle.name)
    lines.append(action_url(action))
    event.add("description", "\n".join(lines))
    event.add("url", action_url(action))
    event.add("transp", "TRANSPARENT")
    return event


def _calendar(name: str | None = None, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        # Read by Apple, Google and Outlook as the subscribed calendar's name and refresh rate.
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", REFRESH)
    return cal


def _finish(cal: Calendar, events: list[Event]) -> bytes:
    """Add the events, and the VTIMEZONE if any of them has a time (all-day ones have none)."""
    if any(isinstance(event.decoded("dtstart"), datetime.datetime) for event in events):
        cal.add_component(vtimezone())
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def meeting_calendar(meeting) -> bytes:
    """One meeting, to download and add to a calendar."""
    return _finish(_calendar(), [meeting_event(meeting)])


def circle_calendar(circle, meetings) -> bytes:
    """A circle's meetings (pass them through in_window)."""
    return _finish(_calendar(name=circle.name), [meeting_event(m) for m in meetings])


def personal_calendar(meetings, actions) -> bytes:
    """A person's feed: their circles' meetings and the due dates of their actions."""
    events = [meeting_event(m) for m in meetings] + [action_event(a) for a in actions]
    return _finish(_calendar(name=gettext("Allies")), events)


# The recipient's answer as their participation status: calendar apps show the meeting as
# accepted, tentative or declined, as the meeting page does.
PARTSTATS = {
    Response.Answer.ATTENDING: "ACCEPTED",
    Response.Answer.MAYBE: "TENTATIVE",
    Response.Answer.NOT_ATTENDING: "DECLINED",
}


def invitation(meeting, *, recipient, method: str, sender: str, answer: str | None = None) -> bytes:
    """An iTIP message (RFC 5546) for one recipient: METHOD REQUEST for a new or changed meeting,
    CANCEL for a cancelled one. Only the recipient is named as attendee: every member gets their
    own message, so no one learns the others' addresses. `answer` is the recipient's answer to
    the meeting (a Response.Answer), if they gave one: NEEDS-ACTION until then.

    The organiser is the email's sender ("Bondgenoten <allies@…>", notify.sender() in the
    recipient's language): the calendar app names it as the inbox does."""
    event = _addressed_event(meeting, recipient=recipient, sender=sender, answer=answer)
    return _finish(_calendar(method=method), [event])


def withdrawal(meeting, *, recipient, sender: str) -> bytes:
    """An iTIP CANCEL (RFC 5546, 3.2.5) that takes the meeting out of the calendar of one
    recipient who is no longer invited (they left the circle), while it goes on for the others:
    the same UID, and the sequence their leaving raised (circles.services.membership_end). No
    STATUS: CANCELLED would tell them the meeting itself is off, and RFC 5546 leaves it out of a
    CANCEL that uninvites. No link to the page either: it is no longer theirs to open."""
    event = _addressed_event(meeting, recipient=recipient, sender=sender)
    for name in ("status", "url", "description"):
        event.pop(name)
    event.add(
        "description", gettext("You are no longer in %(circle)s.") % {"circle": meeting.circle.name}
    )
    return _finish(_calendar(method="CANCEL"), [event])


def _addressed_event(meeting, *, recipient, sender: str, answer: str | None = None) -> Event:
    """The meeting as a VEVENT stamped now, from the organiser to `recipient` alone."""
    event = meeting_event(meeting, stamp=timezone.now())
    name, address = parseaddr(sender)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = name or gettext("Allies")
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{recipient.email}")
    attendee.params["cn"] = str(recipient)
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = PARTSTATS.get(answer, "NEEDS-ACTION")
    # Answers are given on the meeting page, not by a calendar reply to the sender's address.
    attendee.params["rsvp"] = "FALSE"
    event.add("attendee", attendee)
    return event


def ics_response(body: bytes, filename: str, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
