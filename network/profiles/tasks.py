from celery import shared_task


@shared_task(name="profiles.create_missing_profiles")
def create_missing_profiles() -> int:
    """Give every active member without a profile an empty one (idempotent): run it
    periodically so that members show up in the directory before they open their profile."""
    from .services import profiles_create_missing

    return profiles_create_missing()


@shared_task(name="profiles.reindex_profiles")
def reindex_profiles(profile_ids: list[int] | None = None) -> int:
    """Rebuild search columns (after topics, countries or institutions were renamed)."""
    from .services import profiles_reindex

    return profiles_reindex(profile_ids=profile_ids)
