"""Emails about meetings: the invitation, an update, a cancellation, each with its .ics; the
year's dinners in one invitation, the meetings ahead to a new member, and their cancellation
to one who left; what was said and agreed, once a meeting is recorded.

Call the public functions from the service that changes the meeting, inside its transaction:
the mail goes out once the change is committed (a rolled-back change sends nothing), and a
mail server that fails is logged without undoing the change. Each member gets their own
message, in their own language: no shared To: list shows who else is in the circle.
"""

import datetime
import logging
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEText
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import (
    gettext,
    gettext_lazy,
    ngettext,
    ngettext_lazy,
    npgettext,
    npgettext_lazy,
    pgettext_lazy,
)

from actions.carried import carried_to
from allies.models import User
from circles.models import Membership
from meetings import calendar
from meetings.models import Meeting, Response

logger = logging.getLogger(__name__)

PROFILE_PATH = "/accounts/profile/"


@dataclass(frozen=True)
class MeetingMail:
    template: str
    subject: str
    method: str
    # Whether each message says what the reader's answer to the meeting is, and how to change
    # it: the answers were carried over from a date poll (see PICKED).
    tells_answer: bool = False


SCHEDULED = MeetingMail(
    "emails/meeting_invitation",
    pgettext_lazy("email subject", "Invitation: %(summary)s, %(date)s"),
    "REQUEST",
)
# The invitation to a meeting whose date was picked in a date poll: the members who answered
# the poll for that date have that answer to the meeting already (polls.services.poll_pick).
PICKED = MeetingMail(SCHEDULED.template, SCHEDULED.subject, SCHEDULED.method, tells_answer=True)
CHANGED = MeetingMail(
    "emails/meeting_changed",
    pgettext_lazy("email subject", "Changed: %(summary)s, %(date)s"),
    "REQUEST",
)
CANCELLED = MeetingMail(
    "emails/meeting_cancelled",
    # The summary of a cancelled meeting already starts with "Cancelled:".
    pgettext_lazy("email subject", "%(summary)s, %(date)s"),
    "CANCEL",
)


def notify_scheduled(meeting: Meeting, *, from_poll: bool = False) -> None:
    """Invite the circle's members to a new meeting, once the transaction commits. `from_poll`:
    its date was picked in a date poll, whose answers are the members' answers to it by then;
    each invitation says what the reader's is (CARRIED_ANSWERS) and how to change it."""
    _after_commit(PICKED if from_poll else SCHEDULED, meeting)


# What a member's answer for the picked date in a date poll made of their answer to the
# meeting, by that answer, above the link to change it.
CARRIED_ANSWERS = {
    Response.Answer.ATTENDING: gettext_lazy(
        "You said yes to this date in the poll, so you are down as coming."
    ),
    Response.Answer.MAYBE: gettext_lazy(
        "You said “if need be” to this date in the poll, so you are down as maybe."
    ),
    Response.Answer.NOT_ATTENDING: gettext_lazy(
        "You said no to this date in the poll, so you are down as not coming."
    ),
}


def notify_planned(meetings: list[Meeting]) -> None:
    """Invite the circle's members to the dinners of a year plan, once the transaction commits:
    one message each, not one per dinner (five at the same moment would bury each other), with
    a calendar file per dinner. A plan of one dinner is an ordinary invitation."""
    if len(meetings) == 1:
        notify_scheduled(meetings[0])
    elif meetings:
        ids = [meeting.pk for meeting in meetings]
        transaction.on_commit(lambda: send_plan_mail(ids), robust=True)


class HostChange(NamedTuple):
    """The host changed in the same edit as the time or the venue, by id: who hosted before
    (None: nobody) and who made the change (None: not known)."""

    previous_host_id: int | None
    by_id: int | None


def notify_changed(
    meeting: Meeting, *, host_changed: bool = False, previous_host_id: int | None = None, by=None
) -> None:
    """Tell the members that the meeting's time or venue changed (call it only then). When its
    host changed in the same edit, the new and the previous host read that at the top of this
    email, and who made the change (see notify_host_changed), rather than in a second email
    that would repeat the details without the new time."""
    change = HostChange(previous_host_id, by.pk if by is not None else None)
    _after_commit(CHANGED, meeting, change if host_changed else None)


