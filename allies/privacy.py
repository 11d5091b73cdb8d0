"""A person's rights over their data: export it, erase it; and the retention rules.

- person_export: everything stored about one person, and nothing about anyone else.
- person_erase: anonymise a person everywhere while the circles' history (counts, minutes,
  actions) stays; their name, username, email and phone are scrubbed from every text column.
- name_mentions: where free text will still name them by a part of their name once erased.
- purge_expired: dietary needs some days after the dinner, contact details of people who left
  every circle long ago, sign-in records some days after the sign-in.
"""

import datetime
import re
from dataclasses import dataclass

import phonenumbers
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Max, Q, Value
from django.db.models.functions import Cast, Concat, Lower
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext

from actions.models import Action, ActionUpdate
from allies.models import User, new_feed_token
from allies.services import EMAIL_CHANGE_DAYS
from circles.models import Invitation, Membership
from circles.services import answers_withdraw
from meetings.models import AgendaItem, Meeting, Response, SentReminder
from polls.models import Poll, PollReminder

# Scrubbing a shorter string would mangle ordinary words in other people's text.
MIN_NEEDLE_LENGTH = 3
# Words that join a surname to the first name ("Jan van der Berg", "Ayşe ten Hove"): looked for
# alone, they would find nearly every Dutch text.
NAME_PARTICLES = frozenset({"van", "der", "den", "ter", "ten", "het", "von", "del", "dos", "das"})


# simple-history's history_type, and the admin log's action_flag, in words.
HISTORY_CHANGES = {"+": "created", "~": "changed", "-": "deleted"}
ADMIN_CHANGES = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def _circle_name(row) -> str | None:
    # A history row keeps pointing at a circle that has since been deleted.
    return row.circle.name if row.circle else None


def _meeting(meeting: Meeting | None) -> dict | None:
    if meeting is None:
        return None
    return {
        "circle": _circle_name(meeting),
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": meeting.starts_at,
        "venue": meeting.venue_name,
    }


def _poll(poll: Poll) -> dict:
    return {
        "circle": poll.circle.name,
        "title": poll.title,
        "kind": poll.kind,
        "venue": poll.venue_name,
    }


def _action(action: Action | None) -> dict | None:
    """An action, or one of its versions in the history."""
    if action is None:
        return None
    return {
        "circle": _circle_name(action),
        "title": action.title,
        "status": action.status,
        "due_date": action.due_date,
    }


def _action_in_full(action: Action) -> dict:
    return {
        **_action(action),
        "agreed_at": _meeting(action.meeting),
        "created_at": action.created_at,
        "completed_at": action.completed_at,
    }


def _membership_terms(membership) -> dict:
    """A membership's own values, of now or of a version in the history."""
    return {
        "sector": membership.sector,
        "is_coordinator": membership.is_coordinator,
        "joined_on": membership.joined_on,
        "left_on": membership.left_on,
        "committed_on": membership.committed_on,
        "commitment_until": membership.commitment_until,
        "commitment_agreed_to": membership.commitment_agreed_text,
    }


def _version(row, person: User) -> dict:
    """When a history row was written and how; whether by the person, but never by whom else."""
    return {
        "at": row.history_date,
        "change": HISTORY_CHANGES.get(row.history_type, row.history_type),
        "changed_by_me": row.history_user_id == person.pk,
    }


def _change(row, what: str, in_circle, meeting=None, action=None) -> dict:
    """A change the person made (a history row they wrote), told by what it was about."""
    return {
        "at": row.history_date,
        "change": HISTORY_CHANGES.get(row.history_type, row.history_type),
        "what": what,
        "circle": _circle_name(in_circle) if in_circle else None,
        "meeting": meeting,
        "action": action,
    }


def _in_order(rows) -> list:
    """History rows, oldest first. Sorted here, not by the database: asked for them in date
    order, SQLite may read a whole history table along its date index instead of looking up
    one person's few rows, when its statistics make the person's index look unselective (a
    column mostly NULL, as the host and history user can be)."""
    return sorted(rows, key=lambda row: (row.history_date, row.history_id))


