from django.urls import path, re_path

from network.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("past/", views.event_past, name="past"),
    path("feed/<slug:network_slug>.ics", views.network_feed, name="feed"),
    # A signed token holds ":" separators; it never holds "/" or ".".
    re_path(
        r"^feed/(?P<network_slug>[-\w]+)/(?P<token>[-\w:]+)\.ics$",
        views.network_feed_personal,
        name="feed_personal",
    ),
    path("<slug:slug>.ics", views.event_ics, name="ics"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/register/", views.event_register, name="register"),
    path("<slug:slug>/cancel/", views.event_cancel_registration, name="cancel"),
    path("<slug:slug>/attendance/", views.event_attendance, name="attendance"),
]