def notify_cancelled(meeting: Meeting) -> None:
    """Tell the members that the meeting is cancelled; their calendars drop it."""
    _after_commit(CANCELLED, meeting)


# Told to the new host and the previous one when only the host changed: no calendar change,
# so no .ics; when the time or the venue changed too, the update to everyone tells them, with
# its .ics, under a subject that says both (notify_changed).
HOSTING = pgettext_lazy("email subject", "You are now the host: %(summary)s, %(date)s")
NOT_HOSTING = pgettext_lazy("email subject", "You are no longer the host: %(summary)s, %(date)s")
CHANGED_HOSTING = pgettext_lazy(
    "email subject", "Changed, and you are now the host: %(summary)s, %(date)s"
)
CHANGED_NOT_HOSTING = pgettext_lazy(
    "email subject", "Changed, and you are no longer the host: %(summary)s, %(date)s"
)

# The line above the meeting's details for the new host (hosting) or the previous one, by
# (hosting, whether we know who made the change, whether the time or the venue changed too).
HOST_INTROS = {
    (True, False, False): gettext_lazy("You are now the host of this meeting of %(circle)s:"),
    (False, False, False): gettext_lazy(
        "You are no longer the host of this meeting of %(circle)s:"
    ),
    (True, True, False): gettext_lazy(
        "%(name)s has made you the host of this meeting of %(circle)s:"
    ),
    (False, True, False): gettext_lazy(
        "%(name)s has made someone else the host of this meeting of %(circle)s:"
    ),
    (True, False, True): gettext_lazy(
        "You are now the host of this meeting of %(circle)s, and it has changed. This is the "
        "new time and place:"
    ),
    (False, False, True): gettext_lazy(
        "You are no longer the host of this meeting of %(circle)s, and it has changed. This is "
        "the new time and place:"
    ),
    (True, True, True): gettext_lazy(
        "%(name)s has made you the host of this meeting of %(circle)s and changed it. This is "
        "the new time and place:"
    ),
    (False, True, True): gettext_lazy(
        "%(name)s has made someone else the host of this meeting of %(circle)s and changed it. "
        "This is the new time and place:"
    ),
}
# For the previous host, by name, when nobody hosts the meeting now (the host was cleared):
# "made someone else the host" would be untrue. By whether the time or the venue changed too.
HOST_CLEARED_INTROS = {
    False: gettext_lazy(
        "%(name)s has taken you off as host of this meeting of %(circle)s; nobody hosts it yet:"
    ),
    True: gettext_lazy(
        "%(name)s has taken you off as host of this meeting of %(circle)s, which nobody hosts "
        "yet, and changed it. This is the new time and place:"
    ),
}


def notify_host_changed(meeting: Meeting, previous_host_id: int | None, by=None) -> None:
    """Tell the meeting's new host, and the previous one, once the transaction commits; not
    `by`, who made the change (a coordinator who takes on the dinner knows), but the others
    learn who did."""
    by_id = by.pk if by is not None else None
    transaction.on_commit(lambda: send_host_mail(meeting.pk, previous_host_id, by_id), robust=True)


def send_host_mail(meeting_id: int, previous_host_id: int | None, by_id: int | None = None) -> int:
    """One message to each of the two hosts who is still an active member and did not make the
    change; returns how many went out."""
    meeting = calendar.with_agenda(Meeting.objects).filter(pk=meeting_id).first()
    if meeting is None or meeting.is_cancelled:
        return 0
    hosts = recipients(meeting.circle).filter(pk__in=[meeting.host_id, previous_host_id])
    by = _person(by_id)
    return send_each([host_message(meeting, person, by) for person in hosts if person != by])


def host_message(meeting: Meeting, person, by=None) -> EmailMultiAlternatives:
    hosting = person.pk == meeting.host_id
    with translation.override(person.preferred_language):
        subject = HOSTING if hosting else NOT_HOSTING
        intro = _host_intro(meeting, hosting, by)
        return _about(meeting, person, subject, "emails/meeting_host", intro=intro)


