"""Demo content of the library (`manage.py seed_demo`): idempotent, keyed by slugs."""

from __future__ import annotations

import datetime
import io

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from library.importers import read_activity_sheets
from library.models import (
    ArticlePage,
    BestPracticePage,
    EvidenceRating,
    LibraryIndexPage,
    ProgrammePage,
    PublicationDocument,
    PublicationPage,
    VideoPage,
)
from library.services import (
    LIBRARY_EDITORS_GROUP,
    _publish,
    library_editors_setup,
    library_index_ensure,
    network_editors_group_name,
    network_sections_ensure,
    page_translate,
    programmes_import,
)
from network.models import Country, Network, Topic

MEMBERS_COLLECTION = "Members only"

# Spanish versions of two programmes (written for the demo).
PROGRAMME_TRANSLATIONS_ES = {
    "tourism-security-plan": {
        "title": "Plan de Seguridad Turística",
        "summary": (
            "En 2016 el Programa de Seguridad Turística del CICTE inició un proyecto de tres años, "
            "financiado por el gobierno de Canadá, para fortalecer las capacidades de 11 Estados Miembros "
            "de Centroamérica y el Caribe en gestión de riesgos, planes de seguridad turística y alianzas "
            "público-privadas."
        ),
        "description": (
            "<p>En 2016 el Programa de Seguridad Turística del CICTE inició la ejecución de un proyecto de "
            "tres años, financiado por el gobierno de Canadá, que busca fortalecer las capacidades de 11 "
            "Estados Miembros de Centroamérica y el Caribe en gestión de riesgos, planes de seguridad "
            "turística y alianzas público-privadas entre los actores del turismo, la seguridad nacional y "
            "otros.</p><p>Dado que los destinos turísticos son, por su naturaleza, blancos vulnerables, el "
            "programa contribuye a fortalecer las capacidades de los actores públicos y privados, de nivel "
            "estratégico y operativo, de la industria turística, y orienta la conformación de una red "
            "operativa público-privada (APP).</p><p>En este marco, el CICTE ofreció al gobierno de Costa "
            "Rica realizar una evaluación de necesidades y una asistencia técnica de seguimiento para "
            "elaborar un Plan de Seguridad Turística para un destino específico, a partir de julio de "
            "2017.</p>"
        ),
        "objectives": (
            "<p>El plan comienza con una reunión preparatoria de dos días con actores públicos y privados "
            "del sector turístico. Después, el equipo del proyecto propone ejercicios basados en escenarios "
            "durante doce a quince semanas en una plataforma electrónica, con un seminario web a mitad del "
            "proceso para evaluar avances y obstáculos.</p><p>La fase final es un taller de revisión e "
            "implementación de dos días en el que las autoridades locales y la red APP revisan y aprueban "
            "su borrador de plan de seguridad, como hoja de ruta hacia un Plan Nacional de Seguridad.</p>"
        ),
        "results": (
            "<p>Se espera reunir información precisa sobre las vulnerabilidades y amenazas del destino, "
            "los procesos existentes y el nivel de coordinación, e identificar a los socios que "
            "participarán en la asistencia técnica en línea.</p><p>Finalmente, se espera que el gobierno "
            "de Costa Rica reúna la información necesaria para elaborar un Plan de Seguridad Turística.</p>"
        ),
    },
    "port-evaluations-and-assessments": {
        "title": "Evaluaciones portuarias",
        "summary": (
            "El Programa de Seguridad Marítima ayuda a los Estados Miembros a cumplir las normas "
            "internacionales de seguridad marítima (Código PBIP) y a mejorar sus capacidades nacionales y "
            "regionales; en Costa Rica, con una evaluación de un puerto clave y una capacitación de "
            "seguimiento."
        ),
        "description": (
            "<p>El Programa de Seguridad Marítima ayuda a los Estados Miembros a cumplir las normas y "
            "buenas prácticas internacionales de seguridad marítima y a mejorar sus capacidades en los "
            "planos nacional y regional. En Costa Rica tiene previstas tres fases: evaluación de "
            "vulnerabilidades y necesidades de capacitación en puertos clave, y una capacitación de "
            "seguimiento para mitigar las vulnerabilidades detectadas.</p>"
        ),
    },
}

