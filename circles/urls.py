from django.urls import path

from circles import views

app_name = "circles"
urlpatterns = [
    path("circles/", views.index, name="index"),
    path("circles/<id:circle_id>/", views.detail, name="detail"),
    path("circles/<id:circle_id>/contacts.vcf", views.contacts, name="contacts"),
    path("circles/<id:circle_id>/edit/", views.edit, name="edit"),
    path("circles/<id:circle_id>/commit/", views.commit, name="commit"),
    path("circles/<id:circle_id>/members/invite/", views.invite, name="invite"),
    path("circles/invitations/<id:invitation_id>/", views.invitation, name="invitation"),
    path(
        "circles/<id:circle_id>/members/<id:membership_id>/edit/",
        views.membership_edit,
        name="membership_edit",
    ),
    path(
        "circles/<id:circle_id>/members/<id:membership_id>/end/",
        views.membership_end,
        name="membership_end",
    ),
]
