"""Included by chat/urls.py under `moderation/` (inside the `chat` namespace)."""

from django.urls import path

from chat.moderation import views

urlpatterns = [
    path("", views.queue, name="moderation"),
    path("messages/<int:message_id>/report/", views.report, name="moderation_report"),
    path("messages/<int:message_id>/remove/", views.remove, name="moderation_remove"),
    path("messages/<int:message_id>/dismiss/", views.dismiss, name="moderation_dismiss"),
    path("rooms/<slug:slug>/members/<str:username>/silence/", views.silence, name="moderation_silence"),
    path("rooms/<slug:slug>/members/<str:username>/lift/", views.lift, name="moderation_lift"),
]
