from django.urls import path

from actions import views

app_name = "actions"
urlpatterns = [
    path("actions/", views.index, name="index"),
    path("actions/<id:action_id>/", views.detail, name="detail"),
    path("actions/<id:action_id>/update/", views.update, name="update"),
    path("actions/<id:action_id>/edit/", views.edit, name="edit"),
]