PROGRAMME_TOPICS = {
    "tourism-security-plan": (["tourism-security"], None),
    "port-evaluations-and-assessments": (["maritime-security"], None),
    "inter-american-network-for-the-prevention-of-violence-and-crime": (
        ["youth-violence-prevention"],
        "prevention",
    ),
    "inter-american-network-for-police-development-and-professionalization": (
        ["police-training", "police-management"],
        "police",
    ),
    "program-for-the-prevention-of-irregular-migration-in-mesoamerica": (
        ["migration", "trafficking-in-persons"],
        "prevention",
    ),
}

# slug, kind, title, language, year, topics, countries, members only, summary
PUBLICATIONS = [
    (
        "manual-victim-assistance",
        "manual",
        "Manual for the assistance and protection of victims of crime in Central America",
        "en",
        2017,
        ["victim-protection"],
        ["CR", "SV", "GT", "HN"],
        False,
        "A shared manual for institutions assisting victims and witnesses.",
    ),
    (
        "protocolo-convencion-centroamericana",
        "protocol",
        "Protocolo de implementación de la Convención Centroamericana de protección de víctimas y testigos",
        "es",
        2017,
        ["victim-protection", "organized-crime"],
        ["GT", "SV"],
        True,
        "Protocolo operativo para las instituciones de protección (solo miembros).",
    ),
    (
        "diagnostico-migracion-irregular-costa-rica",
        "diagnostic",
        "Diagnóstico nacional sobre migración irregular en Costa Rica",
        "es",
        2016,
        ["migration"],
        ["CR"],
        False,
        "Situación legislativa y operativa de la migración irregular.",
    ),
    (
        "guia-policia-comunitaria",
        "guide",
        "Guia de policiamento comunitário",
        "pt-br",
        2019,
        ["community-policing"],
        ["BR"],
        False,
        "Guia prático para unidades de policiamento comunitário.",
    ),
    (
        "rapport-cybercriminalite-caraibes",
        "report",
        "Rapport sur la cybercriminalité dans les Caraïbes",
        "fr",
        2021,
        ["cybercrime"],
        ["HT", "JM", "TT"],
        False,
        "État des lieux des capacités de lutte contre la cybercriminalité.",
    ),
    (
        "homicide-dataset-2015-2022",
        "dataset",
        "Homicides in the Americas, 2015-2022 (dataset)",
        "en",
        2023,
        ["crime-statistics"],
        [],
        True,
        "Country-year homicide counts and rates compiled from national sources (members only).",
    ),
    (
        "port-security-assessment-guide",
        "guide",
        "Port security self-assessment guide (ISPS Code)",
        "en",
        2018,
        ["maritime-security"],
        ["CR", "PA"],
        False,
        "A survey template and scoring guide for port facilities.",
    ),
]

# slug, title, language, rating, topics, countries, members only
BEST_PRACTICES = [
    (
        "focused-deterrence-youth",
        "Focused deterrence for youth gun violence",
        "en",
        EvidenceRating.EFFECTIVE,
        ["youth-violence-prevention", "firearms-control"],
        ["US"],
        False,
    ),
    (
        "escuelas-seguras",
        "Escuelas seguras y prevención de la violencia juvenil",
        "es",
        EvidenceRating.PROMISING,
        ["youth-violence-prevention"],
        ["CO", "MX"],
        False,
    ),
    (
        "tourism-police-units",
        "Specialised tourism police units",
        "en",
        EvidenceRating.PROMISING,
        ["tourism-security", "community-policing"],
        ["DO", "CR"],
        False,
    ),
    (
        "patrulhas-maria-da-penha",
        "Patrulhas Maria da Penha",
        "pt-br",
        EvidenceRating.INCONCLUSIVE,
        ["gender-based-violence"],
        ["BR"],
        False,
    ),
    (
        "controle-des-armes-amnistie",
        "Programmes d'amnistie pour la remise d'armes",
        "fr",
        EvidenceRating.NO_EFFECT,
        ["firearms-control"],
        ["HT"],
        False,
    ),
    (
        "witness-relocation-protocol",
        "Cross-border witness relocation protocol",
        "en",
        EvidenceRating.NOT_EVALUATED,
        ["victim-protection"],
        ["GT", "SV", "HN"],
        True,
    ),
]

