"""Password checks beyond Django's: the blocklist NIST SP 800-63B-4 asks for, extended to the
padded and repeated forms that long passwords take ("password12345678", "welkomwelkom")
and to words any visitor of this site would guess."""

import itertools
import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Context-specific words: the service, its partners, and the usual Dutch suspects.
SITE_WORDS = {
    "allies",
    "ally",
    "bondgenoten",
    "bondgenoot",
    "politie",
    "police",
    "gemeente",
    "municipality",
    "wachtwoord",
    "welkom",
    "geheim",
}


def _is_digit_run(text: str) -> bool:
    """1234567890123, 98765432109, 0000000: digits that count up, down, or stand still."""
    if not text.isdigit() or len(text) < 2:
        return False
    digits = [int(c) for c in text]
    steps = {(b - a) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {9}, {0})


class PaddedCommonPasswordValidator:
    """Refuse a common password or site word, as it is, padded with digits or symbols, or
    repeated. It makes Django's CommonPasswordValidator's check too, on the same list, and
    takes its place in AUTH_PASSWORD_VALIDATORS: side by side, the two stated one rule twice,
    in the help texts and in the errors."""

    def __init__(self):
        self.common = CommonPasswordValidator().passwords | SITE_WORDS

    def _is_guessable(self, password: str) -> bool:
        lowered = password.lower().strip()
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
        repeated = re.fullmatch(r"(.+?)\1+", lowered)
        return (
            lowered in self.common
            or core in self.common
            or _is_digit_run(lowered)
            or bool(repeated and (repeated.group(1) in self.common or len(repeated.group(1)) < 4))
        )

    def validate(self, password, user=None):
        if self._is_guessable(password):
            raise ValidationError(
                _(
                    "This password is too easy to guess: a common word or password, padded or "
                    "repeated. A few unrelated words make a strong one."
                ),
                code="password_too_common",
            )

    def get_help_text(self):
        return _("Your password can't be a common password, padded or repeated.")
