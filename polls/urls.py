from django.urls import path

from polls import views

app_name = "polls"
urlpatterns = [
    path("circles/<id:circle_id>/polls/", views.index, name="index"),
    path("circles/<id:circle_id>/polls/new/", views.new, name="new"),
    path("polls/<id:poll_id>/", views.detail, name="detail"),
    path("polls/<id:poll_id>/answer/", views.answer, name="answer"),
    path("polls/<id:poll_id>/pick/", views.pick, name="pick"),
    path("polls/<id:poll_id>/close/", views.close, name="close"),
]
