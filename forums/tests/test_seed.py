"""The demo forums: both networks, four languages, and running the seeder twice changes nothing."""

import pytest

from forums.models import Category, Mention, Post, Reaction, Topic
from forums.moderation.models import Flag
from forums.seed import seed_forums
from network.seed import seed_accounts, seed_networks

pytestmark = pytest.mark.django_db


def test_the_demo_forums_are_complete_and_idempotent(client):
    seed_accounts()
    seed_networks()
    seed_forums()
    counts = (Category.objects.count(), Topic.objects.count(), Post.objects.count(), Reaction.objects.count())
    seed_forums()
    assert (
        Category.objects.count(),
        Topic.objects.count(),
        Post.objects.count(),
        Reaction.objects.count(),
    ) == counts
    assert set(Category.objects.values_list("network__slug", flat=True)) == {"prevention", "police"}
    assert Category.objects.filter(read_access="public").exists()
    assert set(Topic.objects.values_list("language", flat=True)) >= {"en", "es", "pt-br", "fr"}
    assert Mention.objects.exists() and Flag.objects.filter(status="open").exists()
    question = Topic.objects.get(kind="question")
    assert question.accepted_post is not None
    public = Category.objects.get(read_access="public")
    assert client.get(f"/forums/{public.slug}/").status_code == 200
    assert client.get(question.get_absolute_url()).status_code == 200
