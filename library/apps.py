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
        self._invalidate_cached_counts_on_changes()

    def _invalidate_cached_counts_on_changes(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.models import Page, PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from library.cache import bump_generation

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(bump_generation, dispatch_uid=f"library-counts-{signal!r}")
        for signal in (post_save, post_delete):
            signal.connect(
                bump_generation, sender=PageViewRestriction, dispatch_uid=f"library-privacy-{signal!r}"
            )

        m2m_changed.connect(
            bump_generation, sender=PageViewRestriction.groups.through, dispatch_uid="library-privacy-groups"
        )

        def page_deleted(sender, instance, **kwargs):
            if isinstance(instance, Page):
                bump_generation()

        post_delete.connect(page_deleted, dispatch_uid="library-counts-page-deleted", weak=False)
