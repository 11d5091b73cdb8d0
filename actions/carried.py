"""The actions carried forward to a meeting: "an open action is carried forward: it appears on
the next meeting's agenda until it is done or dropped" (DESIGN.md).

Of a meeting ahead, they are the circle's open actions, if it is the circle's next meeting. Of
one that has started, they are those that were open when it started (Action.objects.open_at):
what was carried to it stays what it was, whatever became of the actions since, so its page
and its record page show what was reviewed there.

The list is read once per meeting object (the emails about a meeting, one per member, all show
it); prefetch_carried reads it for many meetings at once (a reminder run).
"""

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from actions.models import Action
from meetings.models import Meeting

# Where each meeting keeps its list, once read.
CACHE = "_carried_actions"


def carried_to(meeting: Meeting) -> list[Action]:
    """The actions carried to the meeting, with their owners; none for a cancelled one."""
    if not hasattr(meeting, CACHE):
        prefetch_carried([meeting])
    return getattr(meeting, CACHE)


def prefetch_carried(meetings) -> None:
    """Read the actions carried to each of the meetings and keep them on it (carried_to), in
    a fixed number of queries however many meetings: those that have started, and those
    ahead."""
    now = timezone.now()
    ahead, started = [], []
    for meeting in meetings:
        setattr(meeting, CACHE, [])
        if not meeting.is_cancelled:
            (ahead if meeting.starts_at > now else started).append(meeting)
    _prefetch_started(started)
    _prefetch_ahead(ahead, now)


def _prefetch_started(meetings: list[Meeting]) -> None:
    """Of each meeting that has started, its circle's actions that were open when it began,
    but those agreed at it: one query for all, joining each meeting to its circle's actions
    (and one for their owners)."""
    if not meetings:
        return
    by_pk = {meeting.pk: meeting for meeting in meetings}
    opened = (
        Action.objects.annotate(carried_to=F("circle__meetings"))
        .alias(carried_at=F("circle__meetings__starts_at"))
        .filter(carried_to__in=list(by_pk))
        .open_at("carried_at")
        .exclude(meeting=F("carried_to"))
    )
    for action in opened.with_owners(_only_circle(meetings)).by_due_date():
        getattr(by_pk[action.carried_to], CACHE).append(action)


def _prefetch_ahead(meetings: list[Meeting], now) -> None:
    """Of each meeting ahead, its circle's unfinished actions, if it is the circle's next."""
    nexts = _next_meetings(meetings, now)
    if not nexts:
        return
    by_circle = {}
    ahead_actions = Action.objects.unfinished().filter(circle__in=list(nexts))
    for action in ahead_actions.with_owners(_only_circle(nexts.values())).by_due_date():
        by_circle.setdefault(action.circle_id, []).append(action)
    for meeting in nexts.values():
        setattr(meeting, CACHE, by_circle.get(meeting.circle_id, []))


def _only_circle(meetings) -> int | None:
    """The circle of the meetings if they are all of one: owners who left are marked for one
    circle's meetings (a page; not a run over many)."""
    circles = {meeting.circle_id for meeting in meetings}
    return circles.pop() if len(circles) == 1 else None


def _next_meetings(meetings: list[Meeting], now) -> dict[int, Meeting]:
    """Those of the meetings that are the next of their circle, by circle id: no other
    meeting of it that is not cancelled and not over starts before (or at the same moment, and
    was entered first)."""
    if not meetings:
        return {}
    before = (
        Meeting.objects.upcoming(now)
        .filter(circle=OuterRef("circle"))
        .filter(
            Q(starts_at__lt=OuterRef("starts_at"))
            | Q(starts_at=OuterRef("starts_at"), pk__lt=OuterRef("pk"))
        )
    )
    first = set(
        Meeting.objects.filter(pk__in=[m.pk for m in meetings])
        .filter(~Exists(before))
        .values_list("pk", flat=True)
    )
    return {m.circle_id: m for m in meetings if m.pk in first}
