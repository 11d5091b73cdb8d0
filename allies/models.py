import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

# The start of the feed token that finds its person (see allies.feed.person_for_token).
FEED_SELECTOR_LENGTH = 8


def new_feed_token() -> str:
    """A calendar-feed token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


# The emails a person gets at most one of per interval, however often they are asked for: by
# the field that keeps when the last one went, the setting that says how long to wait.
LIMITED_EMAILS = {
    "password_reset_sent_at": "PASSWORD_RESET_EMAIL_INTERVAL",
    "email_change_sent_at": "EMAIL_CHANGE_EMAIL_INTERVAL",
}


class PersonManager(UserManager):
    def get_by_natural_key(self, username):
        """The account a sign-in names: its username as typed, or else the email address or
        the username in any case. People type their address as their phone capitalises it,
        and an invited person's username is their address as it was then. A name that fits
        more than one account finds none."""
        try:
            return self.get(username=username)
        except self.model.DoesNotExist:
            typed = username.lower()
        # From the index on the lower-case address (user_email_unique_ci, for addresses only).
        addresses = self.exclude(email="").alias(email_lower=Lower("email"))
        found = list(addresses.filter(email_lower=typed)[:2])
        if not found:
            names = self.alias(username_lower=Lower("username"))
            found = list(names.filter(username_lower=typed)[:2])
        if len(found) != 1:
            raise self.model.DoesNotExist
        return found[0]


class User(AbstractUser):
    """A person who can sign in: a coordinator, a member, or an admin."""

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    phone = PhoneNumberField(_("phone number"), blank=True)
    organisation = models.CharField(
        _("organisation"),
        max_length=150,
        blank=True,
        help_text=_("For example the police unit, the municipality or your neighbourhood group."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    dietary_needs = models.CharField(
        _("dietary needs"),
        max_length=200,
        blank=True,
        help_text=_(
            "Prefills the person's answers to dinners; only they and the coordinators of their "
            "circles see it."
        ),
    )
    phone_shared_at = models.DateTimeField(
        _("phone number shared since"),
        null=True,
        blank=True,
        help_text=_("When this person agreed to show their phone number to fellow members."),
    )
    # The person's own profile asks it in the first person ("Send me reminders": ProfileForm).
    reminders_enabled = models.BooleanField(_("email reminders"), default=True)
    password_reset_sent_at = models.DateTimeField(
        _("password reset email sent at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The last email with a link to choose a new password."),
    )
    email_change_sent_at = models.DateTimeField(
        _("email address confirmation sent at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The last email with a link to confirm a new email address."),
    )
    # Only the link for this address works: set when one goes out, emptied when it is
    # confirmed or cancelled (allies.services).
    pending_email = models.EmailField(
        _("new email address waiting for confirmation"),
        blank=True,
        editable=False,
        help_text=_(
            "The address the last confirmation link went to; it becomes the email address "
            "once its link is opened."
        ),
    )
    feed_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_feed_token
    )
    # Kept by the database; indexed, so a feed request finds its person without reading every
    # user (a prefix search cannot use an index on SQLite, whose LIKE ignores case).
    feed_selector = models.GeneratedField(
        expression=Substr("feed_token", 1, FEED_SELECTOR_LENGTH),
        output_field=models.CharField(max_length=FEED_SELECTOR_LENGTH),
        db_persist=True,
        db_index=True,
        verbose_name=_("calendar feed selector"),
    )

    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message=_("Someone with this email address already exists."),
            ),
        ]

    def __str__(self):
        return self.name or self.username

    @property
    def shares_phone(self) -> bool:
        return self.phone_shared_at is not None and bool(self.phone)

    def share_phone(self):
        self.phone_shared_at = timezone.now()
        self.save(update_fields=["phone_shared_at"])

    def set_password_nobody_knows(self):
        """A random password nobody knows, for an account whose person is emailed a link to
        choose their own; rather than an unusable one: Django's "forgot your password" refuses
        accounts without a usable password, and the link may expire before it is used."""
        self.set_password(secrets.token_urlsafe(32))

    def withdraw_phone_consent(self):
        self.phone_shared_at = None
        self.save(update_fields=["phone_shared_at"])

    def cancel_email_change(self):
        """Withdraw the new address waiting for confirmation: its link no longer works."""
        self.pending_email = ""
        self.save(update_fields=["pending_email"])

    def claim_email(self, field: str, *, now: datetime.datetime | None = None) -> bool:
        """Whether the email whose last sending `field` keeps (one of LIMITED_EMAILS) may go
        to this person now; if so, it is noted as sent. At most one per its interval. One
        conditional UPDATE, so that two workers answering at the same moment cannot both
        send."""
        now = now or timezone.now()
        interval = getattr(settings, LIMITED_EMAILS[field])
        due = models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__lte": now - interval})
        claimed = User.objects.filter(due, pk=self.pk).update(**{field: now})
        if claimed:
            setattr(self, field, now)
        return bool(claimed)

    def email_wait(self, field: str) -> datetime.timedelta | None:
        """How long until the email whose last sending `field` keeps may go to this person
        again, as claim_email counts; None if it may go now."""
        last = getattr(self, field)
        if last is None:
            return None
        wait = last + getattr(settings, LIMITED_EMAILS[field]) - timezone.now()
        return wait if wait > datetime.timedelta(0) else None

    def release_email(self, field: str, *, previous: datetime.datetime | None) -> None:
        """Undo claim_email for an email that could not be sent, so that asking again works at
        once: `field` goes back to `previous`, unless a later claim took it meanwhile (after a
        send that took longer than the interval)."""
        released = User.objects.filter(pk=self.pk, **{field: getattr(self, field)})
        if released.update(**{field: previous}):
            setattr(self, field, previous)


class SentForm(models.Model):
    """A creating form that was carried out, by the random token it carried (allies.once), and
    where its sender was sent next; kept for a day. Nothing about the person."""

    token = models.CharField(max_length=64, unique=True)
    url = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.url


class PasswordResetRequest(models.Model):
    """A request for a password reset email, by the client address it came from: enough to
    hold each address to PASSWORD_RESET_ADDRESS_LIMIT requests per
    PASSWORD_RESET_ADDRESS_WINDOW (in the database, so that it holds across workers). Not
    which account it named; deleted once older than the window."""

    ip_address = models.GenericIPAddressField(null=True)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["ip_address", "requested_at"], name="reset_request_address")
        ]

    def __str__(self):
        return f"{self.ip_address} {self.requested_at:%Y-%m-%d %H:%M}"

    @classmethod
    def admit(cls, ip_address: str | None, *, now: datetime.datetime | None = None) -> bool:
        """Whether a request from `ip_address` (None: unknown, counted as one address) may go
        on; if so, it is counted. A refused one is not, so that a client that keeps asking
        does not fill the table. Workers counting at the same moment may each let one more
        through: a limit on a flood, not an exact count."""
        now = now or timezone.now()
        since = now - settings.PASSWORD_RESET_ADDRESS_WINDOW
        cls.objects.filter(requested_at__lte=since).delete()
        recent = cls.objects.filter(ip_address=ip_address, requested_at__gt=since)
        if recent.count() >= settings.PASSWORD_RESET_ADDRESS_LIMIT:
            return False
        cls.objects.create(ip_address=ip_address, requested_at=now)
        return True