def _history(person: User) -> dict:
    """The history rows about `person`: earlier versions of their memberships and answers, of
    the meetings they hosted and the actions they owned, and the changes they made to anything
    else. Those other rows are told by circle, meeting or action only: another member's
    membership or answer shows up as its circle or meeting, without its values."""
    # No ORDER BY in these queries: see _in_order.
    memberships = Membership.history.filter(person=person).order_by().select_related("circle")
    responses = Response.history.filter(person=person).order_by().select_related("meeting__circle")
    hosted = Meeting.history.filter(host=person).order_by().select_related("circle")
    owned = (
        apps.get_model("actions", "HistoricalAction_owners")
        .objects.filter(user=person)
        .order_by()
        .select_related("history__circle")
    )
    # Changes to their own memberships and answers are in those histories already.
    by_me = {"history_user": person}
    changes = [
        *(
            _change(m, "meeting", m, meeting=_meeting(m))
            for m in Meeting.history.filter(**by_me).order_by().select_related("circle")
        ),
        *(
            _change(m, "membership", m)
            for m in Membership.history.filter(**by_me)
            .exclude(person=person)
            .order_by()
            .select_related("circle")
        ),
        *(
            _change(r, "response", r.meeting, meeting=_meeting(r.meeting))
            for r in Response.history.filter(**by_me)
            .exclude(person=person)
            .order_by()
            .select_related("meeting__circle")
        ),
        *(
            _change(a, "action", a, action=_action(a))
            for a in Action.history.filter(**by_me).order_by().select_related("circle")
        ),
    ]
    return {
        "membership_history": [
            {
                **_version(m, person),
                "circle": _circle_name(m),
                **_membership_terms(m),
            }
            for m in _in_order(memberships)
        ],
        "response_history": [
            {
                **_version(r, person),
                "meeting": _meeting(r.meeting),
                "answer": r.answer,
                "note": r.note,
            }
            for r in _in_order(responses)
        ],
        "hosting_history": [
            {**_version(m, person), "meeting": _meeting(m)} for m in _in_order(hosted)
        ],
        "action_ownership_history": [
            {**_version(h, person), "action": _action(h)}
            for h in _in_order(o.history for o in owned)
        ],
        "changes_made": sorted(changes, key=lambda change: change["at"]),
    }


def _named(*names: str) -> Q:
    """django-axes' rows under any of `names`, in any case: sign-in takes a name in any case
    (PersonManager), and axes keeps a typed one in lower case (allies.security.client_username).
    As stored too, for a name that the database's LOWER() leaves alone (SQLite's, beyond
    ASCII)."""
    names = {name for name in names if name}
    return Q(username__in=names) | Q(In(Lower("username"), {name.lower() for name in names}))


def _sign_in_rows(person: User) -> tuple[models.QuerySet, models.QuerySet, models.QuerySet]:
    """The sign-ins to the person's account (axes logs them under the account's username),
    and the failed ones and the throttle's counts under their username or email address (a
    failed sign-in's username is whatever was typed, and people sign in with either)."""
    typed = _named(person.get_username(), person.email)
    return (
        AccessLog.objects.filter(_named(person.get_username())),
        AccessFailureLog.objects.filter(typed),
        AccessAttempt.objects.filter(typed),
    )


def _sign_in_records(person: User) -> dict:
    """Sign-ins to the person's account and the failed ones under their username or email
    (_sign_in_rows; person_erase removes the same rows). A failed one tells when, but not
    from which address or browser: anyone can type a username, and that address and browser
    may be theirs, not the person's."""
    sign_ins, failures, throttled = (
        rows.order_by("attempt_time") for rows in _sign_in_rows(person)
    )
    return {
        "sign_ins": [
            {
                "at": s.attempt_time,
                "signed_out_at": s.logout_time,
                "ip_address": s.ip_address,
                "browser": s.user_agent,
            }
            for s in sign_ins
        ],
        "failed_sign_ins": [{"at": f.attempt_time, "locked_out": f.locked_out} for f in failures],
        # The throttle's count of failures in a row (one count per address and browser, which
        # are left out), until the next sign-in or the end of the pause.
        "sign_in_throttle": [
            {"last_failure_at": a.attempt_time, "failures": a.failures_since_start}
            for a in throttled
        ],
    }


