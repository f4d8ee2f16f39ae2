"""Cards are rendered once per site generation and read back from the cache: a change an
editor publishes shows on every listing at once, and a cached card is not rendered again."""

import pytest
from django.test import Client

from tests.cms import factories

pytestmark = pytest.mark.django_db


def showcase_with(n):
    showcase = factories.showcase()
    projects = [factories.project(showcase, title=f"社区助老项目{i}") for i in range(n)]
    return showcase, projects


def signed_in_client(django_user_model):
    """A signed-in reader never gets the page cache, so each request renders the page."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    return client


def test_a_published_change_shows_on_the_listing_at_once(django_user_model):
    showcase, (project, *_) = showcase_with(2)
    client = signed_in_client(django_user_model)
    assert "社区助老项目0" in client.get(showcase.url).text

    project.title = "银龄互助食堂"
    project.save_revision().publish()

    page = client.get(showcase.url).text
    assert "银龄互助食堂" in page
    assert "社区助老项目0" not in page


def test_cached_cards_are_not_rendered_again(django_user_model, monkeypatch):
    from django.template.backends.django import Template

    showcase, projects = showcase_with(3)
    client = signed_in_client(django_user_model)
    rendered = []
    original = Template.render

    def counting_render(self, *args, **kwargs):
        if self.origin.template_name == "cms/includes/project_card.html":
            rendered.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Template, "render", counting_render)

    client.get(showcase.url)
    assert len(rendered) == 3
    again = client.get(showcase.url).text
    assert len(rendered) == 3
    assert all(project.title in again for project in projects)
