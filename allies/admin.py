from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from allies.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "name", "email", "organisation", "preferred_language", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language"]
    search_fields = ["username", "name", "email", "organisation"]
    readonly_fields = ["last_login", "date_joined", "phone_shared_at"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Personal details"),
            {
                "fields": [
                    "name",
                    "email",
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
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "name", "email", "password1", "password2"],
            },
        ),
    ]
