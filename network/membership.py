"""Joining, leaving and being vetted into a network: the actions and their audit trail.

Every decision is written to AuditEntry (who, when, why) in the same transaction, and
the people concerned are notified after commit.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from network import permissions
from network.models import (
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    AuditEntry,
    Membership,
    MembershipApplication,
    MembershipStatus,
    Role,
)
from network.services import notify


class MembershipError(Exception):
    """A refused membership action; the message is shown to the user (already translated)."""


def audit(*, actor, action: str, network=None, subject_user=None, target=None, reason: str = "", **data):
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        network=network,
        subject_user=subject_user,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        reason=reason,
        data=data,
    )


def has_verified_email(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def _managers_of(network):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            memberships__network=network,
            memberships__role=Role.MANAGER,
            memberships__status=MembershipStatus.ACTIVE,
            is_active=True,
        )
        .distinct()
    )


def _lock_open(application: MembershipApplication) -> MembershipApplication:
    locked = (
        MembershipApplication.objects.select_for_update()
        .select_related("network", "applicant")
        .get(pk=application.pk)
    )
    if locked.status not in OPEN_APPLICATION_STATUSES:
        raise MembershipError(_("This application has already been decided."))
    return locked


def _require_manager(user, network) -> None:
    if not permissions.may_act(user) or not permissions.is_network_manager(user, network):
        raise MembershipError(_("Only the managers of this network may do this."))


@transaction.atomic
def application_submit(
    *, applicant, network, institution_name, position, country, reason, reference=""
) -> MembershipApplication:
    """File an application to join `network`; its managers are notified."""
    if not has_verified_email(applicant):
        raise MembershipError(_("Confirm your e-mail address before applying."))
    if not network.is_open_for_applications:
        raise MembershipError(_("This network is not accepting applications at the moment."))
    membership = Membership.objects.filter(user=applicant, network=network).first()
    if membership and membership.status == MembershipStatus.ACTIVE:
        raise MembershipError(_("You are already a member of this network."))
    if membership and membership.status == MembershipStatus.SUSPENDED:
        raise MembershipError(_("Your membership of this network is suspended; contact its managers."))
    try:
        with transaction.atomic():
            application = MembershipApplication.objects.create(
                applicant=applicant,
                network=network,
                institution_name=institution_name,
                position=position,
                country=country,
                reason=reason,
                reference=reference,
            )
    except IntegrityError:
        raise MembershipError(_("You already have an application waiting for this network.")) from None
    audit(
        actor=applicant,
        action="application.submitted",
        network=network,
        subject_user=applicant,
        target=application,
    )
    for manager in _managers_of(network):
        notify(
            user=manager,
            verb="network.application_received",
            actor=applicant,
            url=f"/network/applications/{application.pk}/",
            params={"network": network.short_name},
        )
    return application


@transaction.atomic
def application_approve(*, application, by, reason: str = "") -> Membership:
    """Accept the applicant as a member of the network (or reactivate a former member)."""
    application = _lock_open(application)
    network = application.network
    _require_manager(by, network)
    now = timezone.now()
    membership, created = Membership.objects.get_or_create(
        user=application.applicant,
        network=network,
        defaults={
            "role": Role.MEMBER,
            "status": MembershipStatus.ACTIVE,
            "joined_at": now,
            "changed_at": now,
        },
    )
    if not created:
        membership.status = MembershipStatus.ACTIVE
        membership.changed_at = now
        membership.save(update_fields=["status", "changed_at"])
    application.status = ApplicationStatus.APPROVED
    application.decision_reason = reason
    application.reviewed_by = by
    application.decided_at = now
    application.save(update_fields=["status", "decision_reason", "reviewed_by", "decided_at"])
    audit(
        actor=by,
        action="application.approved",
        network=network,
        subject_user=application.applicant,
        target=application,
        reason=reason,
    )
    notify(
        user=application.applicant,
        verb="network.application_approved",
        actor=by,
        url="/network/",
        params={"network": network.name},
    )
    return membership


@transaction.atomic
def application_reject(*, application, by, reason: str) -> MembershipApplication:
    application = _lock_open(application)
    _require_manager(by, application.network)
    if not reason.strip():
        raise MembershipError(_("Give the applicant a reason for the rejection."))
    application.status = ApplicationStatus.REJECTED
    application.decision_reason = reason
    application.reviewed_by = by
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decision_reason", "reviewed_by", "decided_at"])
    audit(
        actor=by,
        action="application.rejected",
        network=application.network,
        subject_user=application.applicant,
        target=application,
        reason=reason,
    )
    notify(
        user=application.applicant,
        verb="network.application_rejected",
        actor=by,
        url="/network/apply/",
        params={"network": application.network.name, "reason": reason},
    )
    return application


@transaction.atomic
def application_request_info(*, application, by, message: str) -> MembershipApplication:
    application = _lock_open(application)
    _require_manager(by, application.network)
    if not message.strip():
        raise MembershipError(_("Say what information you need."))
    application.status = ApplicationStatus.NEEDS_INFO
    application.info_request = message
    application.reviewed_by = by
    application.save(update_fields=["status", "info_request", "reviewed_by"])
    audit(
        actor=by,
        action="application.info_requested",
        network=application.network,
        subject_user=application.applicant,
        target=application,
        reason=message,
    )
    notify(
        user=application.applicant,
        verb="network.application_info_requested",
        actor=by,
        url="/network/apply/",
        params={"network": application.network.name},
    )
    return application


@transaction.atomic
def application_answer(*, application, by, answer: str) -> MembershipApplication:
    """The applicant answers a request for information; the application returns to the queue."""
    application = _lock_open(application)
    if application.applicant_id != by.pk:
        raise MembershipError(_("This is not your application."))
    if application.status != ApplicationStatus.NEEDS_INFO:
        raise MembershipError(_("No information was requested for this application."))
    if not answer.strip():
        raise MembershipError(_("Write your answer first."))
    application.info_response = answer
    application.status = ApplicationStatus.PENDING
    application.save(update_fields=["info_response", "status"])
    audit(
        actor=by,
        action="application.info_given",
        network=application.network,
        subject_user=by,
        target=application,
    )
    if application.reviewed_by and application.reviewed_by.is_active:
        notify(
            user=application.reviewed_by,
            verb="network.application_received",
            actor=by,
            url=f"/network/applications/{application.pk}/",
            params={"network": application.network.short_name},
        )
    return application


@transaction.atomic
def application_withdraw(*, application, by) -> MembershipApplication:
    application = _lock_open(application)
    if application.applicant_id != by.pk:
        raise MembershipError(_("This is not your application."))
    application.status = ApplicationStatus.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at"])
    audit(
        actor=by,
        action="application.withdrawn",
        network=application.network,
        subject_user=by,
        target=application,
    )
    return application


def sync_manager_group(user) -> None:
    """Network managers reach the CMS (to run their network's events and pages): keep the
    "Network managers" group, which grants admin access, in line with their roles."""
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=permissions.NETWORK_MANAGERS_GROUP)
    if created:
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    manages = Membership.objects.active().filter(user=user, role=Role.MANAGER).exists()
    if manages:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    permissions.forget_cached_roles(user)


def _lock_membership(membership) -> Membership:
    return Membership.objects.select_for_update().select_related("network", "user").get(pk=membership.pk)


@transaction.atomic
def membership_leave(*, membership, by, reason: str = "") -> Membership:
    membership = _lock_membership(membership)
    if membership.user_id != by.pk:
        raise MembershipError(_("You can only leave a network yourself."))
    if membership.status == MembershipStatus.LEFT:
        raise MembershipError(_("You have already left this network."))
    membership.status = MembershipStatus.LEFT
    membership.changed_at = timezone.now()
    membership.save(update_fields=["status", "changed_at"])
    audit(
        actor=by,
        action="membership.left",
        network=membership.network,
        subject_user=by,
        target=membership,
        reason=reason,
    )
    sync_manager_group(membership.user)
    return membership


def _change_status(*, membership, by, to: str, action: str, verb: str, reason: str = "") -> Membership:
    membership.status = to
    membership.changed_at = timezone.now()
    membership.save(update_fields=["status", "changed_at"])
    audit(
        actor=by,
        action=action,
        network=membership.network,
        subject_user=membership.user,
        target=membership,
        reason=reason,
    )
    notify(
        user=membership.user,
        verb=verb,
        actor=by,
        url="/network/",
        params={"network": membership.network.name, "reason": reason},
    )
    sync_manager_group(membership.user)
    return membership


@transaction.atomic
def membership_suspend(*, membership, by, reason: str) -> Membership:
    membership = _lock_membership(membership)
    _require_manager(by, membership.network)
    if membership.user_id == by.pk:
        raise MembershipError(_("You cannot suspend yourself."))
    if membership.status != MembershipStatus.ACTIVE:
        raise MembershipError(_("Only an active membership can be suspended."))
    if not reason.strip():
        raise MembershipError(_("Give a reason for the suspension."))
    return _change_status(
        membership=membership,
        by=by,
        to=MembershipStatus.SUSPENDED,
        action="membership.suspended",
        verb="network.membership_suspended",
        reason=reason,
    )


@transaction.atomic
def membership_reinstate(*, membership, by, reason: str = "") -> Membership:
    membership = _lock_membership(membership)
    _require_manager(by, membership.network)
    if membership.status != MembershipStatus.SUSPENDED:
        raise MembershipError(_("Only a suspended membership can be reinstated."))
    return _change_status(
        membership=membership,
        by=by,
        to=MembershipStatus.ACTIVE,
        action="membership.reinstated",
        verb="network.membership_reinstated",
        reason=reason,
    )


@transaction.atomic
def membership_set_role(*, membership, by, role: str, reason: str = "") -> Membership:
    membership = _lock_membership(membership)
    _require_manager(by, membership.network)
    if role not in Role.values:
        raise MembershipError(_("Unknown role."))
    if membership.user_id == by.pk and not permissions.is_dps_staff(by):
        raise MembershipError(_("You cannot change your own role."))
    previous = membership.role
    membership.role = role
    membership.changed_at = timezone.now()
    membership.save(update_fields=["role", "changed_at"])
    audit(
        actor=by,
        action="membership.role_changed",
        network=membership.network,
        subject_user=membership.user,
        target=membership,
        reason=reason,
        previous=previous,
        role=role,
    )
    sync_manager_group(membership.user)
    return membership
