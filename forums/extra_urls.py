"""Forum URLs for polls, attachments and search within a category (merged into the
`forums` namespace by forums/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
