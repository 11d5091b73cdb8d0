"""Django's own texts that the site shows, marked so that the project's Dutch catalogue keeps
its translations of them; and django-simple-history's and django-axes's, which have no Dutch at
all: admin's history pages were half in English, and axes's pages (sign-in attempts and
sign-ins) wholly. And a few of Django 5.2's admin texts that its Dutch catalogue lacks.

Django's Dutch catalogue speaks formally ("Uw wachtwoord moet minstens 15 tekens lang zijn."),
the site informally ("je"), and the two met on one page: the help texts and errors of the
password validators and of the password forms (set password, change password). Django 5.2 also
has no Dutch at all for the too-short error, which showed in English. The project's catalogue
(LOCALE_PATHS) is read after Django's and its translations replace Django's, so a msgid of
Django's translated there is said the site's way.

makemessages only collects the project's own texts, and `make messages` (--no-obsolete) drops
the rest, so the msgids are marked here; nothing imports this module. Each must be exactly
Django's, curly apostrophe included: when Django changes one, its Dutch page falls back to
Django's wording, and tests/allies/test_password_reset_confirm.py and test_password_change.py
say so (tests/allies/test_history.py for simple-history's and tests/allies/test_axes_admin.py
for axes's, which fall back to English).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

TEXTS = [
    # django.contrib.auth.forms.PasswordChangeForm
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    # django.contrib.auth.password_validation: help texts and errors of the validators in
    # settings.AUTH_PASSWORD_VALIDATORS.
    # Django's curly apostrophe, as in its msgid.
    gettext_noop("Your password can’t be too similar to your other personal information."),  # noqa: RUF001
    # Django's Dutch has "op de %(verbose_name)s", wrong for "het e-mailadres".
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    # django-simple-history: its history page (the list's column headings are in
    # templates/simple_history/object_history_list.html), the kind of each change, and the
    # page that reverts to a version.
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("Revert %s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Revert"),
    # A related row deleted since (a topic, say) in the changes column.
    gettext_noop("Deleted %(type_name)s"),
    # Django admin's, new in 5.2 and not in its Dutch catalogue: the headings of the index's
    # tables (hidden, read out by a screen reader) and the <title>'s prefix when a form has
    # errors. (The search box's label is templates/admin/search_form.html's.)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    # An inline's add link, with the name capitalised (capfirst) where Dutch has it mid-sentence
    # ("Nog een Lidmaatschap toevoegen").
    gettext_noop("Add another %(verbose_name)s"),
    # The person add page's, reworded in 5.2 (curly apostrophes, as in its msgid).
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),  # noqa: RUF001
    # django-axes (axes/models.py, axes/admin.py): its models' names, its fields' (the list's
    # columns and filters, the change page's labels), the change page's sections, the filter
    # on a pause and the status column ("4 Attempt Remaining", or "Locked Out"). Its app's
    # name and its rows' are allies.apps.AxesConfig's; its clean-up action and the labels of
    # the form data, allies.admin.AccessAttemptAdmin's. Its log of failures is not in admin.
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Locked Out"),
    gettext_noop("Attempt Remaining"),
    # The change page's "expiration" is the reverse relation to this model, not the admin's
    # method of that name: its label is this name (and the method's "Not set" never shows).
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
]