def _host_intro(meeting: Meeting, hosting: bool, by, changed: bool = False) -> str:
    """The line above the meeting's details: what changed for the reader, and who changed it."""
    if not hosting and by is not None and meeting.host_id is None:
        intro = HOST_CLEARED_INTROS[changed]
    else:
        intro = HOST_INTROS[hosting, by is not None, changed]
    return intro % {"circle": meeting.circle.name, "name": by}


def _person(pk: int | None):
    return User.objects.filter(pk=pk).first() if pk is not None else None


# After a meeting is recorded: what was said and agreed, by whether minutes were written, for a
# reader who owns none of the actions (the others read how many are theirs: _recorded_subject).
RECORDED_SUBJECTS = {
    True: pgettext_lazy("email subject", "Minutes: %(summary)s, %(date)s"),
    False: pgettext_lazy("email subject", "Actions agreed: %(summary)s, %(date)s"),
}
RECORDED_INTRO = gettext_lazy(
    "%(name)s has written down what was said and agreed at this meeting of %(circle)s:"
)


def notify_recorded(meeting: Meeting, *, by) -> None:
    """Tell the members what was said and agreed at the meeting, once the transaction commits:
    the minutes, the actions with their owners, and which of them are the reader's. Not `by`,
    who recorded it, as with the other news of a change someone made (the host, the
    commitment)."""
    transaction.on_commit(lambda: send_record_mail(meeting.pk, by), robust=True)


def notify_actions_added(meeting: Meeting, actions, *, by) -> None:
    """Tell the owners of actions added to a meeting recorded before (not `by`) of theirs, once
    the transaction commits; the others were told of the record already."""
    added = [action.pk for action in actions]
    transaction.on_commit(lambda: send_record_mail(meeting.pk, by, added), robust=True)


def send_record_mail(meeting_id: int, by, added_ids: list[int] | None = None) -> int:
    """The meeting's record to each member but `by`; with `added_ids`, only those actions, to
    their owners. Returns how many messages went out."""
    meeting = calendar.with_agenda(Meeting.objects).filter(pk=meeting_id).first()
    if meeting is None or meeting.status != Meeting.Status.HELD:
        return 0
    actions = meeting.actions.with_owners().order_by("pk")  # as agreed
    people = recipients(meeting.circle).exclude(pk=by.pk)
    added = added_ids is not None
    if added:
        actions = actions.filter(pk__in=added_ids)
    actions = list(actions)
    if added:
        people = people.filter(pk__in={owner.pk for a in actions for owner in a.owners.all()})
    return send_each([record_message(meeting, p, actions, by=by, added=added) for p in people])


def record_message(meeting: Meeting, person, actions, *, by, added=False) -> EmailMultiAlternatives:
    """The record to one person: the minutes, the actions and which are theirs, with links; with
    `added`, only the actions (theirs among them) added to a record they were told of before."""
    mine = [a for a in actions if any(owner.pk == person.pk for owner in a.owners.all())]
    minutes = "" if added else meeting.minutes
    names = {"name": by, "circle": meeting.circle.name, "count": len(mine)}
    with translation.override(person.preferred_language):
        if added:
            intro = ngettext(
                "%(name)s has added an action for you to the record of this meeting of %(circle)s:",
                "%(name)s has added %(count)d actions for you to the record of this meeting of "
                "%(circle)s:",
                len(mine),
            )
        else:
            intro = RECORDED_INTRO
        return _about(
            meeting,
            person,
            _recorded_subject(bool(minutes), len(mine)),
            "emails/meeting_recorded",
            params={"count": len(mine)},
            intro=intro % names,
            minutes=minutes,
            actions=[] if added else _rows(actions),
            mine=_rows(mine),
        )


def _rows(actions) -> list[dict]:
    return [{"action": action, "url": calendar.action_url(action)} for action in actions]


def _recorded_subject(minutes: bool, mine: int) -> str:
    """The subject of the record for a reader who owns `mine` of its actions (in the active
    language), with %(summary)s, %(date)s and %(count)s to fill in."""
    if not mine:
        return RECORDED_SUBJECTS[minutes]
    if minutes:
        return npgettext(
            "email subject",
            "Minutes and %(count)d action for you: %(summary)s, %(date)s",
            "Minutes and %(count)d actions for you: %(summary)s, %(date)s",
            mine,
        )
    return npgettext(
        "email subject",
        "%(count)d action for you: %(summary)s, %(date)s",
        "%(count)d actions for you: %(summary)s, %(date)s",
        mine,
    )


