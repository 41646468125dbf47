from django.urls import path

from courses import views

app_name = "certificates"

urlpatterns = [
    path("<str:code>/", views.verify_certificate, name="verify"),
    path("<str:code>/pdf", views.certificate_pdf, name="pdf"),
    path("<str:code>/credential.json", views.certificate_credential, name="credential"),
]
