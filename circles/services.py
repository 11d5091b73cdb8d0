"""Membership work that spans several models or sends mail."""

import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allies.models import User
from circles.models import Circle, Membership
from meetings import notify


def _last_coordinator_error(membership: Membership) -> ValidationError:
    return ValidationError(
        _("%(name)s is the circle's only coordinator. Make someone else coordinator first."),
        code="last_coordinator",
        params={"name": membership.person},
    )


def _is_last_coordinator(membership: Membership) -> bool:
    """Whether this is the circle's only active coordinator, with the coordinators' rows
    locked so that two coordinators stepping down at once cannot both succeed (PostgreSQL;
    SQLite's IMMEDIATE transactions already run one writer at a time)."""
    coordinators = list(
        Membership.objects.select_for_update()
        .active()
        .coordinators()
        .filter(circle_id=membership.circle_id)
        .values_list("pk", flat=True)
    )
    return coordinators == [membership.pk]


@transaction.atomic
def membership_update(*, membership: Membership, sector: str, is_coordinator: bool) -> None:
    """Change a member's sector and role; a circle always keeps a coordinator."""
    if not is_coordinator and _is_last_coordinator(membership):
        raise _last_coordinator_error(membership)
    membership.sector = sector
    membership.is_coordinator = is_coordinator
    membership.save(update_fields=["sector", "is_coordinator"])


@transaction.atomic
def membership_end(*, membership: Membership) -> None:
    """End a membership (its history stays); never the circle's last coordinator."""
    if _is_last_coordinator(membership):
        raise _last_coordinator_error(membership)
    membership.end()


def _free_username(email: str) -> str:
    """The email address as username (people sign in with it), made unique if need be."""
    base = email.lower()[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


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
) -> tuple[Membership, bool]:
    """Add a person to the circle: an existing account (same email, any case) directly, with
    an email saying so, a new person with an account and an email to choose a password.
    Returns the membership and whether the person is new. Raises ValidationError when they
    are already a member."""
    person = User.objects.filter(email__iexact=email).first()
    created = person is None
    if created:
        person = User(
            username=_free_username(email),
            name=name,
            email=email,
            phone=phone or "",
            preferred_language=language,
        )
        # A random password nobody knows, rather than an unusable one: Django's "forgot your
        # password" refuses accounts without a usable password, and the invitation link may
        # expire before it is used.
        person.set_password(secrets.token_urlsafe(32))
        person.save()
    try:
        with transaction.atomic():
            membership = Membership.objects.create(person=person, circle=circle, sector=sector)
    except IntegrityError:
        raise ValidationError(
            _("%(email)s is already a member of this circle."),
            code="already_member",
            params={"email": email},
        ) from None
    # robust: a mail server that fails is logged; the membership, already committed, stays,
    # and a new person can still use "forgot your password" with their address.
    if created:
        transaction.on_commit(
            lambda: send_invitation(person=person, circle=circle, language=language),
            robust=True,
        )
    else:
        transaction.on_commit(
            lambda: send_added(person=person, circle=circle, invited_by=invited_by), robust=True
        )
    return membership, created


def send_added(*, person: User, circle: Circle, invited_by: User) -> None:
    """Tell a person with an account, in their language, that a coordinator added them to the
    circle: they did not ask for it, and if they share their phone number, the circle's members
    now see it too."""
    with translation.override(person.preferred_language):
        subject = gettext("You are now a member of %(circle)s") % {"circle": circle.name}
        ctx = {
            "circle": circle,
            "invited_by": invited_by,
            "circle_url": settings.SITE_URL + reverse("circles:detail", args=[circle.pk]),
        }
        message = notify.compose(person, subject, "emails/added_to_circle", ctx)
    notify.send_each([message])


def send_invitation(*, person: User, circle: Circle, language: str) -> None:
    """Email a new person a link to choose their password, in the given language."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    ctx = {
        "person": person,
        "circle": circle,
        "link": f"{settings.SITE_URL}{path}",
        "login_link": f"{settings.SITE_URL}{reverse('login')}",
        "site_url": settings.SITE_URL,
    }
    with translation.override(language):
        subject = render_to_string("emails/invitation_subject.txt", ctx).strip()
        text = render_to_string("emails/invitation.txt", ctx)
        html = render_to_string("emails/invitation.html", ctx)
    message = EmailMultiAlternatives(subject, text, to=[person.email])
    message.attach_alternative(html, "text/html")
    message.extra_headers["Content-Language"] = language
    message.send()