def _after_commit(mail: MeetingMail, meeting: Meeting, host_change: HostChange | None = None):
    # robust: a mail server that fails is logged; it must not turn the saved change into an error.
    transaction.on_commit(lambda: send_meeting_mail(mail, meeting.pk, host_change), robust=True)


def send_meeting_mail(
    mail: MeetingMail, meeting_id: int, host_change: HostChange | None = None
) -> int:
    """Send one message per recipient; returns how many went out. With a host change, the new
    and the previous host (unless they made it) are told in theirs."""
    meeting = calendar.with_agenda(Meeting.objects).filter(pk=meeting_id).first()
    if meeting is None or (meeting.is_cancelled and mail is not CANCELLED):
        return 0  # gone, or cancelled since: the cancellation says all that is still true
    by = _person(host_change.by_id) if host_change is not None else None
    # Each member's answer, for their calendar file (and PICKED's text): one query for all.
    answers = dict(meeting.responses.values_list("person_id", "answer"))
    messages = [
        meeting_message(
            mail,
            meeting,
            person,
            _hosting(meeting, person, host_change, by),
            by,
            answer=answers.get(person.pk),
        )
        for person in recipients(meeting.circle)
    ]
    return send_each(messages)


def _hosting(meeting: Meeting, person, host_change: HostChange | None, by) -> bool | None:
    """Whether the person is the new host (True) or the previous one (False) after a host
    change; None for everyone else, and for whoever made the change: they know."""
    if host_change is None or person == by:
        return None
    if person.pk == meeting.host_id:
        return True
    if person.pk == host_change.previous_host_id:
        return False
    return None


def send_plan_mail(meeting_ids: list[int]) -> int:
    """Send each member the planned dinners that are still on; returns how many went out."""
    meetings = list(
        calendar.with_agenda(Meeting.objects)
        .filter(pk__in=meeting_ids)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
    )
    if not meetings:
        return 0
    return send_each([plan_message(meetings, person) for person in recipients(meetings[0].circle)])


def plan_message(meetings: list[Meeting], person) -> EmailMultiAlternatives:
    """The dinners of a year plan in one message to the person, in their language, with an
    invitation (.ics) for each."""
    params = {
        "count": len(meetings),
        "circle": meetings[0].circle.name,
        "year": str(timezone.localtime(meetings[0].starts_at).year),
    }
    with translation.override(person.preferred_language):
        subject = npgettext(
            "email subject",
            "Invitation: %(count)d dinner of %(circle)s in %(year)s",
            "Invitation: %(count)d dinners of %(circle)s in %(year)s",
            len(meetings),
        )
        intro = ngettext(
            "You are invited to the new dinner of %(circle)s in %(year)s:",
            "You are invited to the %(count)d new dinners of %(circle)s in %(year)s:",
            len(meetings),
        )
        note = gettext(
            "Open the attached calendar files to add the dinners to your calendar, one file for "
            "each dinner."
        )
        return invitations_message(meetings, person, subject % params, intro % params, note)


def notify_joined(membership) -> None:
    """Invite a new member to each meeting of their circle that is ahead, once the transaction
    commits: the members who were in already were invited to each as it was planned, and a
    newcomer to a circle whose year is planned would otherwise hear of no dinner before its
    reminder. Nothing without a meeting ahead."""
    transaction.on_commit(lambda: send_joined_mail(membership.pk), robust=True)


def send_joined_mail(membership_id: int) -> int:
    """The meetings ahead that were planned before the membership began, in one message to the
    member if they still are one and can be emailed; returns how many messages went out (0 or
    1). Those planned since reached them as they were planned: a person invited by email is a
    member from the invitation on, though the message waits for their first password."""
    joined = _joined(membership_id)
    if joined is None:
        return 0
    person, ahead = joined
    meetings = list(calendar.with_agenda(ahead))
    if not meetings:
        return 0
    # A member who left and came back may have answered some of them before.
    answers = dict(
        person.responses.filter(meeting__in=meetings).values_list("meeting_id", "answer")
    )
    return send_each([joined_message(meetings, person, answers)])


