"""A form that adds something is carried out once. A double click, or a form sent again
because the answer was slow (by the person, or by a browser or proxy retrying), would otherwise
schedule a second meeting (and invite everyone twice), record the agreed actions twice, or open
a second poll. (Back shows a signed-in page anew, with a new token: PrivatePagesMiddleware.)

Such a form carries a random token (OnceMixin). submit() claims it in the transaction that does
the work; a second submission with the same token waits for the first to commit, finds the
token taken, and is sent where the first went, with a note. A form without a token (a page
from before this existed) is simply carried out.
"""

import datetime
import secrets

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext

from allies.models import SentForm

FIELD = "once"
KEEP = datetime.timedelta(days=1)


class OnceMixin:
    """Adds the hidden token field; a form shown again with its errors keeps its token. Put it
    after PlainTextMixin, which then checks this field too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            max_length=SentForm._meta.get_field("token").max_length,
            initial=secrets.token_urlsafe(24),
        )


def submit(request, form, work):
    """work() (which saves and returns a redirect) once per token of the valid `form`."""
    token = form.cleaned_data.get(FIELD)
    if not token:
        return work()
    with transaction.atomic():
        try:
            with transaction.atomic():
                sent = SentForm.objects.create(token=token)
        except IntegrityError:
            earlier = SentForm.objects.get(token=token)
            messages.info(request, gettext("This form was already sent; it is saved once."))
            return redirect(earlier.url)
        response = work()
        sent.url = response.url
        sent.save(update_fields=["url"])
        SentForm.objects.filter(sent_at__lt=timezone.now() - KEEP).delete()
    return response
