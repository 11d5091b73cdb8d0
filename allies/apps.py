from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliesConfig(AppConfig):
    name = "allies"
    verbose_name = _("Allies")

    def ready(self):
        from allies import checks  # noqa: F401  (registers the system checks)
