from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumModerationConfig(AppConfig):
    name = "forums.moderation"
    label = "forum_moderation"
    verbose_name = _("Forum moderation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        pass
