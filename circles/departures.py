"""What members who left a circle leave behind for its coordinators.

Leaving ends a membership and nothing else: a member who left stays the host of the meetings
they hosted and an owner of the actions they took on, so that the history keeps them and a
coordinator decides who takes over (the edit pages keep them as a choice). Until then the
meeting page, its emails, the action page and the circle page mark them "(left the circle)"
(circles.models.has_left, MeetingQuerySet.with_host_left), and the coordinators find them
among their next steps: the meetings ahead that such a person still hosts, and the open
actions that nobody still in the circle owns, each linked to its edit page. Their own
dashboard no longer shows them any of it.

One query, whatever the number of circles and people: the meetings and the actions are read
as rows of the same shape, united.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import DateTimeField, Exists, F, OuterRef, Value
from django.utils import timezone

from actions.models import Action
from allies.models import User
from circles.models import Membership
from meetings.models import Meeting

# The most meetings and actions read at once: far more than people leave behind.
LIMIT = 100


def _columns(*, circle: str, person: str, item: str, label: str, starts, meeting_kind) -> dict:
    """The columns of a part of the union, by the paths of its circle, person, meeting or
    action and title, and the expressions of its start and kind (a meeting's)."""
    return {
        "circle_pk": F(circle),
        "circle_name": F(f"{circle}__name"),
        "person_pk": F(person),
        "person_name": F(f"{person}__name"),
        "person_username": F(f"{person}__username"),
        "item_pk": F(item),
        "starts": starts,
        "meeting_kind": meeting_kind,
        "label": F(label),
    }


@dataclass
class Departure:
    """A person who left the circle, and what they left behind in it."""

    circle_id: int
    circle_name: str
    person: User
    meetings: list[Meeting] = field(default_factory=list)  # ahead, hosted by them
    actions: list[Action] = field(default_factory=list)  # open, nobody in the circle owns

    @property
    def hosts_dinners_only(self) -> bool:
        """Whether the meetings are all dinners: none an extra meeting."""
        return not any(meeting.is_extra for meeting in self.meetings)


def _is_member(circle, person) -> Exists:
    return Exists(Membership.objects.active().filter(circle=circle, person=person))


def left_behind(circles, now: datetime.datetime | None = None) -> list[Departure]:
    """The people who left one of these circles (ids, or Circle objects) and still host one
    of its meetings ahead (not cancelled, not started) or own one of its open actions that no
    member of the circle owns, by circle and name."""
    now = now or timezone.now()
    ids = [getattr(circle, "pk", circle) for circle in circles]
    if not ids:
        return []
    columns = _columns(
        circle="circle",
        person="host",
        item="pk",
        label="title",
        starts=F("starts_at"),
        meeting_kind=F("kind"),
    )
    hosted = (
        Meeting.objects.filter(circle__in=ids, starts_at__gt=now, host__isnull=False)
        .exclude(status=Meeting.Status.CANCELLED)
        .exclude(_is_member(OuterRef("circle"), OuterRef("host")))
        .annotate(**columns)
    )
    owner = Action.owners.through.objects
    still_owned = owner.filter(action=OuterRef("action")).filter(
        _is_member(OuterRef("action__circle"), OuterRef("user"))
    )
    stranded = (
        owner.filter(action__circle__in=ids, action__status__in=Action.OPEN_STATUSES)
        .exclude(Exists(still_owned))
        .annotate(
            **_columns(
                circle="action__circle",
                person="user",
                item="action",
                label="action__title",
                starts=Value(None, output_field=DateTimeField()),
                meeting_kind=Value(""),
            )
        )
    )
    # No order in a part of a union: sorted below.
    united = (
        hosted.order_by()
        .values_list(*columns)
        .union(stranded.order_by().values_list(*columns), all=True)
    )
    departures: dict[tuple[int, int], Departure] = {}
    for values in united[:LIMIT]:
        row = dict(zip(columns, values, strict=True))
        key = row["circle_pk"], row["person_pk"]
        if key not in departures:
            person = User(
                pk=row["person_pk"], name=row["person_name"], username=row["person_username"]
            )
            departures[key] = Departure(row["circle_pk"], row["circle_name"], person)
        departure = departures[key]
        if row["starts"] is None:
            departure.actions.append(
                Action(pk=row["item_pk"], circle_id=row["circle_pk"], title=row["label"])
            )
        else:
            departure.meetings.append(
                Meeting(
                    pk=row["item_pk"],
                    circle_id=row["circle_pk"],
                    starts_at=row["starts"],
                    kind=row["meeting_kind"],
                    title=row["label"],
                )
            )
    for departure in departures.values():
        departure.meetings.sort(key=lambda meeting: meeting.starts_at)
        departure.actions.sort(key=lambda action: (action.title, action.pk))
    return sorted(
        departures.values(), key=lambda d: (d.circle_name, d.circle_id, str(d.person), d.person.pk)
    )
