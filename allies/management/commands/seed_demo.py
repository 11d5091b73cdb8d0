"""Demo data: two circles, the demo accounts, a year of dinners; optionally many more circles.

The demo speaks the site's language (settings.LANGUAGE_CODE): its texts are written in it and its
people prefer it, so a Dutch installation shows a Dutch circle in a Dutch page."""

import datetime
import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionUpdate
from allies.models import User
from circles.health import refresh_summaries
from circles.models import Circle, Invitation, Membership, Sector, VenueKind
from meetings.models import AgendaItem, Attendance, Meeting, Response, Topic
from meetings.planner import is_day_off
from polls.models import Poll, PollAnswer, PollOption

DEMO_PASSWORD = "allies-demo"  # noqa: S105 (demo data only, documented in the README)

# username, name, organisation, sector, shares phone, phone, dietary needs
DEMO_PEOPLE = [
    (
        "coordinator",
        "Sanne de Vries",
        "Politie Midden-Nederland",
        Sector.POLICE,
        True,
        "+31612345001",
        "",
    ),
    (
        "officer",
        "Mehmet Yilmaz",
        "Politie Midden-Nederland, wijkagent",
        Sector.POLICE,
        True,
        "+31612345002",
        "",
    ),
    (
        "clerk",
        "Anouk Jansen",
        "Gemeente Utrecht",
        Sector.MUNICIPALITY,
        True,
        "+31612345003",
        _("vegetarian"),
    ),
    (
        "citizen",
        "Fatima El Amrani",
        "Buurtvereniging Overvecht",
        Sector.COMMUNITY,
        False,
        "+31612345004",
        _("halal"),
    ),
    (
        "outsider",
        "Pieter Bakker",
        "Gemeente Tilburg",
        Sector.MUNICIPALITY,
        True,
        "+31612345005",
        "",
    ),
]
EXTRA_MEMBERS = [
    ("Jeroen Visser", "Moskee Al Fath", Sector.COMMUNITY, "+31612345011", ""),
    ("Lotte Smit", "Jongerenwerk Overvecht", Sector.COMMUNITY, "+31612345012", _("no nuts")),
    ("Youssef Haddou", "Bewonerscommissie Zamenhof", Sector.COMMUNITY, "", ""),
    ("Karin Mulder", "Gemeente Utrecht, wijkbureau", Sector.MUNICIPALITY, "+31612345014", ""),
]
# Tilburg's members besides its coordinator, the outsider: member5, member6, member7.
TILBURG_MEMBERS = [
    (
        "Rob van Dijk",
        "Politie Zeeland-West-Brabant, wijkagent",
        Sector.POLICE,
        "+31612345021",
        "",
    ),
    ("Samira Benali", "Wijkraad Stokhasselt", Sector.COMMUNITY, "+31612345022", _("vegan")),
    ("Henk de Wit", "Buurtpreventie Heikant", Sector.COMMUNITY, "+31612345023", ""),
]
# When each member joined their circle and agreed to its commitment (None: not yet), in days
# before today. The circle page and the year report count a member's dinners from the day they
# joined, so nobody below came to a dinner before it. Rob's (member5) commitment runs out within
# the month: his coordinator is told to ask him to renew it.
JOINED = {
    "coordinator": (400, 300),
    "officer": (400, 300),
    "clerk": (400, 300),
    "citizen": (400, None),
    "member1": (380, None),
    "member2": (300, 290),
    "member3": (230, None),
    "member4": (100, 100),  # the newest: only the last dinner was after she joined
    "outsider": (420, 330),
    "member5": (420, 350),
    "member6": (350, None),
    "member7": (180, 180),
}
OVERVECHT = _("Overvecht Allies")
TILBURG = _("Tilburg-Noord Allies")
MINUTES = _(
    "We talked about the tension after the incident on the square and about young people who "
    "hang around the shopping centre at night. Everyone agreed to keep in touch through the "
    "WhatsApp group and to meet the youth workers before the next dinner."
)
# An item for the agenda of a dinner ahead that fits its time of year, by two months from
# January: each circle's two dinners ahead lie more than two months apart, so never share one.
SEASONAL_ITEMS = [
    (_("Lonely neighbours in winter"), _("Who knows someone who would like a visit?")),
    (_("Summer festival in the park"), _("Who helps?")),
    (
        _("The summer holidays: young people with time on their hands"),
        _("Which activities run in July and August?"),
    ),
    (_("Back to school: safe routes for children"), _("Where do children cross the busy roads?")),
    (_("Dark evenings: lighting and safety"), _("Which streets and paths are too dark?")),
    (
        _("New Year's Eve in the neighbourhood"),
        _("Fireworks and nuisance: who is around that night?"),
    ),
]
# The dinners held: days before today, minutes, who came. Each of Tilburg's dinners, held or
# ahead, is a week or more from each of Overvecht's, further than a day off moves one
# (_dinner_day: three days at most, from Christmas Eve), so the two circles never dine on the
# same day: the officer, invited to Tilburg, would otherwise have two dinners at once when he
# joins.
OVERVECHT_HELD = [
    (290, MINUTES, ("coordinator", "officer", "citizen", "member1", "member2")),
    (215, MINUTES, ("coordinator", "officer", "clerk", "citizen", "member2", "member3")),
    (140, MINUTES, ("coordinator", "clerk", "citizen", "member1", "member3")),
    (70, MINUTES, ("coordinator", "officer", "clerk", "member1", "member2", "member4")),
]
TILBURG_HELD = [
    (
        305,
        _(
            "A first round around the table. The residents' council worries about speeding cars "
            "on the ring road and about dealing near the Wagnerplein; the neighbourhood officer "
            "explained what the police can do about it and what they need from residents."
        ),
        ("outsider", "member5", "member6"),
    ),
    (
        235,
        _(
            "A small group tonight. We talked about the young people on the Wagnerplein at "
            "night: the residents' council knows some of their parents and will ask them to "
            "come along to a dinner."
        ),
        ("outsider", "member6"),
    ),
    (
        160,
        _(
            "A quiet evening: no incidents since the last dinner. We talked about how to keep in "
            "touch in quiet times too, and agreed to walk through Stokhasselt together before "
            "the next dinner."
        ),
        ("outsider", "member5", "member7"),
    ),
    (
        90,
        _(
            "After the fire in the flats in Heikant, residents were worried. The municipality "
            "told us what it does for the families who lost their home, and the neighbourhood "
            "watch collects what they need."
        ),
        ("outsider", "member5", "member6", "member7"),
    ),
]
# A dinner Tilburg called off, between two held ones: days before today, and why.
TILBURG_CANCELLED = (
    198,
    _("The town hall was closed for the elections. A date poll for a new date follows."),
)
# The dinners ahead: days from today, the answers so far (of the members after the first, who
# hosts them).
# How long before a dinner gone by it was entered.
PLANNED_AHEAD = datetime.timedelta(days=30)
OVERVECHT_AHEAD = [(12, ("attending", "maybe", "not_attending")), (80, ())]
TILBURG_AHEAD = [(19, ("attending", "maybe", "not_attending")), (95, ())]


