from django.urls import path  # noqa: F401

from circles import views  # noqa: F401

app_name = "circles"
urlpatterns: list = []
