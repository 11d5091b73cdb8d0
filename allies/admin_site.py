"""Django admin, with one change: staff change their password on the site's own page."""

from django.contrib.admin import AdminSite
from django.shortcuts import redirect


class AlliesAdminSite(AdminSite):
    def password_change(self, request, extra_context=None):
        """The site's own page checks the current password as a sign-in is, so guessing it at
        an open session is paused (allies.forms.ChangePasswordForm); admin's form does not."""
        return redirect("password_change")