class Command(BaseCommand):
    help = "Create the demo circles and accounts (idempotent); --circles N adds generated ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--circles",
            type=int,
            default=0,
            help="Also make sure N generated circles exist, each with ten years of history.",
        )

    def handle(self, *args, circles, **options):
        # The site's language, not whichever the caller has active.
        with translation.override(settings.LANGUAGE_CODE):
            with transaction.atomic():
                created = seed_demo_circles()
            self.stdout.write("Demo data created." if created else "Demo data already present.")
            if circles:
                added = seed_generated_circles(circles)
                self.stdout.write(f"Generated circles: {added} added, {circles} in all.")
        # Now rather than on the first visit of the staff overview (seconds at national size).
        refresh_summaries()


def _person(username, name, organisation, phone, dietary, shares, **extra):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "name": name,
            "email": f"{username}@example.org",
            "organisation": organisation,
            "phone": phone,
            "dietary_needs": dietary,
            "phone_shared_at": timezone.now() if shares and phone else None,
            "preferred_language": settings.LANGUAGE_CODE,
            **extra,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed_demo_circles() -> bool:
    """The two demo circles of DESIGN.md; returns False when they were already there, made in
    any of the site's languages."""
    if Circle.objects.filter(name__in=_in_every_language(OVERVECHT)).exists():
        return False
    _person(
        "admin",
        gettext("Admin"),
        gettext("Allies"),
        "",
        "",
        False,
        is_staff=True,
        is_superuser=True,
    )
    people = {
        row[0]: _person(row[0], row[1], row[2], row[5], row[6], row[4]) for row in DEMO_PEOPLE
    }
    sectors = {row[0]: row[3] for row in DEMO_PEOPLE}
    for number, (name, org, sector, phone, dietary) in enumerate(
        EXTRA_MEMBERS + TILBURG_MEMBERS, start=1
    ):
        username = f"member{number}"
        people[username] = _person(username, name, org, phone, dietary, bool(phone))
        sectors[username] = sector
    utrecht = Circle.objects.create(
        name=OVERVECHT,
        municipality="Utrecht",
        description=gettext("Police, municipality and residents of Overvecht, around one table."),
        whatsapp_link="https://chat.whatsapp.com/DemoOvervechtAllies01",
        default_venue_name="Politiebureau Overvecht",
        default_venue_address="Zamenhofdreef 20, 3562 JW Utrecht",
        default_venue_kind=VenueKind.POLICE_STATION,
    )
    tilburg = Circle.objects.create(
        name=TILBURG,
        municipality="Tilburg",
        description=gettext(
            "Police, municipality and residents of Tilburg-Noord, around one table."
        ),
        default_venue_name="Stadhuis Tilburg",
        default_venue_address="Stadhuisplein 130, 5038 TC Tilburg",
        default_venue_kind=VenueKind.TOWN_HALL,
    )
    # Each circle's coordinator first: they host the dinners ahead.
    in_utrecht = ["coordinator", "officer", "clerk", "citizen"]
    in_utrecht += ["member1", "member2", "member3", "member4"]
    in_tilburg = ["outsider", "member5", "member6", "member7"]
    for circle, usernames in ((utrecht, in_utrecht), (tilburg, in_tilburg)):
        for username in usernames:
            _join(circle, people[username], sectors[username], *JOINED[username])
        days_ago = max(JOINED[username][0] for username in usernames)
        _started([circle], timezone.now() - datetime.timedelta(days=days_ago))
    dinners = _seed_history(utrecht, in_utrecht, people, OVERVECHT_HELD, OVERVECHT_AHEAD)
    _seed_actions(dinners, people)
    dinners = _seed_history(tilburg, in_tilburg, people, TILBURG_HELD, TILBURG_AHEAD)
    _seed_tilburg_actions(dinners, people)
    _seed_cancelled(tilburg, *TILBURG_CANCELLED)
    # Tilburg's coordinator asks Overvecht's officer to join as well: an answer still to give.
    Invitation.objects.create(
        circle=tilburg,
        person=people["officer"],
        sector=Sector.POLICE,
        invited_by=people["outsider"],
    )
    return True


