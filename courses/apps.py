from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

NOTIFICATION_TYPES = [
    (
        "courses.enrolled",
        _("I am enrolled in a course by staff"),
        gettext_noop("You are enrolled in the course “%(course)s”."),
        "immediate",
    ),
    (
        "courses.application_accepted",
        _("My course application is accepted"),
        gettext_noop("Your application to “%(course)s” is accepted: your seat is confirmed."),
        "immediate",
    ),
    (
        "courses.application_waitlisted",
        _("My course application is put on the waiting list"),
        gettext_noop(
            "Your application to “%(course)s” is accepted; the run is full, so you are on the waiting list."
        ),
        "immediate",
    ),
    (
        "courses.application_rejected",
        _("My course application is not accepted"),
        gettext_noop("Your application to “%(course)s” was not accepted."),
        "immediate",
    ),
    (
        "courses.promoted",
        _("A seat frees up for me in a course"),
        gettext_noop("A seat is free in “%(course)s”: you are now enrolled."),
        "immediate",
    ),
    (
        "courses.exercise_reviewed",
        _("An instructor reviews my exercise"),
        gettext_noop("%(actor)s reviewed your exercise “%(exercise)s” in “%(course)s”: %(grade)s/100."),
        "immediate",
    ),
    (
        "courses.certificate_issued",
        _("I receive a certificate"),
        gettext_noop("Your certificate for “%(title)s” is ready."),
        "immediate",
    ),
    (
        "courses.certificate_revoked",
        _("A certificate of mine is revoked"),
        gettext_noop("Your certificate for “%(title)s” was revoked: %(reason)s"),
        "immediate",
    ),
    (
        "courses.cohort_message",
        _("Messages from my course instructors"),
        gettext_noop("%(actor)s wrote to the learners of “%(course)s”: %(subject)s\n\n%(body)s"),
        "immediate",
    ),
]


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from network.registry import NavItem, NotificationType, registry

        for verb, label, message, delivery in NOTIFICATION_TYPES:
            registry.register_notification_type(
                NotificationType(verb=verb, label=label, message=message, default_delivery=delivery)
            )
        registry.register_nav_item(
            NavItem(key="courses", label=_("Courses"), url_name="courses:catalogue", order=38)
        )
        # --- C2 (learner pages): the home page's recent provider and the site search
        # provider are registered below this line.
        from courses import search_provider

        search_provider.register()
        # --- C3 (staff side): the demo seeder is registered below this line.
        from courses.scale import seed_courses_scale
        from courses.seed import seed_courses
        from network.registry import Seeder

        registry.register_seeder(Seeder(name="courses", run=seed_courses, order=55))
        # `seed_demo --scale N`: the N scale members (order 90) become learners, in bulk.
        registry.register_seeder(Seeder(name="courses-scale", run=seed_courses_scale, order=96))
        from courses.teach_selectors import may_open_teaching

        registry.register_nav_item(
            NavItem(
                key="courses-teach",
                label=_("Teaching"),
                url_name="courses:teach_home",
                order=39,
                visible=may_open_teaching,
            )
        )
