from django.urls import path

from network import dashboard_views, views
from network import membership_views as membership

notification_urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:notification_id>/open/", views.notification_open, name="notification_open"),
    path("read-all/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
    path("announce/", views.announcement_create, name="announcement_create"),
]

network_urlpatterns = [
    path("", membership.network_list, name="list"),
    path("apply/", membership.apply, name="apply"),
    path("apply/<int:application_id>/answer/", membership.application_answer, name="application_answer"),
    path(
        "apply/<int:application_id>/withdraw/", membership.application_withdraw, name="application_withdraw"
    ),
    path("applications/", membership.application_queue, name="application_queue"),
    path("applications/<int:application_id>/", membership.application_review, name="application_review"),
    path("dashboard/", dashboard_views.network_dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard_views.network_dashboard_csv, name="dashboard_csv"),
    path("n/<slug:slug>/leave/", membership.membership_leave, name="leave"),
    path("n/<slug:slug>/members/", membership.network_members_manage, name="members_manage"),
]
