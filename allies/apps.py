from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliesConfig(AppConfig):
    name = "allies"
    verbose_name = _("Allies")

    def ready(self):
        # Imported for what they register: the system checks, the security log's receivers,
        # and the <id:...> and <year:...> path converters that every app's urls.py uses.
        from allies import checks, converters, security  # noqa: F401
