"""Serving-time privacy: the library's visibility rule applied to pages and documents.

Wagtail's own checks already send visitors to the login page for a page or a collection
restricted to "logged-in users". These hooks add the platform's rule on top: such
members-only content is for *vetted* members (`is_vetted_member`), so a signed-in user
without an active network membership gets a 403, not the content.
"""

from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.models import BaseViewRestriction

from network.permissions import is_vetted_member


def _login_restricted_for(user, restrictions) -> bool:
    return (
        user.is_authenticated
        and not is_vetted_member(user)
        and any(r.restriction_type == BaseViewRestriction.LOGIN for r in restrictions)
    )


@hooks.register("before_serve_page")
def members_only_pages(page, request, serve_args, serve_kwargs):
    if _login_restricted_for(request.user, page.get_view_restrictions()):
        raise PermissionDenied


@hooks.register("before_serve_document")
def members_only_documents(document, request):
    if _login_restricted_for(request.user, document.collection.get_view_restrictions()):
        raise PermissionDenied


@hooks.register("register_page_listing_more_buttons")
def survey_results_buttons(page, user, next_url=None):
    """A "Survey results" link in the page listing's menu, for those who may see results."""
    from django.utils.translation import gettext as _
    from wagtail.admin.widgets import Button

    from library.models import SurveyPage
    from library.surveys import may_view_results

    if page.specific_class is SurveyPage and page.live and page.url and may_view_results(user):
        yield Button(_("Survey results"), url=page.url + "results/", icon_name="table", priority=50)
