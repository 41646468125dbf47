"""Background work of the courses app. Tasks take ids, load, and call a service; each is
safe to run twice (a certificate is issued once, a learner notified of a message once)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from courses.models import BulkEnrolment, CohortMessage, Enrolment, EnrolmentStatus

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def issue_certificate(self, enrolment_id: int) -> str:
    """The certificate (and its PDF) of a completed enrolment; returns its code."""
    from courses import services

    enrolment = Enrolment.objects.filter(pk=enrolment_id, status=EnrolmentStatus.COMPLETED).first()
    if enrolment is None:
        return ""
    try:
        return services.issue_certificate(enrolment).code
    except OSError as exc:  # the file storage failed: try again later
        raise self.retry(exc=exc) from exc


@shared_task
def check_programmes(user_id: int) -> list[str]:
    """Programme certificates the member has just earned; returns their codes."""
    from courses import services

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return []
    return [certificate.code for certificate in services.check_programmes(user)]


@shared_task
def bulk_enrol(job_id: int) -> int:
    """Import one bulk enrolment CSV; returns how many learners were enrolled."""
    from courses import services

    job = BulkEnrolment.objects.filter(pk=job_id).exclude(status="done").first()
    if job is None:
        return 0
    try:
        return services.bulk_enrol(job).enrolled
    except Exception:
        logger.exception("bulk enrolment %s failed", job_id)
        BulkEnrolment.objects.filter(pk=job_id).update(status="failed")
        raise


@shared_task
def deliver_cohort_message(message_id: int) -> int:
    from courses import services

    message = CohortMessage.objects.filter(pk=message_id).first()
    return services.deliver_cohort_message(message) if message else 0
