from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from allies.admin_utils import (
    DeleteUnlessKeptAdmin,
    KeepRowsAdmin,
    LargeTableAdmin,
    PersonRowsInline,
    YearFilter,
)
from circles import services
from circles.models import Circle, Invitation, Membership

MEMBERSHIP_FIELDS = [
    "person",
    "sector",
    "is_coordinator",
    "joined_on",
    "left_on",
    "commitment_until",
]


def begun_in(formset) -> list[Membership]:
    """The memberships a saved formset added or changed the day of leaving of: those that may
    have begun (services.memberships_begun passes over the ones saved ended)."""
    changed = [membership for membership, fields in formset.changed_objects if "left_on" in fields]
    return [*formset.new_objects, *changed]


def tell_begun(model_admin, request, memberships: list[Membership]) -> None:
    """Invite the members of memberships added or re-opened in admin to the dinners already
    planned, as the site does a member who joins there, and tell the admin how many it emails:
    without that email a member hears of no dinner before its reminder."""
    emailed = services.memberships_begun(memberships=memberships)
    if emailed:
        model_admin.message_user(
            request,
            ngettext(
                "Emailed %(count)d new member the dinners already planned.",
                "Emailed %(count)d new members the dinners already planned.",
                emailed,
            )
            % {"count": emailed},
            messages.SUCCESS,
        )


def _coordinates_after(form) -> bool:
    """Whether the membership of a cleaned admin form is an active coordinator of the circle
    it was saved with, once the form is saved."""
    data, membership = form.cleaned_data, form.instance
    circle = data.get("circle")
    return (
        bool(data.get("is_coordinator"))
        and data.get("left_on") is None
        and (circle is None or circle.pk == membership.circle_id)
    )


def _coordinated_before(form) -> bool:
    """Whether the membership of an admin form was an active coordinator as it was saved."""
    return (
        form.instance.pk is not None
        and bool(form.initial.get("is_coordinator"))
        and form.initial.get("left_on") is None
    )


def refuse_losing_coordinators(membership_forms, *, saved_with=()) -> None:
    """Give the site's refusal (services.check_keeps_a_coordinator), next to the field that
    would do it, to the admin forms among these (cleaned, of memberships of one circle) that
    would leave the circle without an active coordinator once saved together with the forms
    `saved_with` (the page's other rows): the day one leaves, the role taken away, or the
    membership moved to another circle. The site refuses it to a coordinator who steps down
    or ends a membership; the admin's form saved it, leaving the circle with nobody to plan
    its dinners. A coordinator added or made in the same save takes over: a handover."""
    for form in saved_with:
        form.is_valid()  # cleans a row whose formset is validated after these ones, once
    cleaned = [form for form in [*membership_forms, *saved_with] if hasattr(form, "cleaned_data")]
    stepping_down = [f for f in cleaned if _coordinated_before(f) and not _coordinates_after(f)]
    # Each form's own formset gives it the refusal, while it is validated: added later, it
    # would not stop the save.
    refused = [form for form in stepping_down if form in membership_forms]
    if not refused:
        return
    try:
        services.check_keeps_a_coordinator(
            circle_id=refused[0].instance.circle_id,
            stepping_down=[form.instance for form in stepping_down],
            taking_up=[form.instance for form in cleaned if _coordinates_after(form)],
        )
    except ValidationError as refusal:
        for form in refused:
            form.add_error(_refused_field(form), refusal)


def _refused_field(form) -> str:
    data = form.cleaned_data
    if data.get("left_on") is not None:
        return "left_on"
    if data.get("circle") is not None and data["circle"].pk != form.instance.circle_id:
        return "circle"
    return "is_coordinator"


