"""Membership work that spans several models or sends mail."""

import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.humanize.templatetags.humanize import apnumber
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from allies.models import User
from circles.health import health_for_circles
from circles.models import Circle, Invitation, Membership
from meetings import notify
from meetings.models import Meeting


def _last_coordinator_error(membership: Membership) -> ValidationError:
    return ValidationError(
        _("%(name)s is the circle's only coordinator. Make someone else coordinator first."),
        code="last_coordinator",
        params={"name": membership.person},
    )


def _coordinator_ids(circle_id: int) -> set[int]:
    """The circle's active coordinators' memberships, their rows locked so that two
    coordinators stepping down at once cannot both succeed (PostgreSQL; SQLite's IMMEDIATE
    transactions already run one writer at a time)."""
    return set(
        Membership.objects.select_for_update()
        .active()
        .coordinators()
        .filter(circle_id=circle_id)
        .values_list("pk", flat=True)
    )


def _is_last_coordinator(membership: Membership) -> bool:
    """Whether this is the circle's only active coordinator (rows locked: _coordinator_ids)."""
    return _coordinator_ids(membership.circle_id) == {membership.pk}


def check_keeps_a_coordinator(
    *, circle_id: int, stepping_down: list[Membership], taking_up: list[Membership] = ()
) -> None:
    """The rule of membership_update and membership_end for a change of several memberships
    of a circle at once (the admin's): raise their refusal when the memberships
    `stepping_down` (leaving, or giving up the role) are all of the circle's active
    coordinators and none of the memberships `taking_up` (new ones, not saved yet, among
    them) coordinates the circle in their place. A circle that has no coordinator (one just
    made in the admin) is not refused a change."""
    coordinators = _coordinator_ids(circle_id)
    remaining = coordinators - {membership.pk for membership in stepping_down}
    if not coordinators or remaining or taking_up:
        return
    if len(stepping_down) == 1:
        raise _last_coordinator_error(stepping_down[0])
    raise ValidationError(
        _(
            "The circle would have no coordinator left. Keep one, or make someone else "
            "coordinator first."
        ),
        code="last_coordinator",
    )


@transaction.atomic
def membership_update(
    *, membership: Membership, sector: str, is_coordinator: bool, by: User
) -> bool:
    """Change a member's sector and role; a circle always keeps a coordinator. A member whom
    `by` makes a coordinator is told (coordinator_welcome); returns whether an email tells
    them."""
    coordinators = _coordinator_ids(membership.circle_id)
    if not is_coordinator and coordinators == {membership.pk}:
        raise _last_coordinator_error(membership)
    membership.sector = sector
    membership.is_coordinator = is_coordinator
    membership.save(update_fields=["sector", "is_coordinator"])
    if is_coordinator and membership.pk not in coordinators:
        return coordinator_welcome(membership=membership, by=by)
    return False


def coordinator_welcome(*, membership: Membership, by: User) -> bool:
    """Tell a member whom `by` has just made a coordinator of their circle, once the change is
    committed, in their language: who did it, and what a coordinator does there, with the
    links to do it (send_coordinator_welcome). A handover otherwise reached the new
    coordinator as nothing at all. Not `by`, who knows (an admin who makes themselves one).
    Returns whether an email goes to them: not without an address or an active account.

    Taking the role away tells nobody: it comes with a handover that the new coordinator
    hears of, or with leaving the circle, and the circle page shows who coordinates."""
    person = membership.person
    if person.pk == by.pk or not (person.is_active and person.email):
        return False
    # robust: a mail server that fails is logged; the role, already saved, stays.
    transaction.on_commit(lambda: send_coordinator_welcome(membership.pk, by), robust=True)
    return True


# What a member made a coordinator is told (coordinator_welcome).
COORDINATOR_SUBJECT = pgettext_lazy("email subject", "You now coordinate %(circle)s")


