"""Courses in the Wagtail admin (/cms/): DPS staff edit every course, instructors the
courses they teach.

Snippets: courses with their modules inline, lessons, quizzes with questions and their
choices inline, exercises, runs, accreditations (by universities: institutions of kind
university) and certification programmes. Permissions follow `courses.teach_selectors`
rather than Django model permissions, so that an instructor's access follows the courses
they teach: the lists show only those, other objects are refused (Wagtail redirects with a
message), and the course fields offer only those. Accreditations and programmes are for
DPS staff only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses import teach_selectors
from courses.models import Accreditation, Course, CourseRun, Exercise, Lesson, Module, Programme, Quiz
from network import permissions

STAFF_ONLY_ACTIONS = {"delete"}


def _course_of(instance) -> Course | None:
    if isinstance(instance, Course):
        return instance
    if isinstance(instance, Lesson):
        return instance.module.course if instance.module_id else None
    return getattr(instance, "course", None) if getattr(instance, "course_id", None) else None


class CourseContentPolicy(BasePermissionPolicy):
    """DPS staff: everything. Instructors: view, add and change the content of the courses
    they teach (deleting stays with DPS staff)."""

    course_path = "course"  # the lookup from the model to its course

    def user_has_permission(self, user, action):
        if not teach_selectors.may_edit_courses(user):
            return False
        return permissions.is_dps_staff(user) or action not in STAFF_ONLY_ACTIONS

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return permissions.is_dps_staff(user) or teach_selectors.may_edit_course(user, _course_of(instance))

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        if permissions.is_dps_staff(user):
            return self.model._default_manager.all()
        courses = teach_selectors.courses_editable_by(user).values("pk")
        lookup = "pk__in" if self.course_path == "self" else f"{self.course_path}__in"
        return self.model._default_manager.filter(**{lookup: courses})

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        staff = Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=permissions.DPS_STAFF_GROUP)
        if not set(actions) - STAFF_ONLY_ACTIONS:
            return get_user_model().objects.filter(staff, is_active=True).distinct()
        instructors = Q(groups__name=permissions.INSTRUCTORS_GROUP) | Q(memberships__role="instructor")
        return get_user_model().objects.filter(staff | instructors, is_active=True).distinct()


class StaffOnlyPolicy(CourseContentPolicy):
    """Accreditations and programmes: decided by DPS staff, not by a course's instructors."""

    def user_has_permission(self, user, action):
        return permissions.may_act(user) and permissions.is_dps_staff(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return self.model._default_manager.all()
        return self.model._default_manager.none()

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(STAFF_ONLY_ACTIONS)


def _policy(model, path: str, policy_class=CourseContentPolicy):
    policy = policy_class(model)
    policy.course_path = path
    return policy


POLICIES = {
    Course: _policy(Course, "self"),
    Lesson: _policy(Lesson, "module__course"),
    Quiz: _policy(Quiz, "course"),
    Exercise: _policy(Exercise, "course"),
    CourseRun: _policy(CourseRun, "course"),
    Accreditation: _policy(Accreditation, "course", StaffOnlyPolicy),
    Programme: _policy(Programme, "courses", StaffOnlyPolicy),
}
for _model, _model_policy in POLICIES.items():
    register_permission_policy(_model, _model_policy, exact_class=True)


# --- forms: an instructor picks only among their own courses ------------------------------------


class CourseScopedForm(WagtailAdminModelForm):
    """Limits the course (and module) choices to what the signed-in person may edit, and
    refuses an object moved to a course they do not teach."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or permissions.is_dps_staff(user):
            return
        courses = teach_selectors.courses_editable_by(user)
        if "course" in self.fields:
            self.fields["course"].queryset = courses
        if "module" in self.fields:
            self.fields["module"].queryset = Module.objects.filter(course__in=courses.values("pk"))
        if "prerequisites" in self.fields:
            self.fields["prerequisites"].queryset = Course.objects.all()


# --- views: each object is checked, not only the model ------------------------------------------


class _InstanceCheckedMixin:
    instance_action = "change"

    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        policy = POLICIES.get(self.model)
        if policy and not policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, instance
        ):
            raise PermissionDenied
        return instance


class EditView(_InstanceCheckedMixin, snippet_views.EditView):
    pass


class DeleteView(_InstanceCheckedMixin, snippet_views.DeleteView):
    instance_action = "delete"


class CopyView(_InstanceCheckedMixin, snippet_views.CopyView):
    pass


class HistoryView(_InstanceCheckedMixin, snippet_views.HistoryView):
    pass


class UsageView(_InstanceCheckedMixin, snippet_views.UsageView):
    pass


class InspectView(_InstanceCheckedMixin, snippet_views.InspectView):
    pass


class CourseViewSetBase(SnippetViewSet):
    edit_view_class = EditView
    delete_view_class = DeleteView
    copy_view_class = CopyView
    history_view_class = HistoryView
    usage_view_class = UsageView
    inspect_view_class = InspectView

    def get_queryset(self, request):
        return POLICIES[self.model].instances_user_has_permission_for(request.user, "change")


class CourseViewSet(CourseViewSetBase):
    model = Course
    icon = "doc-full"
    menu_label = _("Courses")
    list_display = ["title", "network", "format", "level", "is_published"]
    list_filter = ["network", "format", "level", "is_published"]
    search_fields = ["title", "summary", "slug"]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("slug"),
            FieldPanel("network"),
            FieldPanel("summary"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("format"), FieldPanel("level"), FieldPanel("duration_hours")]),
            FieldPanel("languages"),
            FieldPanel("topics"),
            FieldPanel("instructors"),
            FieldPanel("prerequisites"),
            MultiFieldPanel(
                [FieldPanel("completion_rule"), FieldPanel("is_open"), FieldPanel("is_published")],
                heading=_("Enrolment and completion"),
            ),
            InlinePanel("modules", heading=_("Modules"), label=_("Module")),
        ]
    )


class LessonViewSet(CourseViewSetBase):
    model = Lesson
    icon = "doc-full-inverse"
    menu_label = _("Lessons")
    list_display = ["title", "module", "position", "minutes"]
    list_filter = ["module__course"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("module"),
            FieldRowPanel([FieldPanel("position"), FieldPanel("minutes")]),
            FieldPanel("title"),
            FieldPanel("body"),
            MultiFieldPanel(
                [FieldPanel("video_url"), FieldPanel("transcript")], heading=_("Video and transcript")
            ),
            FieldPanel("document"),
            FieldPanel("library_page"),
        ],
        base_form_class=CourseScopedForm,
    )


class QuizViewSet(CourseViewSetBase):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = ["title", "course", "pass_mark", "time_limit_minutes", "attempts_allowed"]
    list_filter = ["course"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldPanel("module"),
            FieldPanel("title"),
            FieldRowPanel(
                [FieldPanel("pass_mark"), FieldPanel("time_limit_minutes"), FieldPanel("attempts_allowed")]
            ),
            FieldRowPanel([FieldPanel("questions_per_attempt"), FieldPanel("shuffle")]),
            InlinePanel(
                "questions",
                heading=_("Question bank"),
                label=_("Question"),
                panels=[
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("points"), FieldPanel("position")]),
                    FieldPanel("text"),
                    FieldPanel("accepted_answers"),
                    FieldPanel("explanation"),
                    InlinePanel(
                        "choices",
                        label=_("Choice"),
                        panels=[FieldPanel("text"), FieldPanel("is_correct"), FieldPanel("position")],
                    ),
                ],
            ),
        ],
        base_form_class=CourseScopedForm,
    )


class ExerciseViewSet(CourseViewSetBase):
    model = Exercise
    icon = "edit"
    menu_label = _("Exercises")
    list_display = ["title", "course", "release_week", "due_days"]
    list_filter = ["course"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldPanel("title"),
            FieldPanel("scenario"),
            FieldRowPanel([FieldPanel("release_week"), FieldPanel("due_days"), FieldPanel("pass_grade")]),
            FieldPanel("allows_file"),
        ],
        base_form_class=CourseScopedForm,
    )


class CourseRunViewSet(CourseViewSetBase):
    model = CourseRun
    icon = "date"
    menu_label = _("Runs")
    list_display = ["__str__", "course", "format", "status", "starts_on", "active_count"]
    list_filter = ["format", "status", "course"]
    search_fields = ["title", "venue"]
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("format"), FieldPanel("status")]),
            FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
            FieldRowPanel([FieldPanel("enrolment_opens"), FieldPanel("enrolment_closes")]),
            FieldRowPanel([FieldPanel("capacity"), FieldPanel("requires_application")]),
            MultiFieldPanel([FieldPanel("venue"), FieldPanel("venue_country")], heading=_("On site")),
            FieldRowPanel([FieldPanel("webinar_at"), FieldPanel("completion_deadline")]),
            FieldPanel("instructors"),
        ],
        base_form_class=CourseScopedForm,
    )


class AccreditationViewSet(CourseViewSetBase):
    model = Accreditation
    icon = "success"
    menu_label = _("Accreditations")
    list_display = ["course", "university", "credit_hours", "ects", "valid_from", "valid_until"]
    list_filter = ["university"]
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldPanel("university"),
            FieldRowPanel([FieldPanel("credit_hours"), FieldPanel("ects")]),
            FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
            FieldPanel("document"),
        ]
    )


class ProgrammeViewSet(CourseViewSetBase):
    model = Programme
    icon = "list-ul"
    menu_label = _("Programmes")
    list_display = ["title", "network"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("slug"),
            FieldPanel("network"),
            FieldPanel("description"),
            FieldPanel("courses"),
        ]
    )


class CoursesAdminGroup(SnippetViewSetGroup):
    items = (
        CourseViewSet,
        LessonViewSet,
        QuizViewSet,
        ExerciseViewSet,
        CourseRunViewSet,
        AccreditationViewSet,
        ProgrammeViewSet,
    )
    menu_icon = "doc-full"
    menu_label = _("Courses")
    menu_name = "courses"


register_snippet(CoursesAdminGroup)