class MembershipRowForm(forms.ModelForm):
    """A membership as the admin edits it: one who has left no longer coordinates
    (Membership.end takes the role away), so a membership that has ended is not made a
    coordinator. It ends on a day that has come: a day ahead would end it at once (no longer
    active) while the year's figures counted them a member until then."""

    def clean_left_on(self):
        left_on = self.cleaned_data.get("left_on")
        if left_on and "left_on" in self.changed_data and left_on > timezone.localdate():
            raise ValidationError(
                _("Fill in the day they left once it has come: today or a day gone by."),
                code="left_ahead",
            )
        return left_on

    def clean(self):
        data = super().clean()
        ended = data.get("left_on") is not None and (
            self.instance.pk is None or self.initial.get("left_on") is not None
        )
        if ended and data.get("is_coordinator") and "is_coordinator" in self.changed_data:
            self.add_error(
                "is_coordinator",
                ValidationError(
                    _("Someone who has left the circle cannot coordinate it."),
                    code="left_coordinator",
                ),
            )
        return data


class MembershipAdminForm(MembershipRowForm):
    def clean(self):
        data = super().clean()
        refuse_losing_coordinators([self])
        return data


def save_membership(form, *, by, endings: list | None = None) -> bool:
    """Save a membership as its admin form has it, by the site's rules. A day of leaving newly
    filled in ends it through services.membership_end, on that day, as the site ends one: it
    no longer coordinates (Membership.end); other changes made in the same form are saved
    first, while it is still active. Given `endings`, a list, the ending is added to it, to be
    called once the other rows of the page are saved: a member made coordinator there takes
    over before the one who leaves goes. A member made a coordinator is told, as on the site
    (services.coordinator_welcome), once they have signed in; returns whether an email tells
    them."""
    membership = form.instance
    ending = (
        membership.pk is not None
        and membership.left_on is not None
        and form.initial.get("left_on") is None
    )
    if not ending:
        made = _coordinates_after(form) and not _coordinated_before(form)
        membership.save()
        # One who has never signed in is told by the welcome email the admin sends them (the
        # people list's "send_welcome"), their way in, which says they coordinate: sent this
        # one too, they read it twice.
        return (
            made
            and membership.person.last_login is not None
            and services.coordinator_welcome(membership=membership, by=by)
        )
    left_on, membership.left_on = membership.left_on, None
    if set(form.changed_data) - {"left_on", "is_coordinator"}:
        membership.save()

    def end():
        services.membership_end(membership=membership, by=by, on=left_on)

    if endings is None:
        end()
    else:
        endings.append(end)
    return False


def tell_told(model_admin, request, memberships) -> None:
    """Say which of the members made coordinators get the email telling them."""
    for membership in memberships:
        text = gettext("%(name)s gets an email saying what a coordinator does.")
        model_admin.message_user(request, text % {"name": membership.person}, messages.INFO)


class MembershipFormSet(BaseInlineFormSet):
    """The circle's memberships on its admin page, saved by the site's rules
    (save_membership), by `by` (MembershipInlineMixin.get_formset). The page's membership
    formsets, `page` (CircleAdmin.get_formsets_with_inlines: its members and those added),
    are one change: together they keep the circle a coordinator, and the memberships they
    end are ended once all their rows are saved (end_leavers), so that a coordinator added or
    made in the same save takes over before one who leaves goes. `told` holds the members
    made coordinators who get an email."""

    by = None
    page: list  # the page's MembershipFormSets, this one among them

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.page.append(self)

    def clean(self):
        super().clean()
        others = [form for formset in self.page if formset is not self for form in formset.forms]
        refuse_losing_coordinators(self.forms, saved_with=others)

    def save(self, commit=True):
        self._endings, self.told = [], []
        return super().save(commit)

    def end_leavers(self) -> None:
        """End the memberships whose day of leaving the save filled in (save_membership)."""
        for end in self._endings:
            end()

    def save_existing(self, form, obj, commit=True):
        if not commit:
            return super().save_existing(form, obj, commit=commit)
        return self._save(form)

    def save_new(self, form, commit=True):
        if not commit:
            return super().save_new(form, commit=commit)
        setattr(form.instance, self.fk.name, self.instance)
        return self._save(form)

    def _save(self, form) -> Membership:
        if save_membership(form, by=self.by, endings=self._endings):
            self.told.append(form.instance)
        return form.instance


