from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "network.institutions"
    label = "institutions"
    verbose_name = _("Institutions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network.institutions.seed import seed_institutions
        from network.registry import NavItem, Seeder, registry

        registry.register_nav_item(
            NavItem(key="institutions", label=_("Institutions"), url_name="institutions:list", order=50)
        )
        registry.register_seeder(Seeder(name="institutions", run=seed_institutions, order=20))
