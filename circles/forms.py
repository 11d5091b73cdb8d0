import re

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from circles.models import Circle, Membership, Sector

# An invite link as WhatsApp hands it out: https://chat.whatsapp.com/<code>
WHATSAPP_INVITE = re.compile(
    r"https://chat\.whatsapp\.com/(?:invite/)?(?P<code>[A-Za-z0-9]{16,32})/?"
)


class CircleForm(forms.ModelForm):
    """A circle's settings, as its coordinators keep them."""

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
            "description": forms.Textarea(attrs={"rows": 3}),
            "preferred_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "commitment_text": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "whatsapp_link": _(
                "The group's invite link, like https://chat.whatsapp.com/AbCdEf1234567890GhIjKl. "
                "Only members of the circle see it."
            ),
            "commitment_text": _("What a member agrees to for a year when they press “I commit”."),
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


class InviteForm(forms.Form):
    """A person to add to a circle; an existing account is found by its email address."""

    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    phone = PhoneNumberField(
        label=_("Phone number"),
        required=False,
        help_text=_("Optional. Other members only see it once the person agrees to share it."),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)

    def __init__(self, *args, circle: Circle, **kwargs):
        self.circle = circle
        super().__init__(*args, **kwargs)

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
