import pytest
from django.core.exceptions import ValidationError

from forums.models import RESERVED_CATEGORY_SLUGS, Category


@pytest.mark.parametrize("slug", sorted(RESERVED_CATEGORY_SLUGS))
def test_a_category_may_not_take_a_slug_the_forum_paths_use(network, slug):
    with pytest.raises(ValidationError) as refused:
        Category(network=network, slug=slug, name="Clash").full_clean()
    assert "slug" in refused.value.message_dict


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_category_page_offers_a_search_within_it(client, reader, category, prefix):
    client.force_login(reader)
    html = client.get(f"{prefix}/forums/{category.slug}/").content.decode()
    assert f'action="{prefix}/forums/{category.slug}/search/"' in html
    assert 'name="q"' in html
