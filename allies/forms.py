import datetime
import math

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
)
from django.core.mail import EmailMultiAlternatives
from django.core.validators import MaxLengthValidator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from allies import services
from allies.formfields import PhoneField, PlainTextMixin, languages_in_their_own_names
from allies.models import User
from allies.security import clear_failures, cooloff_minutes
from meetings import notify


def is_current_password(request, user: User, password: str) -> bool:
    """Whether `password` is the user's, checked as a sign-in is: through authenticate() with
    the request, so that django-axes counts a wrong one against the username and the client's
    address, and once they are locked refuses even the right one. Otherwise anyone at an open
    session could guess the password at leisure. A right one clears that count, as a
    successful sign-in does."""
    found = authenticate(request, username=user.get_username(), password=password)
    if found is None or found.pk != user.pk:
        return False
    clear_failures(request, user)
    return True


class LoginForm(PlainTextMixin, AuthenticationForm):
    """Django's sign-in form, with the username held to its length like any other field.

    Django only sets the attribute, without a validator, so a 10,000-character username
    reached the authentication backends, and django-axes stores a failed one in a column of
    255 characters (PostgreSQL refuses longer: a server error)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
        username.label = _("Email address or username")


class ResetForm(PlainTextMixin, PasswordResetForm):
    """Django's password reset form, its email in the language the person chose, like every
    other email, not in the language of the browser that asked for it; and at most one such
    email per person per PASSWORD_RESET_EMAIL_INTERVAL, however often it is asked for. The
    page that follows is the same either way: it must not tell whether an account exists."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Django's, but sent through services.send_limited: Django's own logs a failed send
        and carries on, and a failed send must not use up the person's one email per
        interval. The email is plain text: the site sets no HTML template for it. Its link
        starts with SITE_URL, as every other email's does, not with the host the request
        named: one of several ALLOWED_HOSTS would have sent the link to a host of the asker's
        choosing."""
        user = context["user"]
        context = {**context, "site_url": settings.SITE_URL}
        with translation.override(user.preferred_language):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            body = render_to_string(email_template_name, context)
            message = EmailMultiAlternatives(subject, body, notify.sender(), [to_email])
        services.send_limited(person=user, field="password_reset_sent_at", message=message)


class ChangePasswordForm(PlainTextMixin, PasswordChangeForm):
    """Django's form to change my password, its current password checked as a sign-in is
    (is_current_password); once locked, AxesMiddleware answers with the lockout page."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        if self.is_bound:
            # Sent back with errors, the page opens on its error summary (error-summary.js);
            # Django's autofocus on the current password would take the focus from it.
            self.fields["old_password"].widget.attrs.pop("autofocus", None)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not is_current_password(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


def dietary_needs_help(text) -> str:
    """A help text for dietary needs, with a link to what the privacy statement says about
    them: they can reveal religion or health, so whoever fills them in can read who sees them
    and how long they stay. In a new tab, saying so: in this one, what was typed in the form
    would be lost."""
    return format_html(
        '{} <a href="{}#dietary-needs" target="_blank" rel="noopener">{}</a>',
        text,
        reverse("privacy_statement"),
        gettext("How the site handles them (opens in a new tab)"),
    )


class ProfileForm(PlainTextMixin, forms.ModelForm):
    """My own details. A new email address needs the current password: whoever controls the
    address can reset the password, so taking it over must take more than an open session.
    Nor does it take effect here: the form leaves the address as it was and sets `new_email`,
    to which the view sends a link that confirms it (allies.services); or, when that link
    went a moment ago, `link_already_sent`."""

    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Only needed when you change your email address."),
    )

    class Meta:
        model = User
        fields = [
            "name",
            "email",
            "phone",
            "organisation",
            "preferred_language",
            "dietary_needs",
            "reminders_enabled",
        ]
        field_classes = {"phone": PhoneField}
        labels = {"reminders_enabled": _("Send me reminders")}
        help_texts = {
            "email": _(
                "A new address takes effect once you confirm it, from the link we send there."
            ),
            "phone": _("Hidden from other members unless you choose to share it below."),
            "dietary_needs": _(
                "Used to prefill your answer to a dinner. Only the coordinators of your circles "
                "see it."
            ),
            "reminders_enabled": _(
                "Emails a few days before a dinner and before an action is due, and a month "
                "before your commitment runs out."
            ),
        }

    field_order = ["name", "email", "current_password"]

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        # For is_current_password, which counts wrong guesses as failed sign-ins.
        self.request = request
        self.fields["email"].required = True
        self.fields["preferred_language"].choices = languages_in_their_own_names()
        dietary_needs = self.fields["dietary_needs"]
        dietary_needs.help_text = dietary_needs_help(dietary_needs.help_text)
        self.original_email = self.instance.email
        self.new_email = None
        self.link_already_sent = None

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        # Another case is the same address (and the unique constraint ignores case): that
        # takes effect at once, without a password.
        if email is not None and email.lower() != self.original_email.lower():
            # Whether an address has an account is told only after the password: otherwise
            # anyone signed in could find out, address after address.
            if self._current_password_confirmed(cleaned.get("current_password")):
                if User.objects.filter(email__iexact=email).exists():
                    self.add_error(
                        "email",
                        forms.ValidationError(
                            _("Someone else already uses this email address."),
                            code="email_taken",
                        ),
                    )
                elif wait := self.instance.email_wait("email_change_sent_at"):
                    pending = services.email_change_pending(self.instance)
                    if pending and pending.new_email.lower() == email.lower():
                        # Asked again, as if the link had not come: it did go.
                        self.link_already_sent = pending
                    else:
                        self.add_error("email", _too_soon(wait))
                else:
                    self.new_email = email
            cleaned["email"] = self.original_email
        return cleaned

    def _current_password_confirmed(self, password) -> bool:
        if not password:
            self.add_error(
                "current_password",
                _("Enter your current password to change your email address."),
            )
            return False
        if is_current_password(self.request, self.instance, password):
            return True
        if getattr(self.request, "axes_locked_out", False):
            minutes = cooloff_minutes()
            message = ngettext_lazy(
                "Too many wrong passwords. For your safety, changing your email address is "
                "paused for %(minutes)d minute.",
                "Too many wrong passwords. For your safety, changing your email address is "
                "paused for %(minutes)d minutes.",
                "minutes",
            )
            self.add_error(
                "current_password",
                forms.ValidationError(message, code="locked_out", params={"minutes": minutes}),
            )
        else:
            self.add_error("current_password", _("That is not your current password."))
        return False


def _too_soon(wait: datetime.timedelta) -> forms.ValidationError:
    """A link to confirm a new address went out less than EMAIL_CHANGE_EMAIL_INTERVAL ago."""
    message = ngettext_lazy(
        "We sent a link to confirm a new email address a moment ago. So that no one can flood "
        "an inbox from here, you can ask for another one in %(minutes)d minute.",
        "We sent a link to confirm a new email address a moment ago. So that no one can flood "
        "an inbox from here, you can ask for another one in %(minutes)d minutes.",
        "minutes",
    )
    return forms.ValidationError(
        message, code="too_soon", params={"minutes": minutes_to_wait(wait)}
    )


def minutes_to_wait(wait: datetime.timedelta) -> int:
    """A wait as the whole minutes a person is told, rounded up: never "0 minutes"."""
    return math.ceil(wait.total_seconds() / 60)


class PhoneConsentForm(forms.Form):
    """One click to share my phone number with my circles, one click to stop."""

    share = forms.TypedChoiceField(
        choices=[("yes", _("Share")), ("no", _("Stop sharing"))],
        coerce=lambda value: value == "yes",
    )