def send_coordinator_welcome(membership_id: int, by: User) -> int:
    """The email of coordinator_welcome, if the member still coordinates the circle and can
    be emailed; returns how many messages went out (0 or 1)."""
    membership = (
        Membership.objects.active()
        .coordinators()
        .select_related("circle")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        return 0
    circle = membership.circle
    person = notify.recipients(circle).filter(pk=membership.person_id).first()
    if person is None:
        return 0
    others = (
        circle.memberships.active()
        .coordinators()
        .exclude(pk=membership.pk)
        .select_related("person")
        .order_by("person__name", "pk")
    )
    circle_url = settings.SITE_URL + reverse("circles:detail", args=[circle.pk])
    year = health_for_circles([circle])[circle.pk].plan_year
    ctx = {
        "circle": circle,
        "by": by,
        # As text: the template's join filter gives up on anything else in the plain text.
        "others": [str(other.person) for other in others],
        "circle_url": circle_url,
        "plan_url": settings.SITE_URL + reverse("meetings:plan_year", args=[circle.pk, year]),
        "home_url": settings.SITE_URL + reverse("dashboard"),
        "members_url": f"{circle_url}#members",
    }
    params = {"circle": circle.name}
    message = notify.compose_for(
        person, COORDINATOR_SUBJECT, "emails/coordinator_welcome", ctx, params=params
    )
    return notify.send_each([message])


def answers_withdraw(*, person: User, circle_id: int | None = None) -> tuple[int, int]:
    """Withdraw what someone who leaves the circle `circle_id` (all their circles, when they are
    erased) no longer answers for: their answers to its meetings that have not started yet
    (they no longer come, and their dietary needs, special-category data which the answers'
    history does not keep, are nobody's business any more) and to its open date polls (they
    would still count in the tally, in who can come and in the date that suits most). Answers
    to meetings gone by and to closed polls stay, the circle's history. Returns how many
    answers to meetings not cancelled (those the leaver's email lists) and how many to polls
    were withdrawn."""
    answers = person.responses.filter(meeting__starts_at__gt=timezone.now())
    polls = person.poll_answers.in_open_polls()
    if circle_id is not None:
        answers = answers.filter(meeting__circle_id=circle_id)
        polls = polls.filter(option__poll__circle_id=circle_id)
    meetings = answers.exclude(meeting__status=Meeting.Status.CANCELLED).count()
    # The answers' history records who withdrew them, and when. Nothing else is deleted with
    # an answer to a poll: the count is theirs.
    answers.delete()
    poll_answers, _deleted = polls.delete()
    return meetings, poll_answers


@transaction.atomic
def membership_end(
    *, membership: Membership, by: User | None = None, on: datetime.date | None = None
) -> bool:
    """End a membership (its history stays) today, or `on` that day (the admin's); never the
    circle's last coordinator. The person's answers to the circle's meetings ahead and to its
    open date polls are withdrawn (answers_withdraw). The person is told, once it commits,
    naming `by` unless it is themselves, which answers of theirs were withdrawn, with a
    cancellation for their calendar of each meeting ahead they were invited to
    (notify.notify_left). Returns False, doing nothing, when it had ended already (by another
    request, say)."""
    # The row locked: two coordinators ending it at once end it, and withdraw, once.
    if not Membership.objects.select_for_update().active().filter(pk=membership.pk).exists():
        return False
    if _is_last_coordinator(membership):
        raise _last_coordinator_error(membership)
    membership.end(on)
    withdrawn, poll_answers = answers_withdraw(
        person=membership.person, circle_id=membership.circle_id
    )
    invited = list(notify.invited_ahead(membership).values_list("pk", flat=True))
    # A calendar app ignores a cancellation whose sequence is not above that of the invitation
    # it holds; and kept, not only written in the cancellation, so that a new invitation when
    # they come back is not older than it. update(): the meetings themselves did not change.
    Meeting.objects.filter(pk__in=invited).update(sequence=F("sequence") + 1)
    notify.notify_left(
        membership,
        meeting_ids=invited,
        withdrawn=withdrawn,
        poll_answers=poll_answers,
        by=by,
    )
    return True


@transaction.atomic
def circle_update(*, circle: Circle, by: User) -> int:
    """Save the circle's settings as edited: `circle` holds the new values. When its commitment
    now reads differently (not only in its spaces, nor the standard text in another language),
    each active member who had agreed to the text it replaced is told, in their language, once
    the change is committed; not `by`, who made it. Returns how many are told.

    Members who had not agreed (or agreed to an even earlier text) are not told: the circle
    page and the dashboard already ask them to commit, and nothing they agreed to changed."""
    # The stored row, locked: two coordinators saving at once each compare with the text their
    # own change replaced, so nobody is told twice of the same change or not at all.
    before = Circle.objects.select_for_update().only("commitment_text").get(pk=circle.pk)
    circle.save()
    if circle.is_commitment(before.commitment_text):
        return 0
    agreed = (
        circle.memberships.active()
        .filter(person__in=notify.recipients(circle))
        .exclude(commitment_agreed_text="")
        .exclude(person=by)
        .order_by()
        .values_list("person_id", "commitment_agreed_text")
    )
    told = [person_id for person_id, text in agreed if before.is_commitment(text)]
    if told:
        # robust: a mail server that fails is logged; the saved settings stay saved.
        transaction.on_commit(lambda: send_commitment_changed(circle.pk, told, by), robust=True)
    return len(told)


def commitment_url(circle_id: int) -> str:
    """The commitment's card on the circle page, where a member agrees to it (again), as a
    link in an email."""
    return f"{settings.SITE_URL}{reverse('circles:detail', args=[circle_id])}#commitment"


def send_commitment_changed(circle_id: int, person_ids: list[int], by: User) -> int:
    """Tell each of these people (circle_update chose them among the members who can be
    emailed) that the circle's commitment changed, with the text as it now reads to them;
    returns how many messages went out."""
    circle = Circle.objects.filter(pk=circle_id).first()
    if circle is None:
        return 0
    ctx = {"circle": circle, "by": by, "commitment_url": commitment_url(circle.pk)}
    people = User.objects.filter(pk__in=person_ids)
    # The template reads circle.commitment while compose_for has the reader's language active:
    # the standard text reaches each member in their own language.
    subject = _("%(name)s changed the commitment of %(circle)s")
    params = {"name": by, "circle": circle.name}
    messages = [
        notify.compose_for(person, subject, "emails/commitment_changed", ctx, params=params)
        for person in people
    ]
    return notify.send_each(messages)


def _free_username(email: str) -> str:
    """The email address as username (people sign in with it), made unique if need be."""
    base = email.lower()[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


# The change reason in the history of a membership that membership_invite made for a new
# person, or that person_welcome emailed an invitation for: how their first password link is
# told apart from an ordinary reset.
INVITED = "invitation"


@transaction.atomic
def membership_invite(
    *,
    circle: Circle,
    name: str,
    email: str,
    phone,
    sector: str,
    language: str,
    invited_by: User,
) -> None:
    """Invite a person to the circle by email. A new person becomes a member with an account
    and an email to choose a password. Someone who has an account (the same email, any case)
    is asked to join, and becomes a member when they accept (invitation_answer): they did not
    ask for it, and the circle's members would see their phone number if they share it.
    Raises ValidationError when they are already a member, or said no thanks to the circle
    less than Invitation.DECLINED_PAUSE ago: one invitation after another would be a nuisance."""
    person = User.objects.filter(email__iexact=email).first()
    if person is not None:
        if circle.memberships.active().filter(person=person).exists():
            raise _already_member(email)
        _check_not_declined(circle, person, email)
        invitation, _created = Invitation.objects.update_or_create(
            circle=circle,
            person=person,
            answered_at=None,
            defaults={"sector": sector, "invited_by": invited_by, "email": email},
        )
        # robust: a mail server that fails is logged; the invitation stays, and shows on the
        # person's dashboard.
        transaction.on_commit(lambda: send_invitation_to_join(invitation), robust=True)
        return
    person = User(
        username=_free_username(email),
        name=name,
        email=email,
        phone=phone or "",
        preferred_language=language,
    )
    person.set_password_nobody_knows()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # another request made an account for the address just now
        raise ValidationError(
            _("Someone else was inviting %(email)s at the same moment. Please try again."),
            code="invited_meanwhile",
            params={"email": email},
        ) from None
    membership = Membership(person=person, circle=circle, sector=sector)
    membership._change_reason = INVITED  # kept in its history: see membership_to_welcome
    membership.save()
    # robust: a mail server that fails is logged; the membership, already committed, stays,
    # and the person can still use "forgot your password" with their address.
    transaction.on_commit(
        lambda: send_invitation(person=person, circle=circle, language=language, by=invited_by),
        robust=True,
    )


@transaction.atomic
def person_welcome(*, person: User, by: User) -> Membership:
    """Email a person whom the admin made a member the invitation that a new person invited by
    a coordinator gets (send_invitation), in their language: a link to choose their password,
    for their most recent circle, naming `by`. Their membership's history records it as an
    invitation by `by`, so that the link welcomes them into that circle (membership_to_welcome).
    Returns the membership. Raises ValidationError, naming them, for an account that cannot
    sign in, has no email address or has signed in before (they have a password: "forgot your
    password" is theirs to ask), or has no circle to be welcomed into."""
    params = {"name": person}
    if not person.is_active:
        raise ValidationError(
            _("No welcome email to %(name)s: their account is deactivated."),
            code="inactive",
            params=params,
        )
    if not person.email:
        raise ValidationError(
            _("No welcome email to %(name)s: they have no email address."),
            code="no_email",
            params=params,
        )
    if person.last_login is not None:
        raise ValidationError(
            _(
                "No welcome email to %(name)s: they have signed in before. If they forgot their "
                "password, they can ask for a new one on the sign-in page."
            ),
            code="signed_in",
            params=params,
        )
    membership = (
        person.memberships.active().select_related("circle").order_by("-joined_on", "-pk").first()
    )
    if membership is None:
        raise ValidationError(
            _("No welcome email to %(name)s: they are not a member of a circle."),
            code="no_circle",
            params=params,
        )
    # A record of the invitation, the membership unchanged: who sent it, when.
    Membership.history.bulk_history_create(
        [membership], update=True, default_user=by, default_change_reason=INVITED
    )
    # robust: a mail server that fails is logged; the person can still use "forgot your
    # password" with their address, and is welcomed as its link opens. A lambda, not a
    # partial: Django names the function it logs by its __qualname__.
    transaction.on_commit(
        lambda: send_invitation(
            person=person, circle=membership.circle, language=person.preferred_language, by=by
        ),
        robust=True,
    )
    return membership


def membership_to_welcome(person: User) -> Membership | None:
    """The membership that a person invited by email (membership_invite, or person_welcome
    from the admin) takes up with their first password, with `invited_by`: who invited them
    most recently (None when their account is gone). Theirs while they have never signed in
    and have not agreed to the circle's commitment, whether their link is the invitation's or
    a reset they asked for when it had expired, as its email tells them to. None for anyone
    else, a member the admin added without a welcome too: their password link is an ordinary
    reset; and None for a deactivated account, which cannot be signed in."""
    if person.last_login is not None or not person.is_active:
        return None
    awaiting = person.memberships.active().filter(committed_on__isnull=True)
    invited = (
        Membership.history.filter(id__in=awaiting.values("pk"), history_change_reason=INVITED)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if invited is None:
        return None
    membership = Membership.objects.select_related("circle").get(pk=invited.id)
    membership.invited_by = invited.history_user
    return membership


def membership_take_up(*, membership: Membership) -> None:
    """The person invited by email (membership_invite) has chosen their first password, and
    takes up the membership (membership_to_welcome): they are invited to the circle's meetings
    ahead that were planned before their invitation, as someone with an account is when they
    accept (invitation_answer). Not with the invitation: they had said yes to nothing yet, and
    calendar apps put an emailed invitation in the calendar as it arrives. (A meeting planned
    after it reached them as it was planned: they are a member from the invitation on.)"""
    notify.notify_joined(membership)


@transaction.atomic
def memberships_begun(*, memberships: list[Membership]) -> int:
    """Memberships an admin has just saved new or re-opened (left_on cleared): each member is
    invited to the circle's meetings ahead that were planned before it began, once the
    transaction commits, as one who joins through the site is (notify.notify_joined); meetings
    planned later reach them as they are planned. Not a membership saved ended, nor the one a
    welcome the admin sent is for (membership_to_welcome): that invitation comes with their
    first password (membership_take_up), and not twice. Returns how many members it emails,
    as things stand: those who can be emailed, with such a meeting ahead."""
    emailed = 0
    for membership in memberships:
        if not membership.is_active or membership_to_welcome(membership.person) == membership:
            continue
        notify.notify_joined(membership)
        emailed += notify.joined_mail_due(membership.pk)
    return emailed


def _check_not_declined(circle: Circle, person: User, email: str) -> None:
    declined = (
        circle.invitations.filter(person=person, accepted=False, answered_at__isnull=False)
        .order_by("-answered_at")
        .first()
    )
    if declined is not None and declined.may_join_after_all():
        raise ValidationError(
            _(
                "%(email)s said no thanks to this circle on %(date)s. You can ask again from "
                "%(again)s."
            ),
            code="declined",
            params={
                "email": email,
                "date": _local_date(declined.answered_at),
                "again": _local_date(declined.declined_until()),
            },
        )


def _local_date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def _already_member(email: str) -> ValidationError:
    return ValidationError(
        _("%(email)s is already a member of this circle."),
        code="already_member",
        params={"email": email},
    )


class InvitationAnsweredError(Exception):
    """The invitation has been answered already."""


@transaction.atomic
def invitation_answer(*, invitation: Invitation, accept: bool) -> Membership | None:
    """The person's answer to an invitation; accepted, the membership it makes (None when they
    had become a member since), and an email inviting them to the circle's meetings ahead
    (notify.notify_joined). Raises InvitationAnsweredError when it was answered before,
    unless it is a join after a "no thanks" that still holds (Invitation.may_join_after_all)."""
    stored = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if stored.answered_at is not None and not (accept and stored.may_join_after_all()):
        raise InvitationAnsweredError
    invitation.answered_at = timezone.now()
    invitation.accepted = accept
    invitation.save(update_fields=["answered_at", "accepted"])
    if not accept:
        return None
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=invitation.person, circle=invitation.circle, sector=invitation.sector
            )
    except IntegrityError:
        return None  # a member already
    notify.notify_joined(membership)
    return membership


def _invitation_words(circle: Circle, by: User | None) -> tuple[str, str]:
    """An invitation's subject and opening sentence, in the active language. They name who
    invites (`by`): an email from an unknown sender asking one to join or to choose a password
    looks like phishing otherwise; as the circle's coordinator when they are one (site staff
    who sent a welcome from the admin often are not). Neutral when nobody is known to have
    invited (the inviter's account has been deleted since). They say how often the circle
    dines, in words as the approach says it ("five times a year"): "a few times" undersold
    what joining asks."""
    dinners = circle.dinners_per_year
    params = {
        "coordinator": by,
        "circle": circle.name,
        "municipality": circle.municipality,
        "times": apnumber(dinners),
    }
    if by is None:
        subject = gettext("You are invited to %(circle)s")
        intro = ngettext(
            "You are invited to join %(circle)s (%(municipality)s): police, municipality and "
            "active residents who meet for dinner once a year and agree on actions to take "
            "together.",
            "You are invited to join %(circle)s (%(municipality)s): police, municipality and "
            "active residents who meet for dinner %(times)s times a year and agree on actions "
            "to take together.",
            dinners,
        )
    else:
        subject = gettext("%(coordinator)s invites you to %(circle)s")
        if circle.memberships.active().coordinators().filter(person=by).exists():
            intro = ngettext(
                "%(coordinator)s, coordinator of %(circle)s (%(municipality)s), invites you to "
                "join the circle. In it, police, municipality and active residents meet for "
                "dinner once a year and agree on actions to take together.",
                "%(coordinator)s, coordinator of %(circle)s (%(municipality)s), invites you to "
                "join the circle. In it, police, municipality and active residents meet for "
                "dinner %(times)s times a year and agree on actions to take together.",
                dinners,
            )
        else:
            intro = ngettext(
                "%(coordinator)s invites you to join %(circle)s (%(municipality)s): police, "
                "municipality and active residents who meet for dinner once a year and agree "
                "on actions to take together.",
                "%(coordinator)s invites you to join %(circle)s (%(municipality)s): police, "
                "municipality and active residents who meet for dinner %(times)s times a year "
                "and agree on actions to take together.",
                dinners,
            )
    return subject % params, intro % params


def send_invitation_to_join(invitation: Invitation) -> None:
    """Ask a person with an account, in their language, whether they want to join the circle,
    naming the coordinator who invited them most recently (asking again renews the invitation
    and its inviter)."""
    circle, person = invitation.circle, invitation.person
    ctx = {
        "invitation": invitation,
        "circle": circle,
        "answer_url": settings.SITE_URL + reverse("circles:invitation", args=[invitation.pk]),
    }
    with translation.override(person.preferred_language):
        subject, ctx["intro"] = _invitation_words(circle, invitation.invited_by)
        message = notify.compose(person, subject, "emails/invitation_to_join", ctx)
    notify.send_each([message])


def send_invitation(*, person: User, circle: Circle, language: str, by: User | None) -> None:
    """Email a new person a link to choose their password, in the given language, naming who
    invited them (`by`); one made the circle's coordinator (in the admin) is told where to
    start."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    ctx = {
        "circle": circle,
        "link": f"{settings.SITE_URL}{path}",
        "login_link": f"{settings.SITE_URL}{reverse('login')}",
        # As long as Django accepts the token: PASSWORD_RESET_TIMEOUT, in seconds.
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)),
        "site_url": settings.SITE_URL,
        "coordinates": circle.memberships.active().coordinators().filter(person=person).exists(),
    }
    with translation.override(language):
        subject, ctx["intro"] = _invitation_words(circle, by)
        message = notify.compose(person, subject, "emails/invitation", ctx)
    notify.send_each([message])
