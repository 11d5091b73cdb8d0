from django.conf import settings
from django.utils import translation

# A language picked with the switcher before signing in; sign-in keeps the session's data.
CHOSEN_LANGUAGE_SESSION_KEY = "allies_chosen_language"


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
        chosen = request.session.pop(CHOSEN_LANGUAGE_SESSION_KEY, None)
        if chosen in dict(settings.LANGUAGES) and chosen != user.preferred_language:
            user.preferred_language = chosen
            user.save(update_fields=["preferred_language"])
        if user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)
