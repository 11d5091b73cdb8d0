from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("circles/overview/", views.overview, name="overview"),
    path("circles/<int:circle_id>/report/<int:year>/", views.year, name="year"),
    path("circles/<int:circle_id>/report/<int:year>/export.csv", views.export, name="export"),
]
