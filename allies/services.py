"""Account work that sends mail: the emails a person gets at most one of per interval, and a
new email address, which takes effect only once its owner confirms it from a link sent to that
address.

Whoever controls a person's address receives their invitations (a coordinator's invitation
finds an existing account by its address) and their "forgot your password" links, so an
address is only taken on by someone who shows they read its mail. The link is a signed token,
not a row in the database: it names the person, the new address and (as a fingerprint) the
address they had when they asked, so it dies once the address has changed in any way, and
after EMAIL_CHANGE_DAYS. The person keeps only the new address they asked for last
(`pending_email`): a link for any other one, or for one they cancelled, no longer works.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from allies.models import User
from meetings import notify

logger = logging.getLogger(__name__)

EMAIL_CHANGE_SALT = "allies.services.email_change"
EMAIL_CHANGE_DAYS = 3


@dataclass(frozen=True)
class EmailChange:
    """A new address a person asked for, read from a valid link."""

    person: User
    new_email: str


@dataclass(frozen=True)
class PendingEmailChange:
    """A new address a person asked for, whose link still works."""

    new_email: str
    sent_at: datetime.datetime

    @property
    def expires_at(self) -> datetime.datetime:
        return self.sent_at + datetime.timedelta(days=EMAIL_CHANGE_DAYS)


def email_change_pending(person: User) -> PendingEmailChange | None:
    """The new address the person waits to confirm; None when none is, or its link expired."""
    sent_at = person.email_change_sent_at
    if not person.pending_email or sent_at is None:
        return None
    pending = PendingEmailChange(new_email=person.pending_email, sent_at=sent_at)
    return pending if timezone.now() < pending.expires_at else None


def send_limited(*, person: User, field: str, message) -> bool:
    """Send one of the emails a person gets at most one of per interval (LIMITED_EMAILS in
    allies.models; `field` keeps when the last one went). Returns whether it went: not when one
    went less than the interval ago, nor when the mail server failed. A failed one does not
    count, so that asking again works at once instead of after the interval; it is claimed
    before sending all the same, so that two requests at once cannot both send."""
    previous = getattr(person, field)
    if not person.claim_email(field):
        return False
    if _send(message):
        return True
    person.release_email(field, previous=previous)
    # _send logged which email failed; this says for whom, and that it can be asked for again.
    logger.warning(
        "Person %s did not get the email %r; asking again sends it at once",
        person.pk,
        message.subject,
    )
    return False


def _send(message) -> bool:
    """Send one email; False, and logged, when the mail server could not take it."""
    try:
        return notify.send_each([message]) == 1
    except Exception as error:  # the connection to the mail server could not be opened
        notify.log_unsent(message, error)
        return False


def _fingerprint(email: str) -> str:
    """Stands for the address in the link without showing it (links end up in logs and
    browser histories). Case is ignored, as the unique constraint on addresses does."""
    return salted_hmac(EMAIL_CHANGE_SALT, email.lower()).hexdigest()[:20]


def email_change_token(person: User, new_email: str) -> str:
    return signing.dumps([person.pk, new_email, _fingerprint(person.email)], salt=EMAIL_CHANGE_SALT)


def email_change_request(*, person: User, new_email: str) -> bool:
    """Send the person, at the new address and in their language, the link that confirms it.
    Their address stays as it is until then. Returns whether the mail went out: not when one
    went less than EMAIL_CHANGE_EMAIL_INTERVAL ago (ProfileForm tells them so first). Once it
    went, the new address is the one waiting: links sent before, to other addresses, stop
    working."""
    path = reverse("email_change_confirm", args=[email_change_token(person, new_email)])
    ctx = {"link": settings.SITE_URL + path, "new_email": new_email, "days": EMAIL_CHANGE_DAYS}
    message = notify.compose_for(
        person,
        _("Confirm your new email address for Allies"),
        "emails/email_change_confirm",
        ctx,
        to=new_email,
    )
    if not send_limited(person=person, field="email_change_sent_at", message=message):
        return False
    person.pending_email = new_email
    person.save(update_fields=["pending_email"])
    return True


def _refused(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params)


def email_change_read(token: str, people=User.objects) -> EmailChange:
    """The change a link asks for, if it can still be made. Raises ValidationError with a
    message for the person (code: invalid, expired, used, outdated, cancelled, replaced or
    taken)."""
    try:
        person_id, new_email, fingerprint = signing.loads(
            token,
            salt=EMAIL_CHANGE_SALT,
            max_age=datetime.timedelta(days=EMAIL_CHANGE_DAYS),
        )
    except signing.SignatureExpired:
        raise _refused(
            _(
                "This link has expired: it works for %(days)s days. Change your email address "
                "on your profile page again to get a new link."
            ),
            "expired",
            days=EMAIL_CHANGE_DAYS,
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise _refused(
            _(
                "This link is not complete. Open it from the email again, or copy the whole "
                "link into your browser."
            ),
            "invalid",
        ) from None
    person = people.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise _refused(_("This link is not valid any more."), "invalid")
    if person.email.lower() == new_email.lower():
        raise _refused(
            _("This link was already used: %(email)s is your email address."),
            "used",
            email=new_email,
        )
    if fingerprint != _fingerprint(person.email):
        raise _refused(
            _(
                "Your email address was changed after this link was sent, so it no longer "
                "works. Change it on your profile page again if you still want to."
            ),
            "outdated",
        )
    # Case is ignored, as the unique constraint on addresses does: the same mailbox.
    if new_email.lower() != person.pending_email.lower():
        raise _not_pending(person)
    if User.objects.filter(email__iexact=new_email).exclude(pk=person.pk).exists():
        raise _refused(_taken_message(), "taken", email=new_email)
    return EmailChange(person=person, new_email=new_email)


def _not_pending(person: User) -> ValidationError:
    """The link's address is no longer the one waiting. The other one is not named: whoever
    opens the link reads that mailbox, which need not be the account's."""
    if person.pending_email:
        return _refused(
            _(
                "You asked for another new email address after this link was sent, and only "
                "the link in the latest email works. Open that one, or change your email "
                "address on your profile page again."
            ),
            "replaced",
        )
    return _refused(
        _(
            "This change was cancelled on your profile page, so this link no longer works. "
            "Change your email address there again if you still want to."
        ),
        "cancelled",
    )