ARTICLES = [
    (
        "police-course-honduras",
        "First on-site police course opens in Honduras",
        "en",
        "police",
        ["police-training"],
        (30, 90, 150),
    ),
    (
        "reunion-red-prevencion-2026",
        "La Red de Prevención se reúne en Washington",
        "es",
        "prevention",
        ["youth-violence-prevention"],
        (160, 60, 40),
    ),
    (
        "webinar-seguranca-turistica",
        "Webinar sobre segurança turística a meio caminho dos exercícios",
        "pt-br",
        None,
        ["tourism-security"],
        (40, 140, 90),
    ),
]

VIDEOS = [
    (
        "video-community-policing-basics",
        "Community policing: the basics",
        "https://www.youtube.com/watch?v=community-policing",
        datetime.timedelta(minutes=12, seconds=30),
        ["community-policing"],
    ),
    (
        "video-port-security-isps",
        "Port security and the ISPS Code",
        "https://vimeo.com/000000001",
        datetime.timedelta(minutes=8),
        ["maritime-security"],
    ),
]

# The smallest valid PDF with one blank page: demo downloads without any download.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def members_collection() -> Collection:
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=MEMBERS_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=MEMBERS_COLLECTION)
    if not CollectionViewRestriction.objects.filter(collection=collection).exists():
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    return collection


def demo_document(title: str, filename: str, *, private: bool) -> Document:
    document = Document.objects.filter(title=title).first()
    if document is None:
        collection = members_collection() if private else Collection.get_first_root_node()
        document = Document(title=title, collection=collection)
        document.file.save(filename, ContentFile(DEMO_PDF), save=False)
        document.save()
    return document


def demo_image(title: str, colour: tuple[int, int, int]) -> Image:
    from PIL import Image as PILImage

    image = Image.objects.filter(title=title).first()
    if image is None:
        buffer = io.BytesIO()
        PILImage.new("RGB", (480, 270), colour).save(buffer, format="PNG")
        image = Image(title=title)
        image.file.save(
            f"{title[:40].lower().replace(' ', '-')}.png", ContentFile(buffer.getvalue()), save=False
        )
        image.width, image.height = 480, 270  # a ContentFile carries no dimensions
        image.save()
    return image


def _restrict(page) -> None:
    if not PageViewRestriction.objects.filter(page=page).exists():
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def _taxonomy(page, topics, countries) -> None:
    page.topics.set(Topic.objects.filter(slug__in=topics))
    page.countries.set(Country.objects.filter(code__in=countries))


def _add(index: LibraryIndexPage, model, slug: str, **fields):
    page = model.objects.child_of(index).filter(slug=slug).first()
    created = page is None
    if created:
        page = model(slug=slug, **fields)
        index.add_child(instance=page)
    return page, created