def _admin_log(person: User) -> dict:
    """The admin's log of what the person changed there, by kind of record only (the records
    may be other people), and of the changes made to their own account, but not by whom."""
    made = LogEntry.objects.filter(user=person).select_related("content_type")
    about = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)
    )
    return {
        "admin_changes_made": [
            {
                "at": e.action_time,
                "action": ADMIN_CHANGES.get(e.action_flag, e.action_flag),
                "record": e.content_type.model if e.content_type else None,
            }
            for e in made.order_by("action_time", "pk")
        ],
        "admin_changes_to_my_account": [
            {
                "at": e.action_time,
                "action": ADMIN_CHANGES.get(e.action_flag, e.action_flag),
                "change": e.get_change_message(),
            }
            for e in about.order_by("action_time", "pk")
        ],
    }


def person_export(person: User) -> dict:
    """What Allies stores about `person`, as JSON-ready data (dates as objects: serialise with
    DjangoJSONEncoder). Other people appear in it by no name, phone, email or dietary need:
    only circles, meetings, polls and actions do; nor does who else changed the person's rows.
    Secrets (password hash, calendar token, sessions) are left out.
    """
    memberships = person.memberships.select_related("circle").order_by("joined_on", "pk")
    responses = person.responses.select_related("meeting__circle").order_by("meeting__starts_at")
    attendances = person.attendances.select_related("meeting__circle").order_by(
        "meeting__starts_at"
    )
    hosted = person.hosted_meetings.select_related("circle").order_by("starts_at")
    actions = person.owned_actions.select_related("circle", "meeting__circle").order_by("pk")
    actions_created = (
        Action.objects.filter(created_by=person)
        .select_related("circle", "meeting__circle")
        .order_by("pk")
    )
    updates = person.action_updates.select_related("action").order_by("created_at")
    poll_answers = person.poll_answers.select_related("option__poll__circle").order_by(
        "option__starts_at", "pk"
    )
    polls_created = (
        Poll.objects.filter(created_by=person).select_related("circle").order_by("created_at", "pk")
    )
    reminders = (
        SentReminder.objects.filter(person=person)
        .select_related("meeting__circle", "action__circle", "membership__circle")
        .order_by("sent_at", "pk")
    )
    poll_reminders = (
        PollReminder.objects.filter(person=person)
        .select_related("poll__circle")
        .order_by("sent_at", "pk")
    )
    return {
        "profile": {
            "username": person.username,
            "name": person.name,
            "email": person.email,
            "phone": str(person.phone) if person.phone else "",
            "phone_shared_since": person.phone_shared_at,
            "organisation": person.organisation,
            "preferred_language": person.preferred_language,
            "dietary_needs": person.dietary_needs,
            "reminders_enabled": person.reminders_enabled,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
            "password_reset_email_sent_at": person.password_reset_sent_at,
            "email_confirmation_sent_at": person.email_change_sent_at,
            "new_email_waiting_for_confirmation": person.pending_email,
            "active": person.is_active,
            "staff": person.is_staff,
            "superuser": person.is_superuser,
            "groups": sorted(person.groups.values_list("name", flat=True)),
            "permissions": sorted(
                f"{p.content_type.app_label}.{p.codename}"
                for p in person.user_permissions.select_related("content_type")
            ),
        },
        "memberships": [
            {
                "circle": m.circle.name,
                "municipality": m.circle.municipality,
                **_membership_terms(m),
            }
            for m in memberships
        ],
        "responses": [
            {
                "meeting": _meeting(r.meeting),
                "answer": r.answer,
                "dietary_needs": r.dietary_needs,
                "note": r.note,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
            for r in responses
        ],
        "attendance": [{"meeting": _meeting(a.meeting)} for a in attendances],
        "meetings_hosted": [_meeting(m) for m in hosted],
        "actions_owned": [_action_in_full(a) for a in actions],
        "actions_created": [_action_in_full(a) for a in actions_created],
        "action_updates_written": [
            {
                "action": u.action.title,
                "date": u.created_at,
                "new_status": u.new_status,
                "previous_due_date": u.previous_due_date,
                "new_due_date": u.new_due_date,
                "title_corrected": u.title_corrected,
                "description_corrected": u.description_corrected,
                "text": u.text,
            }
            for u in updates
        ],
        "poll_answers": [
            {
                "poll": _poll(a.option.poll),
                "date": a.option.starts_at,
                "answer": a.answer,
                "updated_at": a.updated_at,
            }
            for a in poll_answers
        ],
        "invitations": [
            {
                "circle": i.circle.name,
                "sector": i.sector,
                "invited_at": i.created_at,
                "answered_at": i.answered_at,
                "accepted": i.accepted,
            }
            for i in Invitation.objects.filter(person=person)
            .select_related("circle")
            .order_by("created_at", "pk")
        ],
        "polls_created": [
            {**_poll(p), "created_at": p.created_at, "closed_at": p.closed_at}
            for p in polls_created
        ],
        "reminders_received": [
            {
                "kind": r.kind,
                "meeting": _meeting(r.meeting),
                "action": _action(r.action),
                # A commitment reminder's: the circle of the commitment that ran out.
                "circle": r.membership.circle.name if r.membership else None,
                "sent_at": r.sent_at,
            }
            for r in reminders
        ],
        "poll_reminders_received": [
            {"poll": _poll(r.poll), "sent_at": r.sent_at} for r in poll_reminders
        ],
        **_sign_in_records(person),
        **_history(person),
        **_admin_log(person),
    }


def identifying_strings(person: User) -> list[str]:
    """The strings that identify `person` in free text: name, username, email (and the new
    one waiting for confirmation), phone."""
    needles = [person.name, person.username, person.email, person.pending_email]
    if person.phone:
        number = person.phone
        needles.append(number.as_e164)
        if number.is_valid():
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            needles += [
                national,
                re.sub(r"\D", "", national),
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
            ]
    needles = {n.strip() for n in needles if n and len(n.strip()) >= MIN_NEEDLE_LENGTH}
    # Longest first, so that "Fatima El Amrani" goes before a username inside it.
    return sorted(needles, key=len, reverse=True)


def _text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.primary_key
    ]