def joined_mail_due(membership_id: int) -> bool:
    """Whether send_joined_mail, run now, would email the member: for saying so before the
    transaction that began the membership commits."""
    joined = _joined(membership_id)
    return joined is not None and joined[1].exists()


def _joined(membership_id: int) -> tuple[User, QuerySet[Meeting]] | None:
    """The member of an active membership, if they can be emailed, and the meetings ahead of
    its circle that were planned before it began, by start; None for anyone else."""
    membership = (
        Membership.objects.active().select_related("circle").filter(pk=membership_id).first()
    )
    if membership is None:
        return None
    person = recipients(membership.circle).filter(pk=membership.person_id).first()
    if person is None:
        return None
    ahead = _ahead(membership.circle.meetings).order_by("starts_at")
    if began := _began_at(membership):  # a membership saved without its history has none
        ahead = ahead.filter(created_at__lt=began)
    return person, ahead


def _began_at(membership: Membership) -> datetime.datetime | None:
    """When the membership began, by its history: its first record, or for one that was
    ended and then re-opened (its left_on cleared, in admin) the record that re-opened it, so
    that the meetings planned while they were away reach them too (they had none of them).
    None for a membership saved without its history."""
    records = membership.history.order_by("history_date", "history_id")
    began, was_active = None, False
    for moment, left_on in records.values_list("history_date", "left_on"):
        if left_on is None and not was_active:
            began = moment
        was_active = left_on is None
    return began


def _ahead(meetings):
    """The meetings that are still to come and on: members are invited to these."""
    return meetings.filter(starts_at__gt=timezone.now()).filter(
        status__in=[Meeting.Status.PLANNED, Meeting.Status.CONFIRMED]
    )


def invited_ahead(membership):
    """The meetings of the membership's circle ahead to which its person was invited as a member,
    which their calendar may hold: those planned since the membership began (each invitation
    went to the members of the moment), and those planned before it too once the person has a
    password, since they are invited to those as they choose it (membership_take_up) or as an
    admin adds them with one (memberships_begun): send_joined_mail. One invited by email who
    never chose a password was not."""
    ahead = _ahead(membership.circle.meetings)
    if not membership.person.has_usable_password() and (began := _began_at(membership)):
        ahead = ahead.filter(created_at__gte=began)
    return ahead


def notify_left(
    membership, *, meeting_ids: list[int], withdrawn: int, poll_answers: int, by=None
) -> None:
    """Tell the person whose membership ended that they are no longer in the circle, once the
    transaction commits, with a calendar cancellation for each of `meeting_ids` (invited_ahead,
    their sequence raised: circles.services.membership_end), and whether their answers to
    meetings ahead (`withdrawn`: how many) and to open date polls (`poll_answers`: how many)
    were withdrawn. `by` ended it: named to them, unless it is themselves."""
    by_id = by.pk if by is not None else None
    transaction.on_commit(
        lambda: send_left_mail(
            membership.pk,
            meeting_ids=meeting_ids,
            withdrawn=withdrawn,
            poll_answers=poll_answers,
            by_id=by_id,
        ),
        robust=True,
    )


def send_left_mail(
    membership_id: int,
    *,
    meeting_ids: list[int],
    withdrawn: int,
    poll_answers: int,
    by_id: int | None = None,
) -> int:
    """One message to the person of the ended membership, if they can be emailed (notify_left
    says what the arguments are); returns how many went out (0 or 1)."""
    membership = (
        Membership.objects.filter(pk=membership_id, left_on__isnull=False)
        .select_related("circle", "person")
        .first()
    )
    if membership is None:
        return 0
    person = membership.person
    if not person.is_active or not person.email:
        return 0
    # What the cancellations read (their agenda): loaded once for all, not per meeting.
    meetings = calendar.with_agenda(Meeting.objects.filter(pk__in=meeting_ids))
    message = left_message(
        membership.circle,
        person,
        list(meetings.order_by("starts_at")),
        withdrawn=withdrawn,
        poll_answers=poll_answers,
        by=_person(by_id),
    )
    return send_each([message])


