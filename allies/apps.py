from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils import formats, timezone
from django.utils.translation import gettext
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

    def ready(self):
        super().ready()
        # Axes names its rows in English, with the time in UTC to the microsecond ("Attempted
        # Access: 2026-11-30 12:47:44.348302+00:00"). Admin shows that name wherever it names a
        # row: the change page's <title>, heading and breadcrumb, the list's checkbox labels,
        # the delete page and its message, and the "Recent actions" log (which stores it).
        # Overriding admin's titles would cover some of those; the row's own name covers all.
        # Set here, not in a subclass: the rows are axes's own models (a proxy would change
        # admin's URLs and need a migration), and nothing but these pages shows the name.
        from axes.models import AccessAttempt, AccessLog

        AccessAttempt.__str__ = attempt_name
        AccessLog.__str__ = sign_in_name


def _local(moment) -> str:
    """A moment as admin's lists show it: in local time, in the reader's language."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def attempt_name(attempt) -> str:
    """An axes.AccessAttempt (failed sign-ins by one name from one address and browser),
    by its name and last time: "Inlogpoging van citizen op 30 november 2026, 13:47"."""
    if not attempt.username:
        return gettext("Sign-in attempt on %(time)s") % {"time": _local(attempt.attempt_time)}
    return gettext("Sign-in attempt by %(username)s on %(time)s") % {
        "username": attempt.username,
        "time": _local(attempt.attempt_time),
    }


def sign_in_name(sign_in) -> str:
    """An axes.AccessLog (one sign-in): "Inlogging van admin op 30 november 2026, 13:47"."""
    return gettext("Sign-in by %(username)s on %(time)s") % {
        "username": sign_in.username,
        "time": _local(sign_in.attempt_time),
    }
