from django.urls import path

from meetings import views, views_calendar

app_name = "meetings"
urlpatterns = [
    path("circles/<int:circle_id>/plan/<int:year>/", views.plan_year, name="plan_year"),
    path("circles/<int:circle_id>/meetings/new/", views.new, name="new"),
    path("circles/<int:circle_id>/calendar.ics", views_calendar.circle_ics, name="circle_ics"),
    path("meetings/<int:meeting_id>/", views.detail, name="detail"),
    path("meetings/<int:meeting_id>/edit/", views.edit, name="edit"),
    path("meetings/<int:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:meeting_id>/respond/", views.respond, name="respond"),
    path("meetings/<int:meeting_id>/record/", views.record, name="record"),
    path("meetings/<int:meeting_id>/meeting.ics", views_calendar.meeting_ics, name="meeting_ics"),
]