LEFT_SUBJECT = pgettext_lazy("email subject", "You are no longer in %(circle)s")
# By who ended the membership: nobody known, the person themselves, or someone else.
LEFT_INTROS = {
    None: gettext_lazy("Your membership of %(circle)s (%(municipality)s) has ended."),
    True: gettext_lazy("You have left %(circle)s (%(municipality)s)."),
    False: gettext_lazy("%(name)s has ended your membership of %(circle)s (%(municipality)s)."),
}
# Above the meetings ahead that leaving takes out of their calendar, by whether all are dinners.
LEFT_MEETINGS = {
    True: ngettext_lazy(
        "You are no longer invited to its next dinner:",
        "You are no longer invited to its next %(count)d dinners:",
        "count",
    ),
    False: ngettext_lazy(
        "You are no longer invited to its next meeting:",
        "You are no longer invited to its next %(count)d meetings:",
        "count",
    ),
}
# After the intro: which answers were withdrawn, by whether any to meetings ahead (by how
# many) and any to open date polls were; only the history when none were.
LEFT_ANSWERS = {
    (True, False): ngettext_lazy(
        "Your answer to its meeting ahead has been withdrawn; what you did in the circle stays "
        "in its history.",
        "Your answers to its meetings ahead have been withdrawn; what you did in the circle "
        "stays in its history.",
        "withdrawn",
    ),
    (False, True): gettext_lazy(
        "Your answers to its open date polls have been withdrawn; what you did in the circle "
        "stays in its history."
    ),
    (True, True): ngettext_lazy(
        "Your answers to its meeting ahead and to its open date polls have been withdrawn; "
        "what you did in the circle stays in its history.",
        "Your answers to its meetings ahead and to its open date polls have been withdrawn; "
        "what you did in the circle stays in its history.",
        "withdrawn",
    ),
    (False, False): gettext_lazy("What you did in the circle stays in its history."),
}
LEFT_NOTE = ngettext_lazy(
    "Open the attached calendar file to remove it from your calendar.",
    "Open the attached calendar files to remove them from your calendar, one file each.",
    "count",
)


def left_message(
    circle, person, meetings: list[Meeting], *, withdrawn: int, poll_answers: int, by=None
) -> EmailMultiAlternatives:
    """The message to a person who is no longer in the circle, in their language: who ended it
    (`by`), whether answers of theirs to meetings ahead (`withdrawn`: how many) and to open date
    polls (`poll_answers`) were withdrawn, and the meetings ahead they were invited to, with a
    cancellation (.ics) for each: an iTIP CANCEL holds one UID, so one attachment per meeting."""
    params = {
        "circle": circle.name,
        "municipality": circle.municipality,
        "name": by,
        "count": len(meetings),
        "withdrawn": withdrawn,
    }
    themselves = None if by is None else by.pk == person.pk
    dinners = not any(meeting.is_extra for meeting in meetings)
    with translation.override(person.preferred_language):
        ctx = {
            "circle": circle.name,
            "intro": LEFT_INTROS[themselves] % params,
            "answers": LEFT_ANSWERS[bool(withdrawn), bool(poll_answers)] % params,
            "meetings_intro": LEFT_MEETINGS[dinners] % params,
            "note": LEFT_NOTE % params,
            "meetings": [
                {
                    "meeting": meeting,
                    "summary": calendar.meeting_summary(meeting),
                    "location": calendar.meeting_location(meeting),
                }
                for meeting in meetings
            ],
        }
        message = compose(person, LEFT_SUBJECT % params, "emails/membership_ended", ctx)
        for meeting in meetings:
            ics = calendar.withdrawal(meeting, recipient=person, sender=sender())
            day = timezone.localtime(meeting.starts_at).date()
            message.attach(ics_part(ics, "CANCEL", filename=f"cancel-{day}.ics"))
    return message


# The message to a new member (joined_message), by whether the meetings ahead are all dinners.
JOINED_SUBJECTS = {
    True: npgettext_lazy(
        "email subject",
        "Invitation: the next dinner of %(circle)s",
        "Invitation: the next %(count)d dinners of %(circle)s",
        "count",
    ),
    False: npgettext_lazy(
        "email subject",
        "Invitation: the next meeting of %(circle)s",
        "Invitation: the next %(count)d meetings of %(circle)s",
        "count",
    ),
}
JOINED_INTROS = {
    True: ngettext_lazy(
        "Welcome to %(circle)s. You are invited to its next dinner:",
        "Welcome to %(circle)s. You are invited to its next %(count)d dinners:",
        "count",
    ),
    False: ngettext_lazy(
        "Welcome to %(circle)s. You are invited to its next meeting:",
        "Welcome to %(circle)s. You are invited to its next %(count)d meetings:",
        "count",
    ),
}
JOINED_NOTE = ngettext_lazy(
    "Open the attached calendar file to add it to your calendar.",
    "Open the attached calendar files to add them to your calendar, one file each.",
    "count",
)


