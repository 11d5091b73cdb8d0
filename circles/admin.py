from django.contrib import admin, messages
from django.utils import translation
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


class MembershipInline(PersonRowsInline):
    model = Membership
    fields = MEMBERSHIP_FIELDS


class NewMembershipInline(admin.TabularInline):
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Once every row is saved: one message for the members added and those back.
        begun = [
            row for formset in formsets if formset.model is Membership for row in begun_in(formset)
        ]
        tell_begun(self, request, begun)


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

    def never_deleted(self) -> str:
        return gettext(
            "Memberships end, they are not deleted: they stay in the circle's history. To end "
            "this one, fill in “%(left_on)s”."
        ) % {"left_on": capfirst(Membership._meta.get_field("left_on").verbose_name)}

    def save_model(self, request, obj, form, change):
        """An agreement recorded here (on paper, say) is to the circle's text as it stands,
        read in the member's language; without an agreement there is no text agreed to."""
        if "committed_on" in form.changed_data:
            with translation.override(obj.person.preferred_language):
                obj.commitment_agreed_text = obj.circle.commitment if obj.committed_on else ""
        super().save_model(request, obj, form, change)
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
