"""Masking the secrets that some URLs carry, in any log line; free of Django imports, since
logging is configured (and gunicorn's logger loaded) before the apps are."""

import logging
import re

# Secrets in URLs, wherever a path is logged (Django's "Not Found: ...", gunicorn's access log):
# the calendar feed's token, the password-reset link's user id and token, and the token of the
# link that confirms a new email address.
SECRET_IN_URL = re.compile(
    r"(?P<head>/calendar/)[^/\s?\"]+(?P<tail>\.ics)"
    r"|(?P<reset>/reset/)[^/\s?\"]+/[^/\s?\"]+"
    r"|(?P<email>/profile/email/)[^/\s?\"]+"
)


def mask_secrets(text: str) -> str:
    """`text` with the secrets of URLs in it replaced by ***."""

    def masked(match):
        if match["head"]:
            return f"{match['head']}***{match['tail']}"
        if match["email"]:
            return f"{match['email']}***"
        return f"{match['reset']}***/***"

    return SECRET_IN_URL.sub(masked, text)


class MaskSecretsFilter(logging.Filter):
    """A logging filter for every handler: formats the message and masks URL secrets in it."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = mask_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
