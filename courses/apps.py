from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network.registry import NavItem, registry

        registry.register_nav_item(
            NavItem(key="courses", label=_("Courses"), url_name="courses:catalogue", order=38)
        )
