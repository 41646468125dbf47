"""Forum URLs for polls, attachments and search within a category (merged into the
`forums` namespace by forums/urls.py).

Their first segments ("polls", "attachments") and the "search" suffix must not be taken
by a category slug pattern placed before them.
"""

from django.urls import path

from forums import extra_views

urlpatterns: list = [
    path("polls/<int:poll_id>/vote/", extra_views.poll_vote, name="poll_vote"),
    path("attachments/upload/", extra_views.attachment_upload, name="attachment_upload"),
    path("attachments/<str:token>/<str:filename>", extra_views.attachment_download, name="attachment"),
    path("<slug:category_slug>/search/", extra_views.category_search, name="category_search"),
]