def _whole_words(needles: list[str]) -> re.Pattern:
    """Any of the needles as a whole word (not inside another word), in any case; without
    needles, a pattern that finds nothing."""
    return re.compile(
        "|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in needles) or "(?!)",
        flags=re.IGNORECASE,
    )


def scrub_text(needles: list[str], replacement: str) -> int:
    """Replace each needle (whole words, any case) in every text column of every table,
    except the people table (other people's own details) and the sessions; the number of
    rows changed."""
    if not needles:
        return 0
    pattern = _whole_words(needles)
    changed = 0
    for model in apps.get_models(include_auto_created=True):
        if model in (User, Session) or model._meta.proxy or not model._meta.managed:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        has_needle = Q()
        for field in fields:
            for needle in needles:
                has_needle |= Q(**{f"{field.attname}__icontains": needle})
        manager = model._base_manager
        names = [f.attname for f in fields]
        for pk, *values in manager.filter(has_needle).values_list("pk", *names):
            new = {
                name: pattern.sub(replacement, str(value))
                for name, value in zip(names, values, strict=True)
                if value and pattern.search(str(value))
            }
            if new:
                # update(), not save(): no new history rows, no "updated" timestamps.
                manager.filter(pk=pk).update(**new)
                changed += 1
    return changed


def former_member() -> str:
    """What an erased person's name and details are replaced with, in the active language."""
    return gettext("former member")


def name_parts(name: str) -> list[str]:
    """The words of a name that free text may name someone by alone: their first name, their
    surname; not a part shorter than MIN_NEEDLE_LENGTH, nor a particle ("van", "der")."""
    parts = []
    for word in re.findall(r"\w+", name):
        known = {part.lower() for part in parts}
        if len(word) >= MIN_NEEDLE_LENGTH and word.lower() not in NAME_PARTICLES | known:
            parts.append(word)
    return parts


