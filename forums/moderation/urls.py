from django.urls import path

from forums.moderation import views

app_name = "forum_moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("audit/", views.audit, name="audit"),
    path("posts/<int:post_id>/flag/", views.flag, name="flag"),
    path("posts/<int:post_id>/hide/", views.post_hide, name="post_hide"),
    path("posts/<int:post_id>/restore/", views.post_restore, name="post_restore"),
    path("posts/<int:post_id>/approve/", views.post_approve, name="post_approve"),
    path("posts/<int:post_id>/reject/", views.post_reject, name="post_reject"),
    path("posts/<int:post_id>/dismiss-flags/", views.flags_dismiss, name="flags_dismiss"),
    path("topics/<int:topic_id>/", views.topic_action, name="topic_action"),
    path("networks/<slug:network_slug>/members/<str:username>/", views.silence, name="silence"),
]
