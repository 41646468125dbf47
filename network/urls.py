from django.urls import include, path

from network import views

notification_urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:notification_id>/open/", views.notification_open, name="notification_open"),
    path("read-all/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
    path("announce/", views.announcement_create, name="announcement_create"),
]

network_urlpatterns = [
    path("members/", include("network.profiles.urls")),
    path("institutions/", include("network.institutions.urls")),
    path("events/", include("network.events.urls")),
]
