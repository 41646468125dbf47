"""config.urls plus the lines the lead is asked to add (feeds and sitemap)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns
from library import views as library_views

urlpatterns = [
    path("library/feeds/", include("library.urls")),
    path("sitemap.xml", library_views.sitemap, name="sitemap"),
    *project_urlpatterns,
]
