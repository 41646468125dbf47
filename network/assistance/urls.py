from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("queue/", views.triage_queue, name="queue"),
    path("<int:request_id>/", views.request_detail, name="detail"),
]
