from django.urls import path

from meetings import views, views_calendar

app_name = "meetings"
urlpatterns = [
    path("circles/<id:circle_id>/plan/<year:year>/", views.plan_year, name="plan_year"),
    path("circles/<id:circle_id>/meetings/new/", views.new, name="new"),
    path("circles/<id:circle_id>/calendar.ics", views_calendar.circle_ics, name="circle_ics"),
    path("meetings/<id:meeting_id>/", views.detail, name="detail"),
    path("meetings/<id:meeting_id>/edit/", views.edit, name="edit"),
    path("meetings/<id:meeting_id>/cancel/", views.cancel, name="cancel"),
    path("meetings/<id:meeting_id>/respond/", views.respond, name="respond"),
    path("meetings/<id:meeting_id>/record/", views.record, name="record"),
    path("meetings/<id:meeting_id>/meeting.ics", views_calendar.meeting_ics, name="meeting_ics"),
]