class MembershipInlineMixin:
    form = MembershipRowForm
    formset = MembershipFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.by = request.user  # a class of its own, made for this request
        return formset


class MembershipInline(MembershipInlineMixin, PersonRowsInline):
    model = Membership
    fields = MEMBERSHIP_FIELDS


class NewMembershipInline(MembershipInlineMixin, admin.TabularInline):
    """Adding members from the circle page; existing ones are listed above, where the day one
    leaves is entered. A member who joins has not left: without that column the row fits a
    1280-px window."""

    model = Membership
    extra = 1
    can_delete = False
    autocomplete_fields = ["person"]
    fields = [name for name in MEMBERSHIP_FIELDS if name != "left_on"]
    verbose_name_plural = _("add members")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


@admin.register(Circle)
class CircleAdmin(DeleteUnlessKeptAdmin):
    list_display = ["name", "municipality", "dinners_per_year", "preferred_weekday", "created_at"]
    # No municipality filter: at national size it lists 350 links; the search finds them.
    list_filter = ["dinners_per_year"]
    search_fields = ["name", "municipality"]
    inlines = [MembershipInline, NewMembershipInline]

    def save_model(self, request, obj, form, change):
        """A change saves through the service, as the coordinator's edit page does: members who
        agreed to a commitment text changed here are told, as they are of one changed there."""
        if change:
            services.circle_update(circle=obj, by=request.user)
        else:
            super().save_model(request, obj, form, change)

    def get_formsets_with_inlines(self, request, obj=None):
        page = []  # the membership formsets made of these, checked together
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if issubclass(formset, MembershipFormSet):
                formset.page = page  # a class of its own, made for this request
            yield formset, inline

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rows = [formset for formset in formsets if isinstance(formset, MembershipFormSet)]
        # Once every row is saved: a coordinator added on the page takes over before one who
        # leaves goes (membership_end never ends a circle's last coordinator).
        for formset in rows:
            formset.end_leavers()
        # One message for the members added and those back.
        tell_begun(self, request, [row for formset in rows for row in begun_in(formset)])

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        tell_told(self, request, getattr(formset, "told", []))


class JoinedInYear(YearFilter):
    title = _("year joined")
    field = "joined_on"


@admin.register(Membership)
class MembershipAdmin(LargeTableAdmin, KeepRowsAdmin):
    list_display = ["person", "circle", "sector", "is_coordinator", "joined_on", "left_on"]
    list_filter = [JoinedInYear, "sector", "is_coordinator", "left_on"]
    search_fields = ["person__name", "person__username", "person__email", "circle__name"]
    list_select_related = ["person", "circle"]
    autocomplete_fields = ["person", "circle"]
    # What the member agreed to is theirs to say (Membership.commit), not the admin's to write.
    readonly_fields = ["commitment_agreed_text"]
    form = MembershipAdminForm

    def never_deleted(self) -> str:
        return gettext(
            "Memberships end, they are not deleted: they stay in the circle's history. To end "
            "this one, fill in “%(left_on)s”."
        ) % {"left_on": capfirst(Membership._meta.get_field("left_on").verbose_name)}

    def save_model(self, request, obj, form, change):
        """An agreement recorded here (on paper, say) is to the circle's text as it stands,
        read in the member's language; without an agreement there is no text agreed to. The
        day of leaving ends the membership as the site does (save_membership)."""
        if "committed_on" in form.changed_data:
            with translation.override(obj.person.preferred_language):
                obj.commitment_agreed_text = obj.circle.commitment if obj.committed_on else ""
        if save_membership(form, by=request.user):
            tell_told(self, request, [obj])
        if not change or "left_on" in form.changed_data:
            tell_begun(self, request, [obj])


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations to people who have an account; they answer them on the site, so here they
    are read, not written."""

    list_display = ["person", "circle", "sector", "created_at", "answered_at", "accepted"]
    list_filter = ["accepted", "sector"]
    search_fields = ["person__name", "person__email", "circle__name"]
    list_select_related = ["person", "circle"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
