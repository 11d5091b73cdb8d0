"""Work on meetings that spans several models. Each function is one transaction, and the
members hear of it (invitation, change, cancellation: meetings/notify.py) once it commits.

The calendar identity of a meeting: its uid never changes, and its sequence grows by one with
every change of time, venue or status, and when a member invited to it leaves the circle (their
calendar gets a cancellation: circles.services.membership_end), and never otherwise (calendar
apps use it to tell a new version of an invitation from an old one).
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Action
from actions.services import action_add_update
from allies.models import User
from circles.models import Circle, VenueKind
from meetings import notify
from meetings.models import Attendance, Meeting, Response

# A change to one of these makes a new version of the calendar invitation.
CALENDAR_FIELDS = frozenset(
    {"starts_at", "ends_at", "venue_name", "venue_address", "venue_kind", "status"}
)
# A change to one of these is news for the members: they get the updated invitation.
TIME_AND_VENUE = frozenset({"starts_at", "ends_at", "venue_name", "venue_address", "venue_kind"})
# What meeting_update may change; uid, sequence, minutes and the record are not among them.
EDITABLE_FIELDS = CALENDAR_FIELDS | {"kind", "title", "host"}


class MeetingStateError(Exception):
    """The meeting is in a state that does not allow the change (e.g. cancelling a held one).
    Its message, in the active language, can be shown to whoever asked for the change."""


@transaction.atomic
def meeting_schedule(
    *,
    circle: Circle,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue_name: str,
    venue_address: str = "",
    venue_kind: str = VenueKind.POLICE_STATION,
    kind: str = Meeting.Kind.DINNER,
    title: str = "",
    host: User | None = None,
    status: str = Meeting.Status.PLANNED,
    from_poll: bool = False,
) -> Meeting:
    """Create a meeting of the circle (planned, unless said otherwise) and invite its members;
    one entered to record it, as held already (in admin) or having started already, invites
    no one: nobody can come to it any more. `from_poll`: its date was picked in a date poll,
    and the invitations tell the members the answers carried over from it (the caller stores
    them in this transaction: polls.services.poll_pick)."""
    meeting = Meeting.objects.create(
        status=status,
        circle=circle,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue_name=venue_name,
        venue_address=venue_address,
        venue_kind=venue_kind,
        host=host,
    )
    if status != Meeting.Status.HELD and starts_at > timezone.now():
        notify.notify_scheduled(meeting, from_poll=from_poll)
    return meeting


@transaction.atomic
def meetings_plan_year(*, circle: Circle, dinners: Iterable[Mapping[str, Any]]) -> list[Meeting]:
    """Schedule the year's dinners all at once: all are created or none.

    Each dinner is a mapping of meeting_schedule's arguments (starts_at, ends_at, venue_name,
    venue_address, venue_kind, host); kind is dinner. The members get one invitation listing
    them all, not one for each (notify.notify_planned).
    """
    made = [
        Meeting.objects.create(circle=circle, kind=Meeting.Kind.DINNER, **dinner)
        for dinner in dinners
    ]
    notify.notify_planned(made)
    return made


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    changes: Mapping[str, Any],
    agenda=None,
    reopen: bool = False,
    by=None,
) -> list[str]:
    """Apply changes to the meeting's fields (see EDITABLE_FIELDS) and save the agenda.

    agenda: an optional valid inline formset of the meeting's agenda items, saved in the same
    transaction. Returns the names of the fields that really changed; when one of them is a
    time, the venue or the status, the calendar sequence grows by one, and when the time or
    the venue of a meeting ahead (not held, starting later) changed, or a cancelled meeting
    is on again, the members get the updated invitation; when the host of a meeting ahead
    changed, the new and the previous host are told who made the change (`by`, the person
    editing: not told themselves), in that update if there is one, else in an email of its
    own. Only `reopen` (admin) changes a cancelled meeting; otherwise, and for the date and
    times of a held one, raises MeetingStateError: it was cancelled or recorded since the
    form was read.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"meeting_update cannot change {sorted(unknown)}")
    # Compare with the stored row, locked, so two editors cannot both miss a sequence step.
    stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if stored.status == Meeting.Status.CANCELLED and not reopen:
        raise MeetingStateError(_("This meeting is cancelled; it can no longer be changed."))
    changed = [name for name, value in changes.items() if _differs(stored, name, value)]
    if stored.status == Meeting.Status.HELD and {"starts_at", "ends_at"}.intersection(changed):
        # Its attendance and minutes are that evening's (MeetingForm does not offer it).
        raise MeetingStateError(_("A meeting that was held keeps its date and times."))
    for name in changed:
        setattr(meeting, name, changes[name])
    meeting.sequence = stored.sequence
    if CALENDAR_FIELDS.intersection(changed):
        meeting.sequence += 1
    on_again = stored.status == Meeting.Status.CANCELLED and "status" in changed
    if on_again:  # why it was called off is past: a new cancellation gives its own reason
        meeting.cancel_reason = ""
        changed.append("cancel_reason")
    if changed:
        meeting.save(update_fields=[*changed, "sequence", "updated_at"])
    # The venue of a meeting held, or gone by (entered to record it, say), corrected is a
    # correction of the record, not news for anyone: nobody can go there any more.
    ahead = stored.status != Meeting.Status.HELD and meeting.starts_at > timezone.now()
    if on_again or (TIME_AND_VENUE.intersection(changed) and ahead):
        notify.notify_changed(
            meeting, host_changed="host" in changed, previous_host_id=stored.host_id, by=by
        )
    elif "host" in changed and ahead:
        notify.notify_host_changed(meeting, previous_host_id=stored.host_id, by=by)
    if agenda is not None:
        agenda.instance = meeting
        agenda.save()
    return changed


