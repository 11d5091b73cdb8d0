from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def feed_urls(user) -> dict[str, str]:
    """The person's feed address, as https (to paste) and webcal (to subscribe in one tap)."""
    url = settings.SITE_URL + reverse("calendar_feed", kwargs={"token": user.feed_token})
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}
