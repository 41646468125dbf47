from django.contrib import admin

from network.institutions.models import Certification, Institution


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0
    fields = ["standard", "scope", "certifying_body", "certificate_number", "valid_from", "valid_until"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "country", "kind"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "acronym"]
    list_select_related = ["country"]
    inlines = [CertificationInline]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["standard", "institution", "certifying_body", "valid_from", "valid_until"]
    list_filter = ["institution__country", "institution__kind"]
    search_fields = ["standard", "scope", "certifying_body", "certificate_number", "institution__name"]
    list_select_related = ["institution"]
    date_hierarchy = "valid_until"
    autocomplete_fields = ["institution"]
