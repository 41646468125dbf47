from django.urls import include, path

from forums import extra_urls

app_name = "forums"

urlpatterns = [
    path("moderation/", include("forums.moderation.urls")),
    *extra_urls.urlpatterns,
]
