from __future__ import annotations

import zoneinfo

from django import forms
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from network import permissions
from network.events.models import RESERVED_SLUGS, Event, EventKind, known_time_zones
from network.models import Country, Network

MODE_CHOICES = [
    ("", _("Online and in person")),
    ("online", _("Online")),
    ("in_person", _("In person")),
]


class EventFilterForm(forms.Form):
    """The filters of the event lists (GET). Invalid values are reported and ignored."""

    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All networks"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *EventKind.choices], required=False
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.all(),
        required=False,
        empty_label=_("All countries"),
    )
    mode = forms.ChoiceField(label=_("Where"), choices=MODE_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = (translation.get_language() or "en")[:2]
        if language in ("en", "es", "pt", "fr"):
            self.fields["country"].queryset = Country.objects.order_by(f"name_{language}")

    def filters(self) -> dict:
        """The valid filters (an invalid one is left out, its error shown on the form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "network": data.get("network"),
            "kind": data.get("kind", ""),
            "country": data.get("country"),
            "mode": data.get("mode", ""),
        }

    @property
    def is_filtered(self) -> bool:
        return any(self.filters().values())


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label=_("Present"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        self.fields["attended"].choices = [
            (registration.user_id, str(registration.user)) for registration in self.registrations
        ]
        if not self.is_bound:
            self.initial["attended"] = [r.user_id for r in self.registrations if r.attended]


DATETIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


class EventAdminForm(WagtailAdminModelForm):
    """The CMS form: times are entered in the event's own time zone, the slug is made from
    the title when left empty, and managers only pick the networks they manage."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        managed = permissions.managed_network_ids(self.for_user) if self.for_user else None
        if "network" in self.fields and managed is not None:
            self.fields["network"].queryset = Network.objects.filter(id__in=managed)
        # Show stored times as wall-clock times in the event's zone.
        if self.instance.pk and not self.is_bound:
            zone = self.instance.tz
            for name in DATETIME_FIELDS:
                value = getattr(self.instance, name, None)
                if name in self.fields and value is not None:
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)
        for name in ("starts_at", "ends_at"):
            if name in self.fields:
                self.fields[name].help_text = _("Local time in the event's time zone.")

    def clean_time_zone(self):
        value = (self.cleaned_data.get("time_zone") or "").strip()
        if value not in known_time_zones():
            raise forms.ValidationError(
                _("“%(value)s” is not a known time zone. Use a name like America/Bogota or UTC."),
                code="invalid_time_zone",
                params={"value": value},
            )
        return value

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is reserved; choose another."))
        return slug

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("time_zone")
        if zone_name:
            # The inputs were read in the admin's own zone: keep the wall-clock time and
            # put it in the event's zone instead.
            zone = zoneinfo.ZoneInfo(zone_name)
            current = timezone.get_current_timezone()
            for name in DATETIME_FIELDS:
                value = cleaned.get(name)
                if value is not None:
                    cleaned[name] = timezone.make_naive(value, current).replace(tzinfo=zone)
        if not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = unique_slug(cleaned["title"], exclude_pk=self.instance.pk)
        return cleaned

    def save(self, commit=True):
        if self.instance._state.adding and self.instance.created_by_id is None and self.for_user:
            self.instance.created_by = self.for_user
        return super().save(commit=commit)


def unique_slug(title: str, *, exclude_pk=None) -> str:
    base = slugify(title)[:200] or "event"
    if base in RESERVED_SLUGS:
        base = f"{base}-event"
    taken = set(
        Event.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug
