"""Restricted Wagtail documents: only Wagtail's serve view hands them out, after the
collection's privacy check; the public media view (and nginx, docs/deploy.md) never does."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from accounts.roles import ORGANIZERS
from tests import factories
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_document(settings):
    settings.SERVE_PUBLIC_MEDIA = True
    collection = Collection.get_first_root_node().add_child(name="内部材料")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name=ORGANIZERS))
    content = pdf_bytes()
    document = get_document_model().objects.create(
        title="评审细则（内部）", collection=collection, file=ContentFile(content, name="rules.pdf")
    )
    return document, content


def media_url(document) -> str:
    return "/media/" + document.file.name


def test_private_document_is_not_served_at_its_media_url(client, private_document):
    document, _content = private_document
    assert document.file.name.startswith("documents/")

    assert client.get(media_url(document)).status_code == 404
    # Nor by a path that resolves there.
    assert client.get("/media/images/../" + document.file.name).status_code == 404
    assert client.get("/media/./" + document.file.name).status_code == 404


def test_private_document_is_not_served_at_its_media_url_even_to_an_allowed_user(client, private_document):
    document, _content = private_document
    client.force_login(factories.organizer())

    assert client.get(media_url(document)).status_code == 404


def test_private_document_serve_view_sends_anonymous_readers_to_log_in(client, private_document):
    document, content = private_document

    response = client.get(document.url)

    assert document.url == reverse("wagtaildocs_serve", args=(document.pk, document.filename))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert content not in response.content


def test_private_document_serve_view_refuses_a_user_outside_the_groups(client, private_document):
    document, content = private_document
    client.force_login(factories.UserFactory())

    response = client.get(document.url)

    assert response.status_code == 302
    assert content not in response.content


def test_private_document_serve_view_sends_it_to_an_allowed_user(client, private_document):
    document, content = private_document
    client.force_login(factories.organizer())

    response = client.get(document.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content


def test_wagtail_front_end_log_in_is_the_one_log_in_page(client):
    response = client.get("/_util/login/?next=/documents/1/rules.pdf")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/documents/1/rules.pdf"


def test_deploy_guide_closes_media_documents_in_nginx():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text()

    assert "location ^~ /media/documents/ {\n        return 404;\n    }" in guide