def joined_message(meetings: list[Meeting], person, answers: dict) -> EmailMultiAlternatives:
    """The meetings ahead of the circle the person joined, in one message in their language,
    with an invitation (.ics) for each that shows their answer, if they gave one (`answers`, by
    meeting id)."""
    dinners = not any(meeting.is_extra for meeting in meetings)
    params = {"count": len(meetings), "circle": meetings[0].circle.name}
    with translation.override(person.preferred_language):
        return invitations_message(
            meetings,
            person,
            JOINED_SUBJECTS[dinners] % params,
            JOINED_INTROS[dinners] % params,
            JOINED_NOTE % params,
            answers,
        )


def invitations_message(
    meetings: list[Meeting], person, subject: str, intro: str, note: str, answers=None
) -> EmailMultiAlternatives:
    """One message to the person about several meetings of a circle, in the active language:
    `intro` above them, each with its details and links, and `note` (on the calendar files)
    below; with an invitation (.ics) for each, showing the person's answer if `answers` (by
    meeting id) has one: an iTIP REQUEST holds one UID, so one attachment per meeting."""
    answers = answers or {}
    items = [
        {
            **meeting_context(meeting),
            "summary": calendar.meeting_summary(meeting),
            "respond_url": settings.SITE_URL + reverse("meetings:respond", args=[meeting.pk]),
        }
        for meeting in meetings
    ]
    ctx = {"circle": meetings[0].circle.name, "intro": intro, "note": note, "meetings": items}
    message = compose(person, subject, "emails/meetings_planned", ctx)
    for meeting in meetings:
        ics = calendar.invitation(
            meeting,
            recipient=person,
            method=SCHEDULED.method,
            sender=sender(),
            answer=answers.get(meeting.pk),
        )
        day = timezone.localtime(meeting.starts_at).date()
        message.attach(ics_part(ics, SCHEDULED.method, filename=f"invite-{day}.ics"))
    return message


def recipients(circle):
    """The circle's active members who can be emailed."""
    return User.objects.filter(
        is_active=True, memberships__circle=circle, memberships__left_on__isnull=True
    ).exclude(email="")


# What the coordinator reads once the members were told of a change or invited: to how many it
# went. The page they land on says what changed (the meeting is cancelled, the date picked).
MEMBERS_TOLD = ngettext_lazy(
    "%(count)d member of the circle is told by email.",
    "The %(count)d members of the circle are told by email.",
    "count",
)
MEMBERS_INVITED = ngettext_lazy(
    "%(count)d member of the circle is invited by email.",
    "The %(count)d members of the circle are invited by email.",
    "count",
)


def members_emailed(message, circle) -> str | None:
    """`message` (MEMBERS_TOLD, MEMBERS_INVITED) with the number of the circle's members who
    get the email; None when nobody can be emailed."""
    count = recipients(circle).count()
    return message % {"count": count} if count else None


def meeting_message(
    mail: MeetingMail,
    meeting: Meeting,
    person,
    hosting: bool | None = None,
    by=None,
    *,
    answer: str | None = None,
) -> EmailMultiAlternatives:
    """The mail to one person; `hosting` (see _hosting) adds the news of a host change, and
    `answer` is the person's answer to the meeting (a Response.Answer), if they gave one."""
    subject, extra = mail.subject, {}
    if mail.tells_answer and answer is not None:
        extra["carried_answer"] = CARRIED_ANSWERS[answer]
        extra["respond_url"] = calendar.respond_url(meeting)
    with translation.override(person.preferred_language):
        if hosting is not None:
            subject = CHANGED_HOSTING if hosting else CHANGED_NOT_HOSTING
            extra["intro"] = _host_intro(meeting, hosting, by, changed=True)
        message = _about(meeting, person, subject, mail.template, **extra)
        ics = calendar.invitation(
            meeting, recipient=person, method=mail.method, sender=sender(), answer=answer
        )
    message.attach(ics_part(ics, mail.method))
    return message