def _join(circle, person, sector, joined_days_ago, committed_days_ago):
    today = timezone.localdate()
    membership = Membership.objects.create(
        person=person,
        circle=circle,
        sector=sector,
        is_coordinator=person.username in {"coordinator", "outsider"},
        joined_on=today - datetime.timedelta(days=joined_days_ago),
    )
    if committed_days_ago is not None:
        membership.commit(today - datetime.timedelta(days=committed_days_ago))


def _started(circles: list[Circle], created_at: datetime.datetime) -> None:
    """The circles were created when their history starts (when their first member joined),
    not when the demo was loaded: a circle's first year has a smaller target
    (Circle.target_in), and one with years of dinners behind it is not in its first year."""
    Circle.objects.filter(pk__in=[circle.pk for circle in circles]).update(created_at=created_at)


def _in_every_language(text) -> set[str]:
    found = set()
    for language in dict(settings.LANGUAGES):
        with translation.override(language):
            found.add(str(text))
    return found


def _at(day: datetime.date, circle: Circle) -> tuple[datetime.datetime, datetime.datetime]:
    starts = timezone.make_aware(datetime.datetime.combine(day, circle.preferred_time))
    return starts, starts + datetime.timedelta(minutes=circle.dinner_minutes)


def _dinner_day(days_from_today: int) -> datetime.date:
    """The day that many days from today, or the first after it that the year planner would
    not skip (is_day_off: no Dutch public holiday, Christmas Eve or New Year's Eve; a few days
    later at most)."""
    day = timezone.localdate() + datetime.timedelta(days=days_from_today)
    while is_day_off(day):
        day += datetime.timedelta(days=1)
    return day


