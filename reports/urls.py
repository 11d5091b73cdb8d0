from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("circles/overview/", views.overview, name="overview"),
    path("circles/<id:circle_id>/report/<year:year>/", views.year, name="year"),
    path("circles/<id:circle_id>/report/<year:year>/export.csv", views.export, name="export"),
]
