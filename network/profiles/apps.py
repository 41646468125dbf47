from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "network.profiles"
    label = "profiles"
    verbose_name = _("Member profiles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network.registry import NavItem, Seeder, registry

        from .seed import seed_profile_institutions, seed_profiles, seed_scale

        registry.register_nav_item(
            NavItem(
                key="members", label=_("Members"), url_name="profiles:directory", order=20, members_only=True
            )
        )
        registry.register_seeder(Seeder(name="profiles", run=seed_profiles, order=10))
        # A newly approved member is listed at once, their profile started from the application.
        from network.profiles.services import profile_for_new_member

        registry.on_member_approved(profile_for_new_member)
        # Institutions are seeded at order 20: link the demo profiles to them afterwards.
        registry.register_seeder(
            Seeder(name="profiles-institutions", run=seed_profile_institutions, order=25)
        )
        # `seed_demo --scale N`: N extra members with profiles, in bulk, for benchmarks.
        registry.register_seeder(Seeder(name="profiles-scale", run=seed_scale, order=90))
