from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "network.profiles"
    label = "profiles"
    default_auto_field = "django.db.models.BigAutoField"
