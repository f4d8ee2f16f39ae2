"""What a search finds is kept until the site changes: a repeated search skips the full-text
queries, and a page published meanwhile is found at once."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.cms import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(django_user_model):
    """Signed in, so the page cache never answers and every request runs the search view."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    return client


def search_queries(client, query):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", {"q": query})
    return response, [q["sql"] for q in captured.captured_queries]


def test_a_repeated_search_does_not_search_again(reader):
    showcase = factories.showcase()
    factories.project(showcase, title="留守儿童爱心助学")

    first, first_sql = search_queries(reader, "助学")
    again, again_sql = search_queries(reader, "助学")

    assert "留守儿童爱心" in first.text and "留守儿童爱心" in again.text
    full_text = [sql for sql in again_sql if "MATCH" in sql or "@@" in sql]
    assert full_text == []
    assert len(again_sql) < len(first_sql)


def test_a_page_published_after_a_search_is_found_by_the_next(reader):
    showcase = factories.showcase()
    factories.project(showcase, title="留守儿童爱心助学")
    search_queries(reader, "助学")

    factories.project(showcase, title="大学生暑期支教助学")
    response, _ = search_queries(reader, "助学")

    assert "暑期支教" in response.text
    assert "留守儿童爱心" in response.text