def _about(
    meeting: Meeting, person, subject, template: str, params=None, **extra
) -> EmailMultiAlternatives:
    """A message to the person about the meeting, in the active language: the subject (with
    %(summary)s and %(date)s, and `params`) and the template, given the meeting's details and
    `extra`."""
    summary = calendar.meeting_summary(meeting)
    subject = subject % {
        "summary": summary,
        "date": local_date(meeting.starts_at),
        **(params or {}),
    }
    ctx = {**meeting_context(meeting), "summary": summary, **extra}
    return compose(person, subject, template, ctx)


def meeting_context(meeting: Meeting, *, to_review: bool = False) -> dict:
    # After the agenda, the open actions carried to a meeting ahead, or with `to_review` to one
    # that has started (the record prompt: its record page reviews them): read once per
    # meeting, however many members get their own message about it.
    listed = to_review or meeting.starts_at > timezone.now()
    return {
        "meeting": meeting,
        "location": calendar.meeting_location(meeting),
        "agenda": [str(item) for item in meeting.agenda_items.all()],
        "carried": _rows(carried_to(meeting)) if listed else [],
        "meeting_url": calendar.meeting_url(meeting),
    }


def local_date(value) -> str:
    """A date for a subject line, in the active language ("5 maart 2026")."""
    return formats.date_format(timezone.localtime(value), "j F Y")


def compose(person, subject: str, template: str, ctx: dict) -> EmailMultiAlternatives:
    """A plain-text and HTML message to one person, in the active language (switch first)."""
    ctx = {
        **ctx,
        "person": person,
        "subject": subject,
        "profile_url": settings.SITE_URL + PROFILE_PATH,
        "privacy_url": settings.SITE_URL + reverse("privacy_statement"),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", ctx),
        from_email=sender(),
        to=[person.email],
        headers={"Content-Language": translation.get_language()},
    )
    message.attach_alternative(render_to_string(f"{template}.html", ctx), "text/html")
    return message


# The sender's name when DEFAULT_FROM_EMAIL is left at the product's name.
PRODUCT_NAME = "Allies"


def sender() -> str:
    """DEFAULT_FROM_EMAIL, its name in the active language when it is the product's own: a
    Dutch reader's inbox lists "Bondgenoten", as the email's subject and text say. A name an
    installation chose ("Politie Utrecht") stays as it is."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if name != PRODUCT_NAME:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((gettext("Allies"), address))


def compose_for(
    person, subject, template: str, ctx: dict, *, params=None, to: str = ""
) -> EmailMultiAlternatives:
    """compose() in the person's own language, whatever language is active: the subject (a
    lazy text, with `params` filled in, which may be lazy too) and the templates are translated
    there. `to` sends it to another address of theirs (a new one to confirm, say)."""
    with translation.override(person.preferred_language):
        message = compose(person, str(subject) % (params or {}), template, ctx)
    if to:
        message.to = [to]
    return message


def ics_part(ics: bytes, method: str, filename: str = "") -> SafeMIMEText:
    """The calendar file as iMIP (RFC 6047) wants it: text/calendar with the same method."""
    part = SafeMIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    name = filename or ("cancel.ics" if method == "CANCEL" else "invite.ics")
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def send_each(messages, connection=None) -> int:
    """Send the messages over one connection, each on its own: one refused address does not
    stop the others. Returns how many were sent."""
    if not messages:
        return 0
    sent = 0
    with connection or get_connection() as conn:
        for message in messages:
            sent += send_one(message, conn)
    return sent


def send_one(message, connection) -> bool:
    try:
        return bool(connection.send_messages([message]))
    except Exception as error:
        log_unsent(message, error)
        return False


def log_unsent(message, error: Exception) -> None:
    """Log which email failed and the kind of failure, not to whom: the address is personal
    data, and no erasure reaches it in the logs. So not the error's text or traceback either:
    a mail server's refusal (SMTPRecipientsRefused) names the addresses it refused."""
    logger.error("Could not send the email %r (%s)", message.subject, type(error).__name__)
