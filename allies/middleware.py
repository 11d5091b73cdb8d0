from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.cache import patch_cache_control

from allies.security import log_refused

# A language picked with the switcher before signing in; sign-in keeps the session's data.
CHOSEN_LANGUAGE_SESSION_KEY = "allies_chosen_language"


def adopt_chosen_language(request, user) -> None:
    """A language picked with the switcher before signing in becomes the signed-in person's
    preferred language."""
    chosen = request.session.pop(CHOSEN_LANGUAGE_SESSION_KEY, None)
    if chosen in dict(settings.LANGUAGES) and chosen != user.preferred_language:
        user.preferred_language = chosen
        user.save(update_fields=["preferred_language"])


class PreferredLanguageMiddleware:
    """Speak the signed-in person's preferred language, whatever the browser says.

    A language picked on the login page becomes the preferred language when the person signs
    in, as picking one does for a signed-in person.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        adopt_chosen_language(request, user)
        if user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Keep what a signed-in person is shown out of every cache, the browser's included: on a
    shared computer at the station or the town hall, Back must not show the next person the
    phone numbers or dietary needs the last one saw. A response that says how it may be kept
    (the calendar feed, the data download) keeps its own Cache-Control."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RefusedAccessLogMiddleware:
    """Log every refused access to "allies.security": a view's PermissionDenied (403) or
    Http404 (a permission helper hiding a circle from a non-member), and any other 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(request, "_refusal_logged", False):
            log_refused(request, 403, "forbidden")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            log_refused(request, 403, "permission denied")
            request._refusal_logged = True
        elif isinstance(exception, Http404):
            log_refused(request, 404, "not found")
        return None
