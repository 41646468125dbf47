"""The instructors' pages, included by courses/urls.py at "teach/" (names in the "courses"
namespace, prefixed "teach_")."""

from django.urls import path

from courses import teach_views

urlpatterns = [
    path("", teach_views.teach_home, name="teach_home"),
    path("runs/<int:run_id>/", teach_views.run_detail, name="teach_run"),
    path("runs/<int:run_id>/applications/", teach_views.applications, name="teach_applications"),
    path("runs/<int:run_id>/message/", teach_views.cohort_message, name="teach_message"),
    path("runs/<int:run_id>/bulk/", teach_views.bulk_upload, name="teach_bulk"),
    path("bulk/<int:job_id>/", teach_views.bulk_job, name="teach_bulk_job"),
    path("bulk/<int:job_id>/progress.json", teach_views.bulk_job_progress, name="teach_bulk_progress"),
    path("reviews/", teach_views.review_queue, name="teach_reviews"),
    path("reviews/<int:submission_id>/", teach_views.review, name="teach_review"),
    path("reviews/<int:submission_id>/file", teach_views.submission_file, name="teach_submission_file"),
]
