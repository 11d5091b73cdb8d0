from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliesConfig(AppConfig):
    name = "allies"
    verbose_name = _("Allies")

    def ready(self):
        from allies import checks, security  # noqa: F401  (system checks, log receivers)
