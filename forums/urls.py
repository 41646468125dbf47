from django.urls import include, path

from forums import extra_urls, views

app_name = "forums"

# Category slugs "moderation", "preview", "t", "topic" and "post" are taken by these paths.
urlpatterns = [
    path("moderation/", include("forums.moderation.urls")),
    *extra_urls.urlpatterns,
    path("", views.index, name="index"),
    path("preview/", views.preview, name="preview"),
    path("t/<int:pk>/", views.topic_redirect, name="topic_short"),
    path("t/<int:pk>/<slug:slug>/", views.topic_detail, name="topic"),
    path("topic/<int:pk>/follow/", views.topic_follow, name="topic_follow"),
    path("topic/<int:pk>/mentions/", views.mention_autocomplete, name="mentions"),
    path("post/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("post/<int:pk>/history/", views.post_history, name="post_history"),
    path("post/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("post/<int:pk>/react/", views.post_react, name="post_react"),
    path("post/<int:pk>/accept/", views.post_accept, name="post_accept"),
    path("<slug:slug>/", views.category_detail, name="category"),
    path("<slug:slug>/new/", views.topic_create, name="topic_create"),
    path("<slug:slug>/follow/", views.category_follow, name="category_follow"),
]