def _seed_history(circle, usernames, people, held, ahead):
    """The circle's dinners held (minutes, who came) and ahead (the answers so far); returns
    them, those held first, in the order given."""
    members = [people[username] for username in usernames]
    topics = list(Topic.objects.all())
    dinners = []
    for days_ago, minutes, came in held:
        meeting = _at_the_venue(
            circle, -days_ago, status=Meeting.Status.HELD, minutes=minutes, recorded=True
        )
        for order, topic in enumerate(topics[days_ago % 3 : days_ago % 3 + 2]):
            AgendaItem.objects.create(meeting=meeting, topic=topic, order=order)
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, person=people[username]) for username in came
        )
        dinners.append(meeting)
    for days_ahead, answers in ahead:
        meeting = _at_the_venue(
            circle,
            days_ahead,
            status=Meeting.Status.CONFIRMED if answers else Meeting.Status.PLANNED,
            host=members[0],
        )
        AgendaItem.objects.create(meeting=meeting, topic=topics[0], order=0)
        title, notes = SEASONAL_ITEMS[(timezone.localtime(meeting.starts_at).month - 1) // 2]
        AgendaItem.objects.create(meeting=meeting, title=str(title), notes=str(notes), order=1)
        for person, answer in zip(members[1:], answers, strict=False):
            Response.objects.create(
                meeting=meeting, person=person, answer=answer, dietary_needs=person.dietary_needs
            )
        dinners.append(meeting)
    return dinners


def _seed_cancelled(circle, days_ago, reason):
    """A dinner of the circle called off (once planned: its calendar sequence is one on)."""
    _at_the_venue(
        circle, -days_ago, status=Meeting.Status.CANCELLED, cancel_reason=str(reason), sequence=1
    )


def _at_the_venue(circle, days_from_today, *, recorded=False, **fields) -> Meeting:
    """A dinner of the circle at its usual venue and time, that many days from today (or the
    first day after it that is no day off, _dinner_day); `recorded` at its end. One gone by was
    entered PLANNED_AHEAD before it, not when the demo was loaded: entered afterwards, it
    would read as one entered to record it, which nobody was invited to
    (Meeting.entered_afterwards)."""
    starts, ends = _at(_dinner_day(days_from_today), circle)
    meeting = Meeting.objects.create(
        recorded_at=ends if recorded else None,
        circle=circle,
        starts_at=starts,
        ends_at=ends,
        venue_name=circle.default_venue_name,
        venue_address=circle.default_venue_address,
        venue_kind=circle.default_venue_kind,
        **fields,
    )
    if meeting.entered_afterwards:  # an update, not a save: no change in its history
        meeting.created_at = starts - PLANNED_AHEAD
        Meeting.objects.filter(pk=meeting.pk).update(created_at=meeting.created_at)
    return meeting


def _seed_actions(dinners, people):
    """Overvecht's actions: one done, one overdue, one in progress."""
    coordinator, officer, citizen = people["coordinator"], people["officer"], people["citizen"]
    _agree(
        dinners[0],
        gettext("Walk through the neighbourhood with the youth workers"),
        by=coordinator,
        due_in=-200,
        owners=[officer, citizen],
        done=(205, officer, gettext("We walked on Friday night; good talks.")),
    )
    _agree(
        dinners[2],
        gettext("Ask the municipality for better lighting in the underpass"),
        by=coordinator,
        due_in=-10,
        owners=[people["clerk"], citizen],
    )
    _agree(
        dinners[3],
        gettext("Invite the mosque board to the next dinner"),
        by=coordinator,
        due_in=30,
        owners=[citizen, coordinator],
        status=Action.Status.IN_PROGRESS,
    )


def _seed_tilburg_actions(dinners, people):
    """Tilburg's actions: one done, one open."""
    coordinator, samira = people["outsider"], people["member6"]
    _agree(
        dinners[2],
        gettext("Walk through Stokhasselt together"),
        by=coordinator,
        due_in=-100,
        owners=[people["member5"], samira],
        done=(
            120,
            samira,
            gettext("We walked with six neighbours and met the shopkeepers on the square."),
        ),
    )
    _agree(
        dinners[3],
        gettext("Ask the housing association when the families can go home"),
        by=coordinator,
        due_in=21,
        owners=[coordinator, people["member7"]],
    )


def _agree(meeting, title, *, by, due_in, owners, status=Action.Status.OPEN, done=None):
    """An action agreed at the meeting, written down by `by`, due `due_in` days from today.
    done: (days ago, author, update) marks it done then, with the author's update."""
    completed_at = None
    if done:
        status, completed_at = Action.Status.DONE, timezone.now() - datetime.timedelta(days=done[0])
    action = Action.objects.create(
        circle=meeting.circle,
        meeting=meeting,
        title=title,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in),
        status=status,
        completed_at=completed_at,
        created_by=by,
    )
    # Written down when the dinner was recorded, not when the demo was loaded: each dinner
    # since then shows it among the actions it reviewed, while it was open (open_at).
    Action.objects.filter(pk=action.pk).update(created_at=meeting.recorded_at or meeting.ends_at)
    action.owners.set(owners)
    if done:
        ActionUpdate.objects.create(
            action=action,
            author=done[1],
            text=done[2],
            new_status=Action.Status.DONE,
            created_at=completed_at,
        )


