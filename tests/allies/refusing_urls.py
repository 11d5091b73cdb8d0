"""Views that refuse, for the security log tests (the real pages come from other apps)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import include, path


def hidden(request, circle_id):
    raise Http404("not a member")


def forbidden(request, circle_id):
    raise PermissionDenied


def feed(request, token):
    raise Http404("unknown token")


urlpatterns = [
    path("circles/<int:circle_id>/", hidden),
    path("circles/<int:circle_id>/edit/", forbidden),
    path("calendar/<str:token>.ics", feed),
    path("", include("allies.urls")),
]
