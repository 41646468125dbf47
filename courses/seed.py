"""Demo courses (DEBUG only): courses of the police network in Spanish, English, Brazilian
Portuguese and French; one accredited by a university; the certification in police
management (a programme of required courses); a one-month on-site run at a police academy
with applications; the demo officer (officer@example.org) with one completed course and its
certificate, and one in progress with an exercise waiting for the instructor's review.

Idempotent: courses are matched by slug (an existing course is left as it is), the
programme by slug, accreditations by course and university; the learners' steps go through
`courses.services`, which refuse what is already done, so a second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from courses.models import (
    Accreditation,
    Choice,
    CompletionRule,
    Course,
    CourseFormat,
    CourseRun,
    Enrolment,
    EnrolmentStatus,
    Exercise,
    ExerciseSubmission,
    Lesson,
    Level,
    Module,
    Programme,
    Question,
    QuestionKind,
    Quiz,
    RunStatus,
)

UNIVERSITY = ("Universidad Nacional de Colombia", "CO")
ACADEMY = ("Academia Nacional de Policía – Costa Rica", "CR")
PROGRAMME_SLUG = "police-management-certification"

# slug, language(s), level, format, hours, completion rule, title, summary, modules
# modules: [(title, [(lesson title, text), ...])]
COURSES = [
    (
        "policia-comunitaria",
        "es",
        Level.INTRODUCTORY,
        CourseFormat.SELF_PACED,
        40,
        CompletionRule.LESSONS_AND_QUIZZES,
        "Fundamentos de policía comunitaria",
        "Cómo trabajar con la comunidad para prevenir el delito: diagnóstico, alianzas locales y "
        "rendición de cuentas.",
        [
            (
                "La comunidad como aliada",
                [
                    ("¿Qué es la policía comunitaria?", "Un modelo de servicio centrado en el barrio."),
                    ("Diagnóstico participativo", "Mapear problemas con vecinos, escuelas y comercios."),
                ],
            ),
            (
                "Del diagnóstico a la acción",
                [
                    ("Planes locales de seguridad", "Metas, responsables y plazos compartidos."),
                    ("Rendición de cuentas", "Informar a la comunidad sobre resultados."),
                ],
            ),
        ],
    ),
    (
        "human-rights-use-of-force",
        "en,fr",
        Level.INTERMEDIATE,
        CourseFormat.SELF_PACED,
        12,
        CompletionRule.LESSONS,
        "Human rights and the use of force",
        "International standards on the use of force and firearms, and how to apply them on duty.",
        [
            (
                "Standards",
                [
                    ("The basic principles", "Legality, necessity, proportionality and accountability."),
                    ("De-escalation", "Communication first: distance, time and cover."),
                ],
            ),
            (
                "On duty",
                [
                    ("Reporting and review", "Every use of force is reported and reviewed."),
                ],
            ),
        ],
    ),
    (
        "gestao-de-crises",
        "pt-br",
        Level.ADVANCED,
        CourseFormat.COHORT,
        60,
        CompletionRule.ALL,
        "Gestão de crises e negociação",
        "Um programa de 12 semanas com exercícios baseados em cenários e um webinar no meio do percurso.",
        [
            (
                "Primeiras horas",
                [
                    ("O comitê de crise", "Quem decide, quem comunica, quem negocia."),
                    ("Contenção e isolamento", "Perímetros e controle de acesso."),
                ],
            ),
        ],
    ),
    (
        "police-de-proximite",
        "fr",
        Level.INTRODUCTORY,
        CourseFormat.COHORT,
        20,
        CompletionRule.ALL,
        "Police de proximité et prévention",
        "Patrouilles de quartier, partenariats locaux et prévention situationnelle, avec des "
        "exercices hebdomadaires corrigés par l'instructeur.",
        [
            (
                "Le quartier",
                [
                    ("Connaître son secteur", "Acteurs, lieux sensibles et horaires."),
                    ("Les partenariats", "Écoles, associations et commerçants."),
                ],
            ),
            (
                "Prévenir",
                [
                    ("Prévention situationnelle", "Éclairage, aménagement et présence."),
                    ("Évaluer", "Des indicateurs simples et partagés."),
                ],
            ),
        ],
    ),
    (
        "gestion-policial-presencial",
        "es,en",
        Level.ADVANCED,
        CourseFormat.ON_SITE,
        160,
        CompletionRule.LESSONS,
        "Curso presencial de gestión policial",
        "Un mes en una academia de policía: planificación estratégica, gestión de personal y "
        "presupuesto, liderazgo. Plazas limitadas; postulación con aval de la institución.",
        [
            (
                "Preparación",
                [("Lecturas previas", "Documentos para leer antes de llegar a la academia.")],
            ),
        ],
    ),
]

QUIZ = {
    "es": (
        "Evaluación del módulo",
        [
            (
                QuestionKind.SINGLE,
                "¿Quién participa en el diagnóstico?",
                [("La comunidad y la policía", True), ("Solo la policía", False)],
            ),
            (
                QuestionKind.TRUE_FALSE,
                "La rendición de cuentas es parte del modelo.",
                [("Verdadero", True), ("Falso", False)],
            ),
            (
                QuestionKind.MULTIPLE,
                "Aliados habituales:",
                [("Escuelas", True), ("Comercios", True), ("Nadie", False)],
            ),
            (QuestionKind.SHORT, "¿Con quién se comparte el plan local? (una palabra)", "comunidad"),
        ],
    ),
    "en": (
        "Check your understanding",
        [
            (
                QuestionKind.SINGLE,
                "Which principle asks for the least harmful option?",
                [("Proportionality", True), ("Speed", False)],
            ),
            (QuestionKind.TRUE_FALSE, "Every use of force is reported.", [("True", True), ("False", False)]),
        ],
    ),
    "pt-br": (
        "Avaliação",
        [
            (
                QuestionKind.SINGLE,
                "Quem coordena a resposta?",
                [("O comitê de crise", True), ("A imprensa", False)],
            ),
            (
                QuestionKind.TRUE_FALSE,
                "O perímetro controla o acesso.",
                [("Verdadeiro", True), ("Falso", False)],
            ),
        ],
    ),
    "fr": (
        "Vérifiez vos acquis",
        [
            (
                QuestionKind.SINGLE,
                "Qui sont les partenaires ?",
                [("Écoles et associations", True), ("Personne", False)],
            ),
            (QuestionKind.TRUE_FALSE, "L'éclairage aide à prévenir.", [("Vrai", True), ("Faux", False)]),
        ],
    ),
}

EXERCISES = {
    "gestao-de-crises": [
        (
            1,
            "Cenário: tomada de reféns numa agência bancária",
            "Descreva as primeiras três decisões do comitê.",
        ),
        (6, "Cenário: bloqueio de rodovia", "Prepare o plano de negociação (antes do webinar)."),
        (12, "Cenário final: evento de massa", "Apresente o plano completo de gestão da crise."),
    ],
    "police-de-proximite": [
        (1, "Scénario : un conflit de voisinage", "Que faites-vous lors de votre première visite ?"),
        (2, "Scénario : vols à la sortie de l'école", "Proposez trois mesures de prévention."),
    ],
}


def _institution(name: str, country: str, kind: str):
    from network.institutions.models import Institution

    institution, _created = Institution.objects.get_or_create(
        name=name, country_id=country, defaults={"kind": kind}
    )
    return institution


def _add_quiz(course: Course, module: Module, language: str) -> None:
    title, questions = QUIZ[language.split(",")[0]]
    quiz = Quiz.objects.create(course=course, module=module, title=title, pass_mark=60, time_limit_minutes=15)
    for position, (kind, text, answers) in enumerate(questions, start=1):
        question = Question.objects.create(
            quiz=quiz,
            kind=kind,
            text=text,
            position=position,
            accepted_answers=answers if kind == QuestionKind.SHORT else "",
        )
        if kind != QuestionKind.SHORT:
            Choice.objects.bulk_create(
                Choice(question=question, text=choice, is_correct=correct, position=number)
                for number, (choice, correct) in enumerate(answers, start=1)
            )


def _create_course(network, spec, instructor) -> Course:
    slug, languages, level, course_format, hours, rule, title, summary, modules = spec
    course = Course.objects.filter(slug=slug).first()
    if course is not None:
        return course
    course = Course.objects.create(
        network=network,
        slug=slug,
        title=title,
        summary=summary,
        description=f"<p>{summary}</p>",
        languages=languages,
        level=level,
        format=course_format,
        duration_hours=hours,
        completion_rule=rule,
        is_published=True,
        is_open=course_format != CourseFormat.ON_SITE,
    )
    course.instructors.add(instructor)
    course.save()  # a ParentalManyToManyField is written on save
    for module_position, (module_title, lessons) in enumerate(modules, start=1):
        module = Module.objects.create(course=course, position=module_position, title=module_title)
        for position, (lesson_title, text) in enumerate(lessons, start=1):
            Lesson.objects.create(
                module=module, position=position, title=lesson_title, body=f"<p>{text}</p>", minutes=20
            )
    if rule != CompletionRule.LESSONS:
        _add_quiz(course, course.modules.order_by("-position").first(), languages)
    for week, exercise_title, scenario in EXERCISES.get(slug, []):
        Exercise.objects.create(
            course=course, title=exercise_title, scenario=f"<p>{scenario}</p>", release_week=week, due_days=14
        )
    return course


def _create_run(course: Course, instructor, academy) -> CourseRun:
    run = course.runs.order_by("pk").first()
    if run is not None:
        return run
    today = timezone.localdate()
    fields = {"format": course.format, "status": RunStatus.OPEN}
    if course.format == CourseFormat.COHORT:
        starts = today - timedelta(days=3)
        fields.update(
            title=f"{course.title} · {starts:%Y-%m}",
            starts_on=starts,
            ends_on=starts + timedelta(weeks=12),
            webinar_at=timezone.now() + timedelta(weeks=6),
        )
    elif course.format == CourseFormat.ON_SITE:
        starts = today + timedelta(days=60)
        fields.update(
            title=f"{academy.name} · {starts:%Y-%m}",
            starts_on=starts,
            ends_on=starts + timedelta(days=30),
            enrolment_closes=timezone.now() + timedelta(days=45),
            capacity=340,
            requires_application=True,
            venue=academy.name,
            venue_country_id=academy.country_id,
        )
    run = CourseRun.objects.create(course=course, **fields)
    run.instructors.add(instructor)
    return run


def _correct_answers(quiz: Quiz, attempt) -> dict:
    answers = {}
    for question in quiz.questions.filter(pk__in=attempt.question_ids).prefetch_related("choices"):
        if question.kind == QuestionKind.SHORT:
            answers[str(question.pk)] = question.accepted_answers.splitlines()[0]
        else:
            answers[str(question.pk)] = [choice.pk for choice in question.choices.all() if choice.is_correct]
    return answers


def _complete_course(services, officer, run: CourseRun) -> None:
    """Every lesson and quiz of the run's course, then the certificate (issued here rather
    than by the worker, so the demo has it at once)."""
    enrolment = _enrol(services, officer, run)
    if enrolment.status != EnrolmentStatus.COMPLETED:
        for lesson in Lesson.objects.filter(module__course=run.course).order_by(
            "module__position", "position"
        ):
            services.complete_lesson(officer, lesson)
        for quiz in run.course.quizzes.all():
            attempt = services.start_attempt(officer, quiz)
            services.submit_attempt(officer, attempt, _correct_answers(quiz, attempt))
        enrolment.refresh_from_db()
    if enrolment.status == EnrolmentStatus.COMPLETED:
        services.issue_certificate(enrolment)


def _enrol(services, user, run: CourseRun) -> Enrolment:
    existing = Enrolment.objects.filter(user=user, run=run).first()
    return existing or services.enrol(user, run)


def _start_course(services, officer, run: CourseRun) -> None:
    """The first lesson done, the second visited, the first exercise handed in."""
    _enrol(services, officer, run)
    first, second = Lesson.objects.filter(module__course=run.course).order_by("module__position", "position")[
        :2
    ]
    services.complete_lesson(officer, first)
    services.record_visit(officer, second)
    exercise = run.course.exercises.order_by("release_week").first()
    if (
        exercise
        and not ExerciseSubmission.objects.filter(enrolment__user=officer, exercise=exercise).exists()
    ):
        services.submit_exercise(
            officer,
            exercise,
            text="Je me présente aux deux voisins séparément, j'écoute chacun, puis je propose une médiation "
            "avec le conseil de quartier.",
        )


APPLICANTS = [
    # username, display name, language, institution that nominates, motivation, decision
    ("member", None, None, ACADEMY, "Dirijo la unidad de planificación de mi delegación.", None),
    (
        "carla.mendes",
        "Carla Mendes",
        "pt-br",
        ACADEMY,
        "Coordeno a formação de oficiais no meu estado.",
        "accept",
    ),
    ("diego.rojas", "Diego Rojas", "es", ACADEMY, "Jefe de la comisaría de Limón.", None),
]


def _applicant(username, display_name, language, network):
    from allauth.account.models import EmailAddress

    from network.models import Membership
    from network.seed import DEMO_PASSWORD

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username, email=f"{username}@example.org", display_name=display_name, language=language
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        Membership.objects.get_or_create(
            user=user, network=network, defaults={"role": "member", "status": "active"}
        )
    return user


def _seed_applications(services, run: CourseRun, network, admin) -> None:
    for username, display_name, language, (institution, country), motivation, decision in APPLICANTS:
        user = _applicant(username, display_name, language, network)
        if Enrolment.objects.filter(user=user, run=run).exists():
            continue
        nominated_by = _institution(institution, country, "police_academy")
        enrolment = services.apply(user, run, nominated_by=nominated_by, motivation=motivation)
        if decision == "accept":
            services.decide_application(admin, enrolment, accept=True)


def seed_courses(progress=None, **options) -> None:
    from courses import services
    from network.models import Network

    network = Network.objects.get(slug="police")
    User = get_user_model()
    instructor = User.objects.get(username="instructor")
    officer = User.objects.get(username="officer")
    admin = User.objects.get(username="admin")
    university = _institution(*UNIVERSITY, "university")
    academy = _institution(*ACADEMY, "police_academy")
    with transaction.atomic():
        courses = {spec[0]: _create_course(network, spec, instructor) for spec in COURSES}
        runs = {slug: _create_run(course, instructor, academy) for slug, course in courses.items()}
        Accreditation.objects.get_or_create(
            course=courses["policia-comunitaria"],
            university=university,
            defaults={
                "credit_hours": 40,
                "ects": 2,
                "valid_from": timezone.localdate() - timedelta(days=365),
            },
        )
        programme, _created = Programme.objects.get_or_create(
            slug=PROGRAMME_SLUG,
            defaults={
                "network": network,
                "title": "Certification in police management",
                "description": "Three required courses; a programme certificate when all are complete.",
            },
        )
        programme.courses.add(
            courses["policia-comunitaria"], courses["human-rights-use-of-force"], courses["gestao-de-crises"]
        )
        programme.save()  # a ParentalManyToManyField is written on save
    if progress:
        progress(len(courses))
    _complete_course(services, officer, runs["human-rights-use-of-force"])
    _start_course(services, officer, runs["police-de-proximite"])
    _seed_applications(services, runs["gestion-policial-presencial"], network, admin)
    if progress:
        progress(1)