# Not translated: the command, bench/measure.py and the tests find the generated circles by it,
# whatever the language they were made in.
GENERATED_PREFIX = "Generated circle "
SECTORS = [Sector.POLICE, Sector.MUNICIPALITY, Sector.COMMUNITY]
# A generated circle's one dinner ahead is 53 to 73 days away; its date poll is for the dinner
# after that one.
POLL_DAYS_AHEAD = (100, 107, 114)


def seed_generated_circles(count: int, members_per_circle: int = 15, years: int = 10) -> int:
    """Bulk-insert circles with members and years of dinners (answers, attendance, agenda,
    actions and their updates, some hosted by a member), and an open date poll, for benchmarks."""
    existing = Circle.objects.filter(name__startswith=GENERATED_PREFIX).count()
    rng = random.Random(existing)  # noqa: S311 (demo data, not security)
    password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    batch = 50
    for start in range(existing, count, batch):
        with transaction.atomic():
            _generate_batch(
                range(start, min(start + batch, count)),
                members_per_circle,
                years,
                password,
                now,
                rng,
            )
    return max(count - existing, 0)


def _generate_batch(indexes, members_per_circle, years, password, now, rng):
    # Translated once a batch and then filled in: there are millions of rows at national size.
    municipality = gettext("Municipality %(number)s")
    member_name = gettext("Member %(member)s of circle %(circle)s")
    venue = gettext("Town hall")
    minutes = str(MINUTES)
    follow_up = gettext("Follow up on dinner %(number)s")
    update = gettext("Talked it through with the neighbours.")
    circles = Circle.objects.bulk_create(
        Circle(
            name=f"{GENERATED_PREFIX}{i + 1}",
            municipality=municipality % {"number": i % 350 + 1},
        )
        for i in indexes
    )
    _started(circles, now - datetime.timedelta(days=365 * years))
    users = User.objects.bulk_create(
        User(
            username=f"gen-{c.pk}-{m}",
            # An address each, as invited people have: the address index then holds every
            # member, as on a live site, and the planners choose their plans for that.
            email=f"gen-{c.pk}-{m}@example.org",
            name=member_name % {"member": m + 1, "circle": c.pk},
            password=password,
            preferred_language=settings.LANGUAGE_CODE,
        )
        for c in circles
        for m in range(members_per_circle)
    )
    Membership.objects.bulk_create(
        Membership(
            person=user,
            circle=circles[n // members_per_circle],
            sector=SECTORS[n % 3],
            is_coordinator=n % members_per_circle == 0,
            joined_on=(now - datetime.timedelta(days=365 * years)).date(),
        )
        for n, user in enumerate(users)
    )
    meetings, owners = [], []
    for c_index, circle in enumerate(circles):
        people = users[c_index * members_per_circle : (c_index + 1) * members_per_circle]
        for k in range(years * 5 + 2):
            starts = now - datetime.timedelta(days=73 * (years * 5 - k) + rng.randint(0, 20))
            meetings.append(
                Meeting(
                    circle=circle,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=2, minutes=30),
                    venue_name=venue,
                    venue_kind=VenueKind.TOWN_HALL,
                    # A member hosts one dinner in four.
                    host=people[k % members_per_circle] if k % 4 == 0 else None,
                    status=Meeting.Status.HELD if starts < now else Meeting.Status.PLANNED,
                    minutes=minutes if starts < now else "",
                )
            )
        owners.append(people)
    meetings = Meeting.objects.bulk_create(meetings)
    topics = list(Topic.objects.all())
    _insert_rows(
        AgendaItem,
        ("meeting", "topic", "order"),
        [
            (meeting.pk, topic.pk, order)
            for meeting in meetings
            for order, topic in enumerate(rng.sample(topics, min(3, len(topics))))
        ],
        title="",
        notes="",
    )
    responses, attendances, actions = [], [], []
    per_circle = years * 5 + 2
    for m_index, meeting in enumerate(meetings):
        people = owners[m_index // per_circle]
        for person in people:
            answer = rng.choice(("attending", "attending", "maybe", "not_attending"))
            responses.append((meeting.pk, person.pk, answer))
            if meeting.status == Meeting.Status.HELD and answer == "attending":
                attendances.append((meeting.pk, person.pk))
        if meeting.status == Meeting.Status.HELD:
            actions.append(
                Action(
                    circle=meeting.circle,
                    meeting=meeting,
                    title=follow_up % {"number": m_index % per_circle + 1},
                    due_date=(meeting.starts_at + datetime.timedelta(days=60)).date(),
                    status=rng.choice(("done", "done", "dropped", "open", "in_progress")),
                )
            )
    _insert_rows(
        Response,
        ("meeting", "person", "answer"),
        responses,
        dietary_needs="",
        note="",
        created_at=now,
        updated_at=now,
    )
    _insert_rows(Attendance, ("meeting", "person"), attendances)
    actions = Action.objects.bulk_create(actions)
    owner_of = {action: rng.choice(owners[circles.index(action.circle)]) for action in actions}
    through = Action.owners.through
    through.objects.bulk_create(
        through(action_id=action.pk, user_id=owner.pk) for action, owner in owner_of.items()
    )
    ActionUpdate.objects.bulk_create(
        ActionUpdate(
            action=action,
            author=owner,
            text=update,
            new_status=action.status,
            created_at=min(now, action.meeting.starts_at + datetime.timedelta(days=30)),
        )
        for action, owner in owner_of.items()
        if action.status != Action.Status.OPEN
    )
    _generate_polls(circles, owners, venue, now, rng)


def _insert_rows(model, fields, rows, **same):
    """Write `rows` (tuples of database values, ids for foreign keys) into `fields` of the
    model's table, each row with the `same` values (given as for the model). For the largest
    tables (1.5 million answers at national size): bulk_create makes and reads a model instance
    of every row, which took most of the build's time. PostgreSQL copies the rows in (COPY);
    SQLite runs one prepared INSERT for them all."""
    options = model._meta
    same_fields = [options.get_field(name) for name in same]
    same_values = tuple(f.get_db_prep_save(same[f.name], connection) for f in same_fields)
    columns = [options.get_field(name) for name in fields] + same_fields
    quote = connection.ops.quote_name
    into = "{} ({})".format(
        quote(options.db_table), ", ".join(quote(field.column) for field in columns)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {into} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + same_values)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Built of the model's own table and column names only.
            statement = f"INSERT INTO {into} VALUES ({marks})"  # noqa: S608  # nosec B608
            cursor.executemany(statement, [row + same_values for row in rows])


def _generate_polls(circles, owners, venue, now, rng):
    """An open date poll per circle, at `venue`: three candidate dates, answered by every member."""
    polls = Poll.objects.bulk_create(
        Poll(circle=circle, venue_name=venue, created_by=people[0])
        for circle, people in zip(circles, owners, strict=True)
    )
    options = PollOption.objects.bulk_create(
        PollOption(poll=poll, starts_at=now + datetime.timedelta(days=days))
        for poll in polls
        for days in POLL_DAYS_AHEAD
    )
    people_of = {poll.pk: people for poll, people in zip(polls, owners, strict=True)}
    PollAnswer.objects.bulk_create(
        PollAnswer(option=option, person=person, answer=rng.choice(PollAnswer.Answer.values))
        for option in options
        for person in people_of[option.poll_id]
    )
