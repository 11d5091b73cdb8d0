from django.urls import path

from meetings import views, views_calendar  # noqa: F401

app_name = "meetings"
urlpatterns: list = [
    path("meetings/<int:meeting_id>/meeting.ics", views_calendar.meeting_ics, name="meeting_ics"),
    path("circles/<int:circle_id>/calendar.ics", views_calendar.circle_ics, name="circle_ics"),
]