def _differs(stored: Meeting, name: str, value) -> bool:
    if name == "host":  # compare keys: no query for the stored host
        return stored.host_id != (value.pk if value is not None else None)
    return getattr(stored, name) != value


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str = "") -> bool:
    """Cancel the meeting (a status, never a delete) and tell the members, with the reason if
    one is given; of a meeting gone by (entered by mistake to record it, say) nobody is told,
    as of its other corrections: nobody can go to it any more. Returns False when it already
    was (its reason stays as it was); raises MeetingStateError for a meeting that has been
    held."""
    stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if stored.status == Meeting.Status.HELD:
        raise MeetingStateError(_("A meeting that was held cannot be cancelled."))
    if stored.status == Meeting.Status.CANCELLED:
        meeting.status = stored.status
        return False
    meeting.sequence = stored.sequence
    meeting.cancel(reason=reason)
    if meeting.starts_at > timezone.now():
        notify.notify_cancelled(meeting)
    return True


def meeting_respond(
    *, meeting: Meeting, person: User, answer: str, dietary_needs: str = "", note: str = ""
) -> Response:
    """Store the person's answer to the meeting, replacing an earlier one.

    Two submits at the same moment (a double click, two tabs) both find no answer and both
    insert; the unique constraint refuses the second, which then finds the first and updates it.
    """
    values = {"answer": answer, "dietary_needs": dietary_needs, "note": note}
    try:
        with transaction.atomic():
            response, _ = Response.objects.update_or_create(
                meeting=meeting, person=person, defaults=values
            )
    except IntegrityError:
        with transaction.atomic():
            response, _ = Response.objects.update_or_create(
                meeting=meeting, person=person, defaults=values
            )
    return response


@transaction.atomic
def meeting_record(
    *,
    meeting: Meeting,
    by: User,
    attendees: Iterable[User],
    minutes: str,
    actions: Iterable[Mapping[str, Any]] = (),
    reviews: Iterable[Mapping[str, Any]] = (),
) -> list[Action]:
    """Record a meeting after it started: who attended, the minutes, the actions agreed, and
    what became of the actions carried to it.

    All or nothing. Recording again replaces attendance and minutes; actions are only added
    (each a mapping of title, description, owners, due_date). Each review (a mapping of
    action, new_status, text) is an update of that action by `by`, as on the action's page.
    The meeting becomes held; the first recording changes the status and so grows the
    calendar sequence.

    Once it commits, the members (not `by`, who wrote it) are told what was said and agreed:
    once, at the first recording with minutes or actions, and again when minutes are first
    written to a record without them. Recording again (a corrected line of the minutes, an
    attendance ticked late) tells nobody but the owners of the actions it adds.
    """
    stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if stored.status == Meeting.Status.CANCELLED:
        raise MeetingStateError(_("A cancelled meeting cannot be recorded."))
    had_actions = meeting.actions.exists()
    recorded = stored.recorded_at is not None
    told = recorded and (stored.minutes != "" or had_actions)
    # Minutes written after a record without them (of the actions only, say) are news too.
    new_minutes = minutes != "" and not (recorded and stored.minutes != "")
    attendee_ids = {person.pk for person in attendees}
    meeting.attendances.exclude(person_id__in=attendee_ids).delete()
    present = set(meeting.attendances.values_list("person_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, person_id=pk) for pk in sorted(attendee_ids - present)
    )
    meeting.sequence = stored.sequence
    if stored.status != Meeting.Status.HELD:
        meeting.sequence += 1
    meeting.status = Meeting.Status.HELD
    meeting.minutes = minutes
    meeting.recorded_at = timezone.now()
    meeting.save(update_fields=["status", "minutes", "recorded_at", "sequence", "updated_at"])
    created = []
    for row in actions:
        action = Action.objects.create(
            circle=meeting.circle,
            meeting=meeting,
            title=row["title"],
            description=row.get("description", ""),
            due_date=row.get("due_date"),
            created_by=by,
        )
        action.owners.set(row["owners"])
        created.append(action)
    for review in reviews:
        action_add_update(author=by, **review)
    if new_minutes or (not told and (had_actions or created)):
        notify.notify_recorded(meeting, by=by)
    elif created:
        notify.notify_actions_added(meeting, created, by=by)
    return created
