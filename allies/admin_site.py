"""Django admin under the site's name; staff change their password on the site's own page."""

from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class AlliesAdminSite(AdminSite):
    site_header = _("Allies administration")  # Django's "Django administration"
    site_title = _("Allies administration")  # after each page's title in <title>
    # The main menu's link here says "Administration": the page it leads to says so too.
    index_title = _("Administration")

    def password_change(self, request, extra_context=None):
        """The site's own page checks the current password as a sign-in is, so guessing it at
        an open session is paused (allies.forms.ChangePasswordForm); admin's form does not."""
        return redirect("password_change")
