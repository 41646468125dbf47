from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from library import views as library_views
from network import search_views
from network import views as network_views
from network.urls import network_urlpatterns, notification_urlpatterns

handler403 = "network.views.permission_denied"
handler404 = "network.views.page_not_found"
handler500 = "network.views.server_error"

urlpatterns = [
    path("healthz", network_views.healthz, name="healthz"),
    # One way in: the admins' own login forms would skip two-factor authentication.
    path("cms/login/", network_views.login_redirect, name="wagtailadmin_login_redirect"),
    path("django-admin/login/", network_views.login_redirect, name="django_admin_login_redirect"),
    path("i18n/setlang/", network_views.set_language, name="set_language"),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("library/feeds/", include("library.urls")),
    path("sitemap.xml", library_views.sitemap, name="sitemap"),
]

# Human pages: English at the bare paths, other languages under /es/, /pt-br/, /fr/.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("notifications/", include(notification_urlpatterns)),
    path("network/members/", include("network.profiles.urls")),
    path("network/institutions/", include("network.institutions.urls")),
    path("network/events/", include("network.events.urls")),
    path("network/assistance/", include("network.assistance.urls")),
    path("network/", include((network_urlpatterns, "network"))),
    path("search/", search_views.site_search, name="search"),
    path("forums/", include("forums.urls")),
    path("courses/", include("courses.urls")),
    path("certificates/", include("courses.certificate_urls")),
    path("chat/", include("chat.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.PUENTE_BENCH_VIEWS:
    from django.http import HttpResponse

    # The baseline of `make bench`: the cheapest response Django can give.
    urlpatterns.insert(0, path("bench/minimal", lambda request: HttpResponse("ok"), name="bench_minimal"))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
