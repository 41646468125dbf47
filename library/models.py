"""The library's Wagtail pages: home, library indexes and the items they list.

Every listed item is a `LibraryItem` (a concrete page model, so that one query over its
table lists and counts publications, best practices, news, videos and programmes
together): topics, countries, language, network, year and a summary. The index pages
browse their descendants with facets (see `library.selectors`).
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.forms import FormBuilder
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField, AbstractFormSubmission
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Orderable, Page
from wagtail.search import index

from library.blocks import ArticleBodyBlock, HighlightBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4", "document-link"]
LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


def item_search_text(title: str, summary: str) -> str:
    from network.search import normalise

    return normalise(f"{title or ''} {summary or ''}")


class FallbackRoutingMixin:
    """Pages below a translated home or index page that have no translation yet are still
    served under the reader's language prefix: /es/library/x shows the English page x with
    the Spanish interface, instead of a 404 (listings link there, see `item_url`)."""

    def route(self, request, path_components):
        try:
            return super().route(request, path_components)
        except Http404:
            if not path_components or self.locale_id == Locale.get_default().pk:
                raise
            source = self.get_translation_or_none(Locale.get_default())
            if source is None:
                raise
            return source.specific.route(request, path_components)


class HomePage(FallbackRoutingMixin, Page):
    """The site's front page: an editable welcome, then what's new across the platform."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"])
    highlights = StreamField(
        [("highlight", HighlightBlock())],
        verbose_name=_("highlights"),
        blank=True,
        max_num=6,
        help_text=_("What the front page puts forward: a campaign, a call, a new course, a report."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("highlights")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from library.selectors import latest_items_for, visible_highlights
        from network.registry import registry

        context = super().get_context(request, *args, **kwargs)
        context["latest_items"] = latest_items_for(user=request.user, root=self, limit=6)
        context["highlights"] = visible_highlights(self.highlights, request.user)
        context["recent_sections"] = [
            (provider, items)
            for provider in registry.ordered_recent_providers()
            if (items := provider.items(request.user, 5))
        ]
        return context


class LibraryIndexPage(FallbackRoutingMixin, Page):
    """/library/ (and sections below it, like /library/programmes/): faceted browsing.

    A section with a network is that network's part of the library: its editors may add and
    change pages there only, and every item below it belongs to the network."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    network = models.ForeignKey(
        "network.Network",
        verbose_name=_("network section of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_sections",
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    settings_panels = Page.settings_panels + [FieldPanel("network")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["library.HomePage", "library.LibraryIndexPage"]
    subpage_types = [
        "library.LibraryIndexPage",
        "library.PublicationPage",
        "library.BestPracticePage",
        "library.ArticlePage",
        "library.VideoPage",
        "library.ProgrammePage",
        "library.SurveyPage",
    ]

    class Meta:
        verbose_name = _("library index")

    def get_context(self, request, *args, **kwargs):
        from library.selectors import browse

        context = super().get_context(request, *args, **kwargs)
        context["browse"] = browse(index=self, user=request.user, params=request.GET)
        return context


class LibraryItem(Page):
    """What every library entry has; never created on its own (is_creatable = False)."""

    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences for listings."))
    language = models.CharField(_("language"), max_length=7, choices=LANGUAGE_CHOICES, default="en")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    network = models.ForeignKey(
        "network.Network",
        verbose_name=_("network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_items",
    )
    topics = ParentalManyToManyField("network.Topic", verbose_name=_("topics"), blank=True, related_name="+")
    countries = ParentalManyToManyField(
        "network.Country", verbose_name=_("countries"), blank=True, related_name="+"
    )
    # Title and summary in lower case without accents: what the site search matches words
    # against (a trigram index makes it fast on PostgreSQL; see migration 0006).
    search_text = models.TextField(blank=True, editable=False)

    is_creatable = False
    parent_page_types = ["library.LibraryIndexPage"]
    subpage_types: list[str] = []

    taxonomy_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("language"), FieldPanel("year"), FieldPanel("network")]),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("countries"),
            ],
            heading=_("Taxonomy"),
        )
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.FilterField("language"),
        index.FilterField("year"),
    ]

    class Meta:
        verbose_name = _("library item")

    def save(self, *args, **kwargs):
        # A denormalised facet value, kept in step with the page's own dates.
        derived = self.specific_derived_year()
        if derived:
            self.year = derived
        self.search_text = item_search_text(self.title, self.summary)
        if self.path:
            section = (
                LibraryIndexPage.objects.ancestor_of(self).exclude(network=None).order_by("-depth").first()
            )
            if section is not None:  # an item filed in a network's section belongs to that network
                self.network_id = section.network_id
        return super().save(*args, **kwargs)

    def specific_derived_year(self) -> int | None:
        return None

    @property
    def type_label(self) -> str:
        return str(self.specific_class._meta.verbose_name) if self.specific_class else ""


class PublicationKind(models.TextChoices):
    REPORT = "report", _("Report")
    MANUAL = "manual", _("Manual")
    PROTOCOL = "protocol", _("Protocol")
    DIAGNOSTIC = "diagnostic", _("Diagnostic report")
    GUIDE = "guide", _("Guide")
    DATASET = "dataset", _("Dataset")


class PublicationPage(LibraryItem):
    kind = models.CharField(
        _("kind"), max_length=20, choices=PublicationKind.choices, default=PublicationKind.REPORT
    )
    authors = models.CharField(
        _("authors"), max_length=500, blank=True, help_text=_("Separate authors with “;”.")
    )
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    abstract = RichTextField(_("abstract"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("publisher")]),
        FieldPanel("authors"),
        FieldPanel("abstract"),
        InlinePanel("documents", label=_("Documents"), min_num=0),
        InlinePanel("related_links", label=_("Related pages")),
        *LibraryItem.taxonomy_panels,
    ]
    search_fields = LibraryItem.search_fields + [
        index.SearchField("authors"),
        index.SearchField("publisher"),
        index.SearchField("abstract"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def author_list(self) -> list[str]:
        return [name.strip() for name in self.authors.split(";") if name.strip()]

    def citation(self) -> str:
        """APA-like: Authors (Year). Title. Publisher. URL"""
        authors = self.author_list()
        if len(authors) > 1:
            who = ", ".join(authors[:-1]) + " & " + authors[-1]
        else:
            who = authors[0] if authors else (self.publisher or "")
        parts = [f"{who} ({self.year or 'n.d.'})." if who else f"({self.year or 'n.d.'})."]
        parts.append(f"{self.title}.")
        if self.publisher and self.publisher != who:
            parts.append(f"{self.publisher}.")
        url = self.get_full_url()
        if url:
            parts.append(url)
        return " ".join(parts)


class PublicationDocument(Orderable):
    page = ParentalKey(PublicationPage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("label"), max_length=200, blank=True, help_text=_("E.g. “Full report (PDF)”."))

    panels = [FieldPanel("document"), FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("document")


class RelatedLink(Orderable):
    page = ParentalKey(PublicationPage, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("target")]


class EvidenceRating(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PROMISING = "promising", _("Promising")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")
    NO_EFFECT = "no_effect", _("No effect")
    NOT_EVALUATED = "not_evaluated", _("Not yet evaluated")


class BestPracticePage(LibraryItem):
    """A practice in the EMMIE frame (Effect, Mechanism, Moderators, Implementation, Economic cost)."""

    problem = RichTextField(_("problem addressed"), blank=True, features=RICH_TEXT_FEATURES)
    intervention = RichTextField(_("intervention"), blank=True, features=RICH_TEXT_FEATURES)
    mechanism = RichTextField(_("mechanism"), blank=True, features=RICH_TEXT_FEATURES)
    context_and_moderators = RichTextField(
        _("context and moderators"), blank=True, features=RICH_TEXT_FEATURES
    )
    implementation = RichTextField(_("implementation"), blank=True, features=RICH_TEXT_FEATURES)
    cost = RichTextField(_("cost"), blank=True, features=RICH_TEXT_FEATURES)
    results = RichTextField(_("results"), blank=True, features=RICH_TEXT_FEATURES)
    evidence_rating = models.CharField(
        _("evidence rating"),
        max_length=20,
        choices=EvidenceRating.choices,
        default=EvidenceRating.NOT_EVALUATED,
        db_index=True,
    )
    rating_justification = RichTextField(_("why this rating"), blank=True, features=RICH_TEXT_FEATURES)
    sources = RichTextField(_("sources"), blank=True, features=RICH_TEXT_FEATURES)
    contact_institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("contact institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("problem"),
        FieldPanel("intervention"),
        FieldPanel("mechanism"),
        FieldPanel("context_and_moderators"),
        FieldPanel("implementation"),
        FieldPanel("cost"),
        FieldPanel("results"),
        MultiFieldPanel(
            [FieldPanel("evidence_rating"), FieldPanel("rating_justification"), FieldPanel("sources")],
            heading=_("Evidence"),
        ),
        FieldPanel("contact_institution"),
        *LibraryItem.taxonomy_panels,
    ]
    search_fields = LibraryItem.search_fields + [
        index.SearchField("problem"),
        index.SearchField("intervention"),
        index.SearchField("results"),
        index.FilterField("evidence_rating"),
    ]

    class Meta:
        verbose_name = _("best practice")
        verbose_name_plural = _("best practices")

    def emmie_sections(self):
        return [
            (_("Problem addressed"), self.problem),
            (_("Intervention"), self.intervention),
            (_("Mechanism"), self.mechanism),
            (_("Context and moderators"), self.context_and_moderators),
            (_("Implementation"), self.implementation),
            (_("Cost"), self.cost),
            (_("Results"), self.results),
        ]


class ArticlePage(LibraryItem):
    """News and blog posts."""

    author = models.CharField(_("author"), max_length=200, blank=True)
    date = models.DateField(_("date"), default=datetime.date.today)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("author"), FieldPanel("date")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        *LibraryItem.taxonomy_panels,
    ]
    search_fields = LibraryItem.search_fields + [index.SearchField("author"), index.SearchField("body")]

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    def specific_derived_year(self) -> int | None:
        return self.date.year if self.date else None


class VideoPage(LibraryItem):
    """One entry of the video collection (a `type=videopage` filter of the library index).

    A page per video, not a gallery page: each video gets its own URL, transcript,
    facets and privacy like every other library item.
    """

    video_url = models.URLField(_("video URL"))
    duration = models.DurationField(_("duration"), null=True, blank=True, help_text=_("hh:mm:ss"))
    transcript = RichTextField(_("transcript"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [
        FieldPanel("video_url"),
        FieldPanel("duration"),
        FieldPanel("summary"),
        FieldPanel("transcript"),
        *LibraryItem.taxonomy_panels,
    ]
    search_fields = LibraryItem.search_fields + [index.SearchField("transcript")]

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


class ProgrammePage(LibraryItem):
    """A DPS programme (an activity sheet)."""

    source_key = models.SlugField(
        _("import key"),
        max_length=120,
        blank=True,
        db_index=True,
        help_text=_("Set by the activity-sheet importer."),
    )
    pillar = models.CharField(_("pillar"), max_length=60, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_label = models.CharField(
        _("end (when not a date)"), max_length=60, blank=True, help_text=_("E.g. “Completion”.")
    )
    beneficiaries = models.TextField(_("target beneficiaries"), blank=True)
    donors = models.TextField(
        _("donors"), blank=True, help_text=_("One per line; member states are also linked below.")
    )
    donor_countries = ParentalManyToManyField(
        "network.Country", verbose_name=_("donor member states"), blank=True, related_name="+"
    )
    objectives = RichTextField(_("objectives"), blank=True, features=RICH_TEXT_FEATURES)
    results = RichTextField(_("results"), blank=True, features=RICH_TEXT_FEATURES)
    description = RichTextField(_("programme summary"), blank=True, features=RICH_TEXT_FEATURES)
    links = models.TextField(_("further information"), blank=True, help_text=_("One URL per line."))

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel(
            [FieldPanel("pillar"), FieldPanel("start_date"), FieldPanel("end_date"), FieldPanel("end_label")]
        ),
        FieldPanel("beneficiaries"),
        FieldPanel("donors"),
        FieldPanel("donor_countries"),
        FieldPanel("description"),
        FieldPanel("objectives"),
        FieldPanel("results"),
        FieldPanel("links"),
        *LibraryItem.taxonomy_panels,
    ]
    search_fields = LibraryItem.search_fields + [
        index.SearchField("description"),
        index.SearchField("objectives"),
        index.SearchField("results"),
        index.SearchField("beneficiaries"),
        index.SearchField("donors"),
    ]

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})

    def specific_derived_year(self) -> int | None:
        return self.start_date.year if self.start_date else None

    def status_on(self, day: datetime.date) -> str:
        if self.start_date and day < self.start_date:
            return ProgrammeStatus.PLANNED
        if self.end_date and day > self.end_date:
            return ProgrammeStatus.COMPLETED
        return ProgrammeStatus.ONGOING

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        return str(ProgrammeStatus(self.status).label)

    def donor_list(self) -> list[str]:
        return [line.strip() for line in self.donors.splitlines() if line.strip()]

    def link_list(self) -> list[str]:
        return [
            line.strip()
            for line in self.links.splitlines()
            if line.strip().startswith(("http://", "https://"))
        ]


# --- surveys (needs assessments and questionnaires) --------------------------------------------


class SurveyAudience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone (open survey)")
    MEMBERS = "members", _("Network members only")


class SurveyFormField(AbstractFormField):
    """One typed question of a survey (Wagtail's form builder field types)."""

    page = ParentalKey("library.SurveyPage", on_delete=models.CASCADE, related_name="form_fields")

    class Meta(AbstractFormField.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")


class SurveyResponse(AbstractFormSubmission):
    """One answer to a survey. `user` is kept only to enforce one answer per member: results
    and the CSV export are anonymous. `one_per_member` copies the page's setting at answer
    time, so the database itself refuses a second answer on such surveys."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    one_per_member = models.BooleanField(default=False)

    class Meta(AbstractFormSubmission.Meta):
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "user"],
                condition=Q(one_per_member=True),
                name="library_survey_one_answer_per_member",
            )
        ]
        indexes = [models.Index(fields=["page", "submit_time"], name="library_survey_page_time")]


class SurveyFormBuilder(FormBuilder):
    """Wagtail's form builder with a length cap on long answers (a hostile megabyte of text
    gets a form error, not a row)."""

    MULTILINE_MAX_LENGTH = 5000

    def create_multiline_field(self, field, options):
        options["max_length"] = self.MULTILINE_MAX_LENGTH
        return super().create_multiline_field(field, options)


class SurveyPage(RoutablePageMixin, AbstractForm):
    """A needs assessment or questionnaire: typed questions, open or members-only, optionally
    one answer per member, open between two dates; results (charts, CSV) for DPS staff and
    network managers at `results/` and `results/csv/` (a `results.csv` download; Wagtail page
    routes cannot contain a dot). The rules live in `library.surveys`."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    thank_you_text = RichTextField(_("thank-you text"), blank=True, features=["bold", "italic", "link"])
    audience = models.CharField(
        _("who may answer"), max_length=10, choices=SurveyAudience.choices, default=SurveyAudience.MEMBERS
    )
    one_answer_per_member = models.BooleanField(
        _("one answer per member"),
        default=True,
        help_text=_("Members answer once; answering then requires signing in."),
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)

    content_panels = AbstractForm.content_panels + [
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Questions")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("audience"), FieldPanel("one_answer_per_member")]),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            ],
            heading=_("Who and when"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["library.LibraryIndexPage"]
    subpage_types: list[str] = []
    template = "library/survey_page.html"
    landing_page_template = "library/survey_page_landing.html"
    form_builder = SurveyFormBuilder

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The survey closes before it opens.")})

    def get_submission_class(self):
        return SurveyResponse

    def is_open_at(self, moment: datetime.datetime) -> bool:
        return (self.opens_at is None or moment >= self.opens_at) and (
            self.closes_at is None or moment < self.closes_at
        )

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone.now())

    @property
    def language(self) -> str:
        return self.locale.language_code if self.locale_id else settings.LANGUAGE_CODE

    @property
    def type_label(self) -> str:
        return str(self._meta.verbose_name)

    def process_form_submission(self, form):
        from library.surveys import survey_answer

        return survey_answer(page=self, user=form.user, data=form.cleaned_data)

    # The views are thin: access rules and writes are in library.surveys.
    @path("")
    def survey_view(self, request):
        from library import surveys

        return surveys.serve_survey(page=self, request=request)

    @path("results/")
    def results_view(self, request):
        from library import surveys

        return surveys.serve_results(page=self, request=request)

    @path("results/csv/", name="results_csv")
    def results_csv_view(self, request):
        from library import surveys

        return surveys.serve_results_csv(page=self, request=request)

    def serve_preview(self, request, mode_name):
        if mode_name == "landing":
            return self.render_landing_page(request)
        from library import surveys

        return surveys.serve_survey(page=self, request=request, preview=True)
