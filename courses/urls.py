from django.urls import include, path

from courses import dashboard, teach_urls, views

app_name = "courses"

# Course slugs "mine", "teach" and "dashboard" are taken by the pages below.
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mine/", views.my_learning, name="mine"),
    path("teach/", include(teach_urls.urlpatterns)),
    path("dashboard/", include(dashboard.urlpatterns)),
    path("<slug:slug>/", views.course_detail, name="course"),
    path("<slug:slug>/runs/<int:run_id>/enrol/", views.enrol, name="enrol"),
    path("<slug:slug>/runs/<int:run_id>/apply/", views.apply, name="apply"),
    path("<slug:slug>/unenrol/", views.unenrol, name="unenrol"),
    path("<slug:slug>/learn/", views.learn, name="learn"),
    path("<slug:slug>/learn/<int:lesson_id>/", views.lesson_detail, name="lesson"),
    path("<slug:slug>/learn/<int:lesson_id>/complete/", views.lesson_complete, name="lesson_complete"),
    path("<slug:slug>/quiz/<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("<slug:slug>/quiz/<int:quiz_id>/attempts/<int:attempt_id>/", views.attempt_detail, name="attempt"),
    path("<slug:slug>/exercises/<int:exercise_id>/", views.exercise_detail, name="exercise"),
]
