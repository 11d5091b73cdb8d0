from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from allies.admin_utils import LargeTableAdmin, NeverDeletedAdmin, change_page
from allies.models import User
from allies.privacy import NameMentions, name_mentions, person_erase
from circles import services as circles_services
from circles.admin import begun_in, tell_begun, tell_told
from circles.models import Membership

# Whether a person added here chooses their own password from an email, or gets one the admin
# makes up: Django's "password-based authentication" field, its "disabled" meaning the email
# here, so that its page hides the password fields for it (admin/auth/user/add_form.html).
EMAIL_A_LINK = "false"


class PersonAddForm(AdminUserCreationForm):
    """Admin's form to add a person: rather than a password the admin makes up and passes on
    by phone, they may be emailed a link to choose their own, once their membership (below the
    form) is saved (UserAdmin.save_related). Their account then has a password nobody knows,
    not Django's unusable one (User.set_password_nobody_knows)."""

    usable_password = forms.ChoiceField(
        label=_("Getting a password"),
        choices={
            EMAIL_A_LINK: _("Email them a link to choose a password"),
            "true": _("Enter a password to pass on to them"),
        },
        initial=EMAIL_A_LINK,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "radiolist inline"}),
        help_text=_(
            "The email welcomes them, in their preferred language, to the circle chosen "
            "below, and names you as who invites them."
        ),
    )

    def clean(self):
        cleaned_data = super().clean()
        emailed = not cleaned_data["set_usable_password"]
        if emailed and not cleaned_data.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                _("Enter their email address: the link to choose a password goes to it."),
            )
        return cleaned_data

    def set_password_and_save(self, user, commit=True, **kwargs):
        if self.cleaned_data["set_usable_password"]:
            return super().set_password_and_save(user, commit=commit, **kwargs)
        user.set_password_nobody_knows()
        if commit:
            user.save()
        return user


class WelcomeMembershipFormSet(BaseInlineFormSet):
    def clean(self):
        """A person to be emailed a link has a circle to be welcomed into. The choice is the
        person's form's, posted beside this formset (without a prefix)."""
        super().clean()
        emailed = self.data.get("usable_password") == EMAIL_A_LINK
        if emailed and not any(form.cleaned_data for form in self.forms):
            raise ValidationError(
                _(
                    "Choose the circle they join: the email welcomes them to it. For someone "
                    "who joins no circle, enter a password to pass on to them."
                ),
                code="no_circle",
            )


class NewPersonMembershipInline(admin.TabularInline):
    """The circle a person added here joins, and whether they coordinate it: a new circle's
    first coordinator is made in one form. Later memberships are the circle's to add."""

    model = Membership
    formset = WelcomeMembershipFormSet
    fields = ["circle", "sector", "is_coordinator"]
    autocomplete_fields = ["circle"]
    extra = 1
    can_delete = False


@admin.register(User)
class UserAdmin(LargeTableAdmin, NeverDeletedAdmin, DjangoUserAdmin):
    list_display = ["username", "name", "email", "organisation", "preferred_language", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language"]
    search_fields = ["username", "name", "email", "organisation"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "phone_shared_at",
        "pending_email",
        "email_change_sent_at",
    ]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Personal details"),
            {
                "fields": [
                    "name",
                    "email",
                    "pending_email",
                    "email_change_sent_at",
                    "phone",
                    "phone_shared_at",
                    "organisation",
                    "preferred_language",
                    "dietary_needs",
                    "reminders_enabled",
                ]
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_form = PersonAddForm
    actions = ["erase_people", "send_welcome"]

    def get_inlines(self, request, obj):
        return [] if obj else [NewPersonMembershipInline]

    def save_model(self, request, obj, form, change):
        # The link to a new address the person asked for names the address they had then: one
        # set here ends it, so it no longer waits. Another case is the same address.
        if change and obj.email.lower() != form.initial.get("email", "").lower():
            obj.pending_email = ""
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Once their membership is saved: the welcome is to its circle, and says whether they
        # coordinate it. None goes to someone given a password to pass on: the coordinator
        # email tells them.
        if not change and form.cleaned_data["set_usable_password"]:
            self._tell_coordinators(request, formsets)
        elif not change:
            self._send_welcomes(request, [form.instance])
        # After the welcome: its membership's dinners come with their first password instead.
        begun = [
            row for formset in formsets if formset.model is Membership for row in begun_in(formset)
        ]
        tell_begun(self, request, begun)

    def _tell_coordinators(self, request, formsets) -> None:
        told = [
            membership
            for formset in formsets
            if formset.model is Membership
            for membership in formset.new_objects
            if membership.is_coordinator
            and circles_services.coordinator_welcome(membership=membership, by=request.user)
        ]
        tell_told(self, request, told)

    def has_delete_permission(self, request, obj=None):
        # A person's rows carry the circles' history (answers, attendance, actions): people
        # are erased (anonymised), never deleted.
        return False

    def never_deleted(self) -> str:
        return gettext(
            "People are erased (anonymised), not deleted: their answers, attendance and "
            "actions stay in the circles' history. To erase this person, select them in the "
            "list of people and choose “%(action)s”."
        ) % {"action": self.erase_people.short_description}

    @admin.action(description=_("Erase the selected people (anonymise)"), permissions=["change"])
    def erase_people(self, request, queryset):
        """Anonymise people everywhere, after a confirmation page; not oneself, and not a
        superuser (take that right away first)."""
        refused = queryset.filter(Q(is_superuser=True) | Q(pk=request.user.pk))
        if refused.exists():
            self.message_user(
                request,
                gettext("Superusers and your own account cannot be erased."),
                messages.ERROR,
            )
            return None
        if request.POST.get("confirm") != "yes":
            ctx = {
                **self.admin_site.each_context(request),
                "title": gettext("Erase people"),
                "opts": self.model._meta,
                "people": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/allies/user/erase_confirmation.html", ctx)
        erased = []
        for person in queryset:
            # Looked for first: erasing overwrites the name that is looked for.
            erased.append(name_mentions(person))
            person_erase(person=person)
            # Logged after erasing, so that admin's history names the anonymised person only.
            self.log_change(
                request,
                person,
                gettext(
                    "Erased: full name, username, email address and phone number replaced "
                    "by “former member” in every text; account closed."
                ),
            )
        self.message_user(
            request,
            ngettext("%(count)d person erased.", "%(count)d people erased.", len(erased))
            % {"count": len(erased)},
            messages.SUCCESS,
        )
        self._ask_to_check(request, erased)
        return None

    def _ask_to_check(self, request, erased: list[NameMentions]) -> None:
        """Say which records of their circles still name the erased people by a part of their
        name (privacy.name_mentions), to check by hand; or that none does."""
        left = [mentions for mentions in erased if mentions.records]
        for mentions in left:
            self.message_user(request, self._still_mentioned(mentions), messages.WARNING)
        if not left:
            self.message_user(
                request,
                gettext(
                    "No record of their circles names them by their first name or surname any "
                    "more: none to check by hand."
                ),
                messages.INFO,
            )

    def _still_mentioned(self, mentions: NameMentions) -> str:
        """What to check by hand: the records whose text still holds a part of the name, each
        linked to its change page."""
        names = ", ".join(f"“{part}”" for part in mentions.parts)
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (
                    change_page(record),
                    f"{capfirst(record._meta.verbose_name)}: {name}",
                )
                for record, name in mentions.records
            ),
        )
        text = gettext(
            "Free text still names them as %(names)s: the full name was replaced, a first name "
            "or surname alone was not. Check these by hand:"
        ) % {"names": names}
        return format_html("{} {}", text, links)

    @admin.action(
        description=_("Send a welcome email with a link to choose a password"),
        permissions=["change"],
    )
    def send_welcome(self, request, queryset):
        """Welcome each selected person to their circle (circles.services.person_welcome): how
        a circle's first coordinator, made here, starts without a password passed on by
        phone."""
        self._send_welcomes(request, queryset)

    def _send_welcomes(self, request, people) -> None:
        """Send the welcome to each of these people, naming those it cannot reach and why,
        and saying how many it went to."""
        sent = 0
        for person in people:
            try:
                circles_services.person_welcome(person=person, by=request.user)
            except ValidationError as refusal:
                self.message_user(request, refusal.messages[0], messages.WARNING)
            else:
                sent += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d welcome email sent, with a link to choose a password.",
                "%(count)d welcome emails sent, each with a link to choose a password.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS if sent else messages.WARNING,
        )

    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "name",
                    "email",
                    "preferred_language",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]