def _free_texts(person: User) -> list[tuple[models.QuerySet, list[str]]]:
    """The records of the person's circles (any they were ever in) in which members write about
    each other, with their text fields: what an admin checks by hand after an erasure. Not
    other circles': there a first name is most likely someone else's. Not the person's own
    answer notes, which the erasure empties. Each queryset loads what the record's name needs."""
    circles = person.memberships.values("circle")
    venue = ["venue_name", "venue_address"]  # "at Fatima's place"
    return [
        (
            Meeting.objects.filter(circle__in=circles).select_related("circle"),
            ["title", "minutes", "cancel_reason", *venue],
        ),
        (
            AgendaItem.objects.filter(meeting__circle__in=circles).select_related("topic"),
            ["title", "notes"],
        ),
        (
            Response.objects.filter(meeting__circle__in=circles)
            .exclude(person=person)
            .select_related("person"),
            ["note"],
        ),
        (Poll.objects.filter(circle__in=circles), ["title", *venue]),
        (Action.objects.filter(circle__in=circles), ["title", "description"]),
        (
            ActionUpdate.objects.filter(action__circle__in=circles).select_related("action"),
            ["text"],
        ),
    ]


@dataclass(frozen=True)
class NameMentions:
    """The records of the person's circles whose free text names them by a part of their name
    (_free_texts), each with its name (__str__) as it reads once the person is erased; and the
    parts found, as the name spells them."""

    parts: list[str]
    records: list[tuple[models.Model, str]]


def name_mentions(person: User) -> NameMentions:
    """Where free text will still name `person` once person_erase has replaced their full
    name, username, email and phone: "Ahmed knows the shopkeepers." keeps "Ahmed". Each part
    of their name (name_parts) is looked for as a whole word, in any case, in the text of
    their circles' records (_free_texts) as the erasure will leave it. Call it before
    erasing, while the name is known. One query per kind of record, however many there are."""
    parts = name_parts(person.name)
    if not parts:
        return NameMentions(parts=[], records=[])
    erased = _whole_words(identifying_strings(person))
    wanted = _whole_words(parts)
    label = former_member()
    records, found = [], set()
    for queryset, fields in _free_texts(person):
        # The database narrows the rows down (LIKE cannot tell a whole word on both SQLite
        # and PostgreSQL; on SQLite it ignores the case of ASCII letters only, so "ÇELIK" is
        # missed where "Çelik" is looked for); the pattern then decides.
        has_part = Q()
        for field in fields:
            for part in parts:
                has_part |= Q(**{f"{field}__icontains": part})
        for record in queryset.filter(has_part):
            left = " ".join(erased.sub(" ", getattr(record, field)) for field in fields)
            words = {match.group().lower() for match in wanted.finditer(left)}
            if words:
                records.append((record, erased.sub(label, str(record))))
                found |= words
    return NameMentions(parts=[p for p in parts if p.lower() in found], records=records)


