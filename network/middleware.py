from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, get_resolver, is_valid_path, reverse
from django.urls.resolvers import LocalePrefixPattern, URLResolver
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from network.permissions import has_two_factor, requires_two_factor

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
NON_PAGE_PREFIXES = (
    "/static/",
    "/media/",
    "/ws/",
    "/healthz",
    "/cms/",
    "/django-admin/",
    "/i18n/",
    "/documents/",
)


def served_outside_language_prefixes(path: str, urlconf=None) -> bool:
    """True when a URL pattern outside `i18n_patterns` answers this path."""
    for pattern in get_resolver(urlconf).url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
            continue
        try:
            if pattern.resolve(path.lstrip("/")):
                return True
        except Resolver404:
            continue
    return False


class PreferredLanguageRedirectMiddleware:
    """Send a visitor whose language is not English to the prefixed page (`/es/...`).

    English pages live at the unprefixed URLs; the others under `/es/`, `/pt-br/`, `/fr/`.
    A visitor's language is their saved choice (the cookie the switcher sets) or, on a
    first visit, the first supported language of their browser's Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = self._redirect_target(request)
        if target:
            response = HttpResponseRedirect(target)
            response.headers["Vary"] = "Accept-Language, Cookie"
            return response
        return self.get_response(request)

    def _redirect_target(self, request) -> str | None:
        if request.method not in ("GET", "HEAD") or request.path.startswith(NON_PAGE_PREFIXES):
            return None
        if translation.get_language_from_path(request.path_info):
            return None
        language = translation.get_language_from_request(request, check_path=False)
        if language == settings.LANGUAGE_CODE or language not in LANGUAGE_CODES:
            return None
        urlconf = getattr(request, "urlconf", None)
        if served_outside_language_prefixes(request.path_info, urlconf):
            return None  # feeds, sitemap, files: one URL for every language
        if not is_valid_path(f"/{language}{request.path_info}", urlconf):
            return None
        query = request.META.get("QUERY_STRING", "")
        return f"/{language}{request.path}" + (f"?{query}" if query else "")


class RequireTwoFactorMiddleware:
    """Staff and moderators without TOTP set up may only reach the pages to set it up."""

    ALLOWED_PREFIXES = ("/static/", "/media/", "/healthz", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up(request):
            setup_url = reverse("mfa_activate_totp")
            next_url = request.get_full_path()
            if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                setup_url += f"?next={next_url}"
            return HttpResponseRedirect(setup_url)
        return self.get_response(request)

    def _must_set_up(self, request) -> bool:
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated or not requires_two_factor(user):
            return False
        path = request.path_info
        language = translation.get_language_from_path(path)
        if language:
            path = path[len(language) + 1 :]
        if path.startswith(self.ALLOWED_PREFIXES) or path.startswith("/accounts/"):
            return False
        return not has_two_factor(user)


class ContentSecurityPolicyMiddleware:
    """Scripts and styles only from our own origin on the member-facing pages.

    The Wagtail and Django admins use inline scripts, so they keep the browser default.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'"
    )
    EXEMPT_PREFIXES = ("/cms/", "/django-admin/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.EXEMPT_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response
