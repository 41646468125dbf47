from django.urls import path  # noqa: F401

app_name = "forum_moderation"

urlpatterns: list = []