def _delete_sessions(person: User):
    key = str(person.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == key:
            session.delete()


@transaction.atomic
def person_erase(*, person: User) -> User:
    """Anonymise `person` everywhere. Their memberships end, withdrawing their answers to the
    meetings ahead and to the open date polls, as leaving does, and their other rows stay (the
    circle's counts, minutes and actions keep their meaning; so does the commitment text they
    agreed to, which is the circle's words, not theirs), but their name, username, email and
    phone are replaced in every text column, their own notes and dietary needs are emptied,
    their sign-in records and sessions removed, and the account can no longer sign in."""
    label = former_member()
    needles = identifying_strings(person)

    for membership in person.memberships.active():
        membership.end()
    # Open invitations would ask the former member to join; answered ones tell the history.
    person.invitations.filter(answered_at__isnull=True).delete()
    # As leaving does: a former member no longer comes, nor counts in the polls still open.
    answers_withdraw(person=person)
    person.responses.update(dietary_needs="", note="")
    Response.history.filter(person_id=person.pk).update(note="")
    # Before scrub_text, which would rename them "former member" and leave them unfound.
    for rows in _sign_in_rows(person):
        rows.delete()
    scrub_text(needles, label)
    _delete_sessions(person)

    person.username = f"erased-{person.pk}"
    person.name = label
    person.first_name = person.last_name = ""
    person.email = person.pending_email = person.organisation = person.dietary_needs = ""
    person.phone = ""
    person.phone_shared_at = None
    person.reminders_enabled = False
    person.is_active = person.is_staff = person.is_superuser = False
    person.last_login = person.password_reset_sent_at = person.email_change_sent_at = None
    person.feed_token = new_feed_token()
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    return person


def purge_expired(
    *,
    now: datetime.datetime | None = None,
    dietary_days: int | None = None,
    contact_days: int | None = None,
    sign_in_days: int | None = None,
) -> dict[str, int]:
    """Remove what is no longer needed; safe to run daily. Returns what it removed:

    - dietary needs in the answers to dinners that ended more than `dietary_days` ago
      (the counts stay);
    - phone number, phone-sharing consent, email (and a new one waiting for confirmation), a
      username that is an email address (it becomes "former-<id>"), the address their answered
      invitations were sent to, and dietary needs of people who left every circle they were in
      more than `contact_days` ago (staff accounts are kept as they are);
    - a new email address waiting for confirmation whose link has expired: it waits for
      nothing any more, and may be a stranger's, mistyped;
    - django-axes' records of sign-ins (with their address and browser) that began and ended
      more than `sign_in_days` ago, of failed ones, and its counts of failures in a row, but
      not one that still pauses signing in.
    """
    now = now or timezone.now()
    if dietary_days is None:
        dietary_days = settings.DIETARY_NEEDS_RETENTION_DAYS
    if contact_days is None:
        contact_days = settings.CONTACT_DETAILS_RETENTION_DAYS
    if sign_in_days is None:
        sign_in_days = settings.SIGN_IN_RETENTION_DAYS

    dinner_cutoff = now - datetime.timedelta(days=dietary_days)
    dietary = (
        Response.objects.filter(meeting__ends_at__lt=dinner_cutoff)
        .exclude(dietary_needs="")
        .update(dietary_needs="")
    )

    left_cutoff = timezone.localdate(now) - datetime.timedelta(days=contact_days)
    left = (
        User.objects.filter(is_staff=False, memberships__isnull=False)
        .exclude(memberships__left_on__isnull=True)
        .values("pk")
        .annotate(last_left=Max("memberships__left_on"))
        .filter(last_left__lt=left_cutoff)
    )
    # An invited person's username is their email address (circles.services._free_username);
    # any username with an "@" in it goes, an address as it was typed or made unique.
    email_username = Q(username__contains="@")
    former = left.filter(
        ~Q(phone="")
        | ~Q(email="")
        | ~Q(pending_email="")
        | Q(phone_shared_at__isnull=False)
        | ~Q(dietary_needs="")
        | email_username
    )
    people = User.objects.filter(pk__in=list(former.values_list("pk", flat=True)))
    people.filter(email_username).update(
        username=Concat(Value("former-"), Cast("pk", output_field=models.CharField()))
    )
    contacts = people.update(
        phone="", phone_shared_at=None, email="", pending_email="", dietary_needs=""
    )
    # The address a coordinator typed to invite them; an invitation still waiting for an
    # answer keeps it, shown on the invite page until then.
    answered = Invitation.objects.filter(answered_at__isnull=False).exclude(email="")
    answered.filter(person__in=left.values("pk")).update(email="")
    link_cutoff = now - datetime.timedelta(days=EMAIL_CHANGE_DAYS)
    email_changes = (
        User.objects.exclude(pending_email="")
        .filter(email_change_sent_at__lte=link_cutoff)
        .update(pending_email="")
    )
    sign_in_cutoff = now - datetime.timedelta(days=sign_in_days)
    # However few days are asked for, a pause still running stays: deleting its count of
    # failures would lift it.
    pause_cutoff = min(sign_in_cutoff, now - settings.AXES_COOLOFF_TIME)
    sign_ins = 0
    for rows in (
        AccessLog.objects.filter(attempt_time__lt=sign_in_cutoff).exclude(
            logout_time__gte=sign_in_cutoff
        ),
        AccessFailureLog.objects.filter(attempt_time__lt=sign_in_cutoff),
        AccessAttempt.objects.filter(attempt_time__lt=pause_cutoff),
    ):
        # By model: an AccessAttempt's expiration, if any, is deleted with it.
        sign_ins += rows.delete()[1].get(rows.model._meta.label, 0)
    return {
        "dietary_needs": dietary,
        "contact_details": contacts,
        "email_changes": email_changes,
        "sign_ins": sign_ins,
    }