def _taken_message():
    return _("Someone else now uses %(email)s, so it cannot become your email address.")


@transaction.atomic
def email_change_confirm(*, token: str) -> EmailChange:
    """Make the change a link asks for, after checking it again, and tell the old address
    once it is committed. Raises ValidationError as email_change_read does."""
    # The person's row stays locked until the change is committed: two links confirmed at
    # once cannot both pass the checks.
    change = email_change_read(token, people=User.objects.select_for_update())
    person = change.person
    old_email = person.email
    person.email = change.new_email
    person.pending_email = ""
    try:
        with transaction.atomic():
            person.save(update_fields=["email", "pending_email"])
    except IntegrityError:
        # Taken by someone else between the check and the save.
        raise _refused(_taken_message(), "taken", email=change.new_email) from None
    if old_email:
        transaction.on_commit(
            lambda: send_email_changed(person_id=person.pk, old_email=old_email), robust=True
        )
    return EmailChange(person=person, new_email=change.new_email)


def send_email_changed(*, person_id: int, old_email: str) -> None:
    """Tell the old address, in the person's language, that the address was changed: if it
    was not them, that address is all they still have."""
    person = User.objects.get(pk=person_id)
    ctx = {"old_email": old_email, "new_email": person.email, "changed_at": timezone.localtime()}
    message = notify.compose_for(
        person,
        _("Your email address for Allies was changed"),
        "emails/email_changed",
        ctx,
        to=old_email,
    )
    notify.send_each([message])
