"""What every form of the site shares about bad input: text without control characters, ids
that fit a database column, phone numbers without NUL bytes.

tests/test_form_limits.py checks the text fields of every form; tests/test_fuzz_forms.py throws
random input at every form.
"""

import re

from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from allies.converters import MAX_ID

# Upper bounds for text kept in TextFields, which the database does not bound: generous for
# what a person writes, small enough that a page, an email or a calendar file stays readable.
LONG_TEXT_MAX_LENGTH = 5_000  # descriptions, agenda notes, the commitment, action updates
MINUTES_MAX_LENGTH = 20_000

# C0 and C1 control characters and DEL. NUL is left to Django's own validator (every CharField
# has it), so that a NUL byte gets one message, not two.
ONE_LINE_CONTROLS = r"[\x01-\x1f\x7f-\x9f]"
# A text area keeps its tabs and line breaks.
TEXT_CONTROLS = r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
CONTROLS_MESSAGE = _("This text contains invisible control characters; please remove them.")

one_line_text = RegexValidator(
    re.compile(ONE_LINE_CONTROLS), CONTROLS_MESSAGE, code="control_characters", inverse_match=True
)
multi_line_text = RegexValidator(
    re.compile(TEXT_CONTROLS), CONTROLS_MESSAGE, code="control_characters", inverse_match=True
)


class PlainTextMixin:
    """A form whose text fields refuse control characters: an escape code, a vertical tab, or a
    line break in a one-line field. They would travel into emails, calendar files and vCards:
    a line break in a meeting's title makes every email about it fail, since a subject cannot
    hold one. Text areas keep tabs and line breaks, each break as one "\n": a browser counts
    it as one character against the text area's maxlength but sends it as "\r\n", and a text
    the browser let through would otherwise be too long. Passwords are left as they are typed.

    Put it first among the form's bases. Every text field also needs a max_length
    (tests/test_form_limits.py checks both).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField):
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            multi_line = isinstance(field.widget, forms.Textarea)
            field.validators.append(multi_line_text if multi_line else one_line_text)
            if multi_line:
                field.to_python = _one_character_line_breaks(field.to_python)


def _one_character_line_breaks(to_python):
    """to_python, with "\r\n" made "\n" before the field checks the length."""

    def wrapped(value):
        value = to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    return wrapped


class ModelMultipleIdChoiceField(forms.ModelMultipleChoiceField):
    """Django's field puts any number it is sent into an `id IN (...)` query, and SQLite cannot
    bind one above 2**63 - 1 (OverflowError: a server error). Such a value is refused like any
    other id that is not among the choices."""

    def _check_values(self, value):
        for pk in value:
            try:
                fits = 1 <= int(str(pk)) <= MAX_ID
            except ValueError:
                continue  # not a number at all: Django's own check refuses it
            if not fits:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class PhoneField(PhoneNumberField):
    """A phone number, in any form the phonenumbers library reads (default region NL).

    The library skips what it does not understand, so "+31612345678<NUL>" would pass as a valid
    number; every other text field refuses a NUL byte, and this one does too."""

    def to_python(self, value):
        if isinstance(value, str):
            ProhibitNullCharactersValidator()(value)
        return super().to_python(value)


def languages_in_their_own_names() -> list[tuple[str, str]]:
    """The site's languages as choices, each in its own name, as the language switcher has
    them: whoever cannot read the page finds theirs."""
    return [
        (code, translation.get_language_info(code)["name_local"])
        for code, _name in settings.LANGUAGES
    ]