@transaction.atomic
def seed_content(index: LibraryIndexPage, progress=None) -> None:
    networks = {network.slug: network for network in Network.objects.all()}
    public_manual = demo_document(
        "Manual for the assistance and protection of victims (PDF)", "victims-manual.pdf", private=False
    )
    private_protocol = demo_document(
        "Protocolo de protección (PDF, miembros)", "protocolo-proteccion.pdf", private=True
    )
    for slug, kind, title, language, year, topics, countries, private, summary in PUBLICATIONS:
        page, created = _add(
            index,
            PublicationPage,
            slug,
            title=title,
            kind=kind,
            language=language,
            year=year,
            summary=summary,
            authors="Department of Public Security",
            publisher="OAS",
            abstract=f"<p>{summary}</p>",
        )
        if created:
            document = private_protocol if private else public_manual
            PublicationDocument.objects.create(
                page=page, document=document, label=document.title, sort_order=0
            )
            _taxonomy(page, topics, countries)
            _publish(page)
            if private:
                _restrict(page)
        if progress:
            progress(1)
    for slug, title, language, rating, topics, countries, private in BEST_PRACTICES:
        page, created = _add(
            index,
            BestPracticePage,
            slug,
            title=title,
            language=language,
            evidence_rating=rating,
            year=2020,
            network=networks.get("prevention"),
            summary=f"{title}: {rating.label}.",
            problem="<p>High rates of violence concentrated in a few places and people.</p>",
            intervention="<p>A coordinated, focused response by police, services and community.</p>",
            mechanism="<p>Deterrence through certainty of response, and support that opens alternatives.</p>",
            context_and_moderators="<p>Works where agencies share data and community leaders take part.</p>",
            implementation="<p>A steering group, a problem analysis, regular call-ins and follow-up.</p>",
            cost="<p>Mostly staff time of the participating agencies.</p>",
            results="<p>Evaluations report changes in the targeted outcomes; see the sources.</p>",
            rating_justification="<p>Rated on the strength and consistency of the evaluations below.</p>",
            sources="<p>National evaluation reports and systematic reviews.</p>",
        )
        if created:
            _taxonomy(page, topics, countries)
            _publish(page)
            if private:
                _restrict(page)
        if progress:
            progress(1)
    for position, (slug, title, language, network, topics, colour) in enumerate(ARTICLES):
        image = demo_image(title, colour)
        page, created = _add(
            index,
            ArticlePage,
            slug,
            title=title,
            language=language,
            author="DPS",
            date=datetime.date(2026, 11, 1) + datetime.timedelta(days=7 * position),
            network=networks.get(network) if network else None,
            summary=title,
            body=[
                ("paragraph", f"<p>{title}.</p>"),
                ("image", {"image": image, "alt_text": title, "caption": ""}),
                ("quote", {"quote": "Prevention is a shared responsibility.", "attribution": "DPS"}),
            ],
        )
        if created:
            _taxonomy(page, topics, [])
            _publish(page)
        if progress:
            progress(1)
    for slug, title, url, duration, topics in VIDEOS:
        page, created = _add(
            index,
            VideoPage,
            slug,
            title=title,
            video_url=url,
            duration=duration,
            language="en",
            year=2024,
            summary=title,
            transcript="<p>Transcript to come.</p>",
        )
        if created:
            _taxonomy(page, topics, [])
            _publish(page)
        if progress:
            progress(1)


def seed_programmes(progress=None) -> None:
    from library.management.commands.import_activity_sheets import default_sheets_path

    path = default_sheets_path()
    if not path.is_file():
        return
    programmes_import(records=read_activity_sheets(path), progress=progress)
    networks = {network.slug: network for network in Network.objects.all()}
    for page in ProgrammePage.objects.filter(locale__language_code="en").exclude(source_key=""):
        topics, network = PROGRAMME_TOPICS.get(page.source_key, ([], None))
        if topics and not page.topics.exists():
            page.topics.set(Topic.objects.filter(slug__in=topics))
            page.network = networks.get(network) if network else None
            _publish(page)
    programmes = ProgrammePage.objects.filter(locale__language_code="en").first()
    if programmes is not None:
        library = programmes.get_parent().get_parent().specific
        page_translate(page=library, language_code="es", title="Biblioteca")
        page_translate(page=programmes.get_parent().specific, language_code="es", title="Programas")
    for key, fields in PROGRAMME_TRANSLATIONS_ES.items():
        page = ProgrammePage.objects.filter(source_key=key, locale__language_code="en").first()
        if page is not None:
            page_translate(page=page, language_code="es", **fields)
            if progress:
                progress(1)


def seed_library(progress=None, scale=0, **options) -> None:
    index = library_index_ensure()
    library_editors_setup(index=index)
    seed_editors()
    seed_programmes(progress=progress)
    seed_content(index, progress=progress)
    seed_survey(index, progress=progress)
    seed_highlights(index)


def seed_highlights(index: LibraryIndexPage) -> None:
    """Two front-page highlights (once): the programmes and the needs assessment."""
    from library.models import HomePage, SurveyPage

    home = HomePage.objects.filter(pk=index.get_parent().pk).first()
    if home is None or len(home.highlights):
        return
    programmes = LibraryIndexPage.objects.child_of(index).filter(slug="programmes").first()
    survey = SurveyPage.objects.child_of(index).first()
    home.highlights = [
        (
            "highlight",
            {
                "title": "The DPS programmes",
                "text": "Tourism security, port security, victims and witnesses: what each programme does.",
                "page": programmes,
                "url": "",
            },
        ),
        (
            "highlight",
            {
                "title": "Needs assessment: tourism security",
                "text": "Members: tell the project team what your destination needs.",
                "page": survey,
                "url": "",
            },
        ),
    ]
    _publish(home)


