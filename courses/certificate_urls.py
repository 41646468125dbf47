from django.urls import path

from courses import views

app_name = "certificates"

urlpatterns = [
    path("<str:code>/", views.verify_certificate, name="verify"),
]
