from django.urls import path

from chat import views

app_name = "chat"

# Fixed paths before <slug>/: their first segments are RESERVED_ROOM_SLUGS.
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.room, name="room"),
]
