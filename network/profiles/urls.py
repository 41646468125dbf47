from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("", views.directory, name="directory"),
    # Before <username>/: "me" is the signed-in member.
    path("me/", views.my_profile, name="me"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("<str:username>/", views.profile_detail, name="profile"),
    path("<str:username>/photo/<str:size>.jpg", views.profile_photo, name="photo"),
]
