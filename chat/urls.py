from django.urls import include, path

from chat import views

app_name = "chat"

# Fixed paths before <slug>/: their first segments are RESERVED_ROOM_SLUGS.
urlpatterns = [
    path("", views.index, name="index"),
    path("new/group/", views.group_create, name="group_create"),
    path("new/room/", views.room_create, name="room_create"),
    path("dm/<str:username>/", views.direct, name="direct"),
    path("moderation/", include("chat.moderation.urls")),  # chat/moderation (helper H3)
    path("<slug:slug>/", views.room, name="room"),
    path("<slug:slug>/send/", views.send, name="send"),
    path("<slug:slug>/messages/", views.message_list, name="messages"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/mute/", views.mute, name="mute"),
    path("<slug:slug>/invite/", views.invite, name="invite"),
    path("<slug:slug>/remove/", views.remove, name="remove"),
]
