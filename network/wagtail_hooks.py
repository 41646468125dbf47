"""DPS staff manage networks, memberships, applications and the taxonomy from /cms/."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from network.models import Country, Membership, MembershipApplication, Network, Topic


class NetworkViewSet(SnippetViewSet):
    model = Network
    icon = "group"
    menu_label = _("Networks")
    list_display = ["name", "short_name", "is_open_for_applications"]
    search_fields = ["name", "short_name"]


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "user"
    menu_label = _("Memberships")
    list_display = ["user", "network", "role", "status", "joined_at"]
    list_filter = ["network", "role", "status"]
    search_fields = ["user__email", "user__display_name"]


class ApplicationViewSet(SnippetViewSet):
    model = MembershipApplication
    icon = "form"
    menu_label = _("Applications")
    list_display = ["applicant", "network", "country", "status", "created_at"]
    list_filter = ["network", "status", "country"]
    search_fields = ["institution_name", "position", "applicant__email"]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name_en", "name_es", "name_pt", "name_fr", "order"]
    search_fields = ["name_en", "name_es", "name_pt", "name_fr"]


class CountryViewSet(SnippetViewSet):
    model = Country
    icon = "site"
    menu_label = _("Member states")
    list_display = ["code", "name_en", "name_es", "name_pt", "name_fr"]
    search_fields = ["code", "name_en", "name_es"]


class NetworkAdminGroup(SnippetViewSetGroup):
    items = (NetworkViewSet, MembershipViewSet, ApplicationViewSet, TopicViewSet, CountryViewSet)
    menu_icon = "group"
    menu_label = _("Networks")
    menu_name = "networks"


register_snippet(NetworkAdminGroup)
