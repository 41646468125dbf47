from django.urls import path

from network.institutions import views

app_name = "institutions"

urlpatterns = [
    path("", views.institution_list, name="list"),
    path("map/", views.institution_map, name="map"),
    path("export.csv", views.institution_export, name="export"),
    path("<int:institution_id>/", views.institution_detail, name="detail"),
    path("certifications/<int:certification_id>/evidence/", views.evidence_download, name="evidence"),
]