def seed_editors() -> None:
    """Each network's section with its editors' group; the demo network manager edits the
    prevention network's section (drafts there, a DPS editor reviews and publishes) and the
    DPS administrator is a library editor."""
    from network.models import User

    network_sections_ensure()
    manager = User.objects.filter(username="manager").first()
    prevention = Network.objects.filter(slug="prevention").first()
    if manager is not None and prevention is not None:
        manager.groups.add(Group.objects.get(name=network_editors_group_name(prevention)))
    admin = User.objects.filter(username="admin").first()
    if admin is not None:
        admin.groups.add(Group.objects.get(name=LIBRARY_EDITORS_GROUP))


# --- demo survey -------------------------------------------------------------------------------

SURVEY_SLUG = "needs-assessment-tourism-security"
# label, type, required, choices, help text
SURVEY_QUESTIONS = [
    (
        "Your sector",
        "radio",
        True,
        "Public security\nTourism authority\nPrivate sector\nCivil society\nOther",
        "",
    ),
    (
        "Which threats concern your destination most?",
        "checkboxes",
        True,
        "Crime against tourists\nOrganized crime\nNatural disasters\nTerrorism\nCyber incidents\n"
        "Health emergencies",
        "Choose all that apply.",
    ),
    (
        "How well do public and private actors coordinate today?",
        "dropdown",
        True,
        "Not at all\nA little\nSomewhat\nWell\nVery well",
        "",
    ),
    ("How many people in your institution work on tourism security?", "number", False, "", ""),
    ("Date of your last security exercise", "date", False, "", "Leave empty if there has been none."),
    (
        "What training or support would help you most?",
        "multiline",
        False,
        "",
        "For example: risk management, public-private partnerships, crisis communication.",
    ),
]
# username: answers in the order of SURVEY_QUESTIONS
SURVEY_ANSWERS = {
    "member": (
        "Civil society",
        ["Crime against tourists", "Natural disasters"],
        "A little",
        "4",
        "2025-03-14",
        "Crisis communication with hotels and tour operators.",
    ),
    "officer": (
        "Public security",
        ["Crime against tourists", "Organized crime", "Cyber incidents"],
        "Somewhat",
        "35",
        "2026-06-02",
        "Scenario-based exercises with the tourism police unit.",
    ),
    "manager": (
        "Tourism authority",
        ["Natural disasters", "Health emergencies"],
        "Well",
        "12",
        "",
        "A public-private partnership network for the destination.",
    ),
}


def seed_survey(index: LibraryIndexPage, progress=None) -> None:
    """The tourism-security needs assessment (members only, one answer per member) and a few
    answers from demo accounts, each added once."""
    from library.models import SurveyFormField, SurveyPage
    from library.surveys import SurveyRefused, has_answered, survey_answer
    from network.models import User

    page = SurveyPage.objects.child_of(index).filter(slug=SURVEY_SLUG).first()
    if page is None:
        page = SurveyPage(
            title="Needs assessment: tourism security",
            slug=SURVEY_SLUG,
            intro=(
                "<p>Before a Tourism Security Plan starts, the project team gathers information on the "
                "destination's vulnerabilities and threats, its existing processes and how public and "
                "private actors coordinate. Your answers shape the scenario-based exercises.</p>"
            ),
            thank_you_text="<p>The project team will share the summary at the preparatory meeting.</p>",
            audience="members",
            one_answer_per_member=True,
            form_fields=[
                SurveyFormField(
                    label=label,
                    field_type=kind,
                    required=required,
                    choices=choices,
                    help_text=help_text,
                    sort_order=position,
                )
                for position, (label, kind, required, choices, help_text) in enumerate(SURVEY_QUESTIONS)
            ],
        )
        index.add_child(instance=page)
        _publish(page)
    names = [question.clean_name for question in page.form_fields.all()]
    for username, answers in SURVEY_ANSWERS.items():
        user = User.objects.filter(username=username).first()
        if user is None or has_answered(page, user):
            continue
        form = page.get_form(dict(zip(names, answers, strict=True)), page=page, user=user)
        if not form.is_valid():
            continue
        try:
            survey_answer(page=page, user=user, data=form.cleaned_data)
        except SurveyRefused:
            continue  # not a network member in this database
        if progress:
            progress(1)
