import re

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from allies.formfields import (
    LONG_TEXT_MAX_LENGTH,
    PhoneField,
    PlainTextMixin,
    languages_in_their_own_names,
)
from allies.models import User
from circles.models import Circle, Membership, Sector

# An invite link as WhatsApp hands it out: https://chat.whatsapp.com/<code>
WHATSAPP_INVITE = re.compile(
    r"https://chat\.whatsapp\.com/(?:invite/)?(?P<code>[A-Za-z0-9]{16,32})/?"
)


def _long_text(name: str, rows: int, **kwargs) -> forms.CharField:
    """The circle's TextField as a form field, bounded: the database column is not."""
    return Circle._meta.get_field(name).formfield(
        max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class CircleForm(PlainTextMixin, forms.ModelForm):
    """A circle's settings, as its coordinators keep them."""

    description = _long_text("description", rows=3)
    commitment_text = _long_text(
        "commitment_text",
        rows=5,
        help_text=_(
            "What a member agrees to for a year when they press “I commit”. When you change "
            "it, the members who agreed to it get an email asking them to commit again."
        ),
    )

    class Meta:
        model = Circle
        fields = [
            "description",
            "whatsapp_link",
            "dinners_per_year",
            "preferred_weekday",
            "preferred_time",
            "dinner_minutes",
            "default_venue_name",
            "default_venue_address",
            "default_venue_kind",
            "reminder_days",
            "commitment_text",
        ]
        widgets = {
            "preferred_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "whatsapp_link": _(
                "The group's invite link, like https://chat.whatsapp.com/AbCdEf1234567890GhIjKl. "
                "Only members of the circle see it."
            ),
        }

    def clean_whatsapp_link(self):
        link = self.cleaned_data["whatsapp_link"].strip()
        if not link:
            return ""
        match = WHATSAPP_INVITE.fullmatch(link)
        if match is None:
            raise forms.ValidationError(
                _("Enter a WhatsApp group invite link: https://chat.whatsapp.com/ and its code."),
                code="invalid",
            )
        # One spelling for every circle: WhatsApp answers the short form as well.
        return f"https://chat.whatsapp.com/{match['code']}"


class InviteForm(PlainTextMixin, forms.Form):
    """A person to add to a circle; an existing account is found by its email address."""

    name = forms.CharField(label=_("Name"), max_length=User._meta.get_field("name").max_length)
    # Django's EmailField takes up to 320 characters; the account's column holds 254.
    email = forms.EmailField(
        label=_("Email address"), max_length=User._meta.get_field("email").max_length
    )
    phone = PhoneField(
        label=_("Phone number"),
        max_length=User._meta.get_field("phone").max_length,
        required=False,
        help_text=_("Optional. Other members only see it once the person agrees to share it."),
    )
    # No sector chosen beforehand: a coordinator who overlooked the field would file a
    # resident under the police.
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("Choose a sector")), *Sector.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_(
            "The language of the invitation and, for someone new, of the site. Someone who "
            "already has an account gets the email in the language they chose."
        ),
    )

    def __init__(self, *args, circle: Circle, **kwargs):
        self.circle = circle
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages_in_their_own_names()
        # The coordinator's own language is the likely one; a citizen who reads English
        # better is a choice away.
        self.fields["language"].initial = translation.get_language()

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        already = self.circle.memberships.active().filter(person__email__iexact=email)
        if already.exists():
            raise forms.ValidationError(
                _("%(email)s is already a member of this circle."),
                code="already_member",
                params={"email": email},
            )
        return email


class MembershipForm(forms.ModelForm):
    """Sector and coordinator role; a circle always keeps at least one coordinator."""

    class Meta:
        model = Membership
        fields = ["sector", "is_coordinator"]
        help_texts = {
            "is_coordinator": _(
                "Coordinators plan the dinners, invite members and change the circle's settings."
            ),
        }