# django-axes's own admin, imported above so that it is registered first. Its texts are
# translated through the project's catalogue (allies/django_texts.py), and its rows named in the
# admin's language (allies.apps.AxesConfig). Its list of failed sign-ins is left out: this site
# keeps no such log (AXES_ENABLE_ACCESS_FAILURE_LOG is off; the failures are in the attempts),
# so it was always empty.
admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)

# Axes's separator between the data of one failed sign-in and the next (in
# axes.handlers.database.AxesDatabaseHandler.user_login_failed, not exposed).
FAILURE_SEPARATOR = "\n---------\n"


class SignInRecordAdmin(admin.ModelAdmin):
    """Axes's records are what happened: they can be viewed and deleted (deleting an attempt
    lifts its pause), not changed. Without the change permission admin shows each row's page
    read-only, without "Save" buttons, and the list still links to it. Its long values (HTTP
    Accept) wrap by static/css/admin.css, which every admin page loads."""

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SignInRecordAdmin, AxesAccessAttemptAdmin):
    fieldsets = [
        (None, {"fields": ["username", "path_info", "failures_since_start", "expiration"]}),
        (_("Form Data"), {"fields": ["sent_get_data", "sent_post_data"]}),
        (_("Meta Data"), {"fields": ["user_agent", "ip_address", "http_accept"]}),
    ]
    readonly_fields = [*AxesAccessAttemptAdmin.readonly_fields, "sent_get_data", "sent_post_data"]

    @admin.display(description=_("GET Data"))
    def sent_get_data(self, attempt):
        return self._data_of_failures(attempt.get_data)

    @admin.display(description=_("POST Data"))
    def sent_post_data(self, attempt):
        return self._data_of_failures(attempt.post_data)

    def _data_of_failures(self, data: str) -> str:
        """What the failed sign-ins sent, without axes's separator lines between empty ones
        (a sign-in is posted: its GET data is "---------" once per failure after the first)."""
        sent = [part for part in data.split(FAILURE_SEPARATOR) if part.strip()]
        return FAILURE_SEPARATOR.join(sent) or self.get_empty_value_display()

    # Axes's expiry rule is its handler's, which removes every expired attempt and takes no
    # selection; the name says so rather than copy that rule here.
    @admin.action(
        description=_("Remove all expired attempts (whatever is selected)"),
        permissions=["delete"],
    )
    def cleanup_expired_attempts(self, request, queryset):
        """Axes's action, which failed with a server error (it reads the time of the request
        that axes sets on a sign-in only) and said how many it removed in English, however
        translated (it puts the number in before translating: "Cleaned up 3 expired access
        attempts.")."""
        AxesProxyHandler.update_request(request)
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d expired attempt removed.", "%(count)d expired attempts removed.", count
            )
            % {"count": count},
        )


@admin.register(AccessLog)
class AccessLogAdmin(SignInRecordAdmin, AxesAccessLogAdmin):
    pass
