from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from library.scale import seed_library_scale
        from library.search_provider import library_search_provider
        from library.seed import seed_library
        from network.registry import NavItem, Seeder, registry
        from network.search import register_search_provider

        registry.register_nav_item(
            NavItem(
                key="library", label=_("Library"), url_name="wagtail_serve", url_args=("library/",), order=30
            )
        )
        registry.register_seeder(Seeder(name="library", run=seed_library, order=40))
        # `seed_demo --scale N`: N extra publications, in bulk, for the search benchmark.
        registry.register_seeder(Seeder(name="library-scale", run=seed_library_scale, order=95))
        register_search_provider(library_search_provider)
