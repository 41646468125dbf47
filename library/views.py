from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap


def sitemap(request):
    """Wagtail's sitemap: live, public pages of the request's site only (and their
    translations, each under its language prefix)."""
    return wagtail_sitemap(request, template_name="library/sitemap.xml", content_type="application/xml")
