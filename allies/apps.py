from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AlliesConfig(AppConfig):
    name = "allies"
    verbose_name = _("Allies")

    def ready(self):
        # Imported for what they register: the system checks, the security log's receivers,
        # and the <id:...> and <year:...> path converters that every app's urls.py uses.
        from allies import checks, converters, security  # noqa: F401


class AlliesAdminConfig(admin_apps.AdminConfig):
    """Django admin on the site's own AdminSite (allies/admin_site.py)."""

    default = False  # the app's default configuration is AlliesConfig
    default_site = "allies.admin_site.AlliesAdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes, under a name that says what it does: its own config has no verbose_name,
    so admin headed its models "Axes", in every language. The label stays "axes" (its tables,
    migrations and admin URLs are unchanged)."""

    default = False  # as AlliesAdminConfig
    verbose_name = _("Sign-in throttling")
