"""After finalizing: the organizer is told how many project pages wait as drafts, sees them on
the shortlist page, and publishes them in one step, done by the worker with its progress shown."""

import pytest
from django.test import Client
from django.urls import reverse

from cms import services
from cms.models import ProjectPage
from tests import factories
from tests.cms.test_project_drafts import featured
from tests.judging.scored import end_notice, shortlist_in_notice

pytestmark = pytest.mark.django_db


def drafted(contest, ranks=(1, 2)) -> list[ProjectPage]:
    for rank in ranks:
        featured(contest, rank=rank, photo_count=1)
    return services.create_project_drafts(contest)


def url(contest) -> str:
    return reverse("cms_publish_drafts", args=[contest.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The service ------------------------------------------------------------------------------


def test_publishes_the_contests_drafts_and_only_those_once_and_records_progress(contest):
    other = factories.ContestFactory()
    mine = drafted(contest)
    theirs = drafted(other, ranks=(1,))
    loose = factories_project_draft()

    published = services.publish_contest_drafts(contest)
    again = services.publish_contest_drafts(contest)

    assert (published, again) == (2, 0)
    assert all(ProjectPage.objects.get(pk=page.pk).live for page in mine)
    assert not ProjectPage.objects.get(pk=theirs[0].pk).live
    assert not ProjectPage.objects.get(pk=loose.pk).live
    assert services.publishing_progress(contest) == {"done": 0, "total": 0, "running": False}
    assert services.publishing_progress(other) is None


def test_progress_counts_each_page_as_it_is_published(contest, monkeypatch):
    drafted(contest, ranks=(1, 2, 3))
    seen = []
    record = services._record_progress

    def spy(contest, **progress):
        seen.append((progress["done"], progress["running"]))
        record(contest, **progress)

    monkeypatch.setattr(services, "_record_progress", spy)

    services.publish_contest_drafts(contest)

    assert seen == [(0, True), (1, True), (2, True), (3, True), (3, False)]
    assert services.publishing_progress(contest) == {"done": 3, "total": 3, "running": False}


def factories_project_draft() -> ProjectPage:
    """A project page of no featured project (made by an editor): never bulk published."""
    from tests.cms import factories as cms_factories

    return cms_factories.project(publish=False)


# --- The back office ------------------------------------------------------------------------------


def test_organizer_publishes_all_drafts_in_one_step_and_the_public_sees_them(
    contest, organizer, django_capture_on_commit_callbacks
):
    pages = drafted(contest)
    client = logged_in(organizer)
    body = client.get(url(contest)).content.decode()
    assert "2 个项目页面待发布" in body and "确认发布全部 2 个项目页面" in body
    assert "优秀项目尚未公布" in Client().get("/projects/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(contest))

    assert response.status_code == 302 and response["Location"] == url(contest)
    assert ProjectPage.objects.live().filter(featured__contest=contest).count() == 2
    body = client.get(url(contest)).content.decode()
    assert "上次发布已完成：2 / 2" in body and 'http-equiv="refresh"' not in body
    public = Client().get("/projects/").content.decode()
    assert all(page.title in public for page in pages)


def test_while_the_worker_publishes_the_page_shows_progress_and_reloads(contest, organizer):
    drafted(contest)
    services._record_progress(contest, done=1, total=2, running=True)

    body = logged_in(organizer).get(url(contest)).content.decode()

    assert "正在发布项目页面：1 / 2" in body
    assert '<meta http-equiv="refresh" content="3">' in body
    assert "确认发布全部" not in body


def test_only_organizers_publish(contest):
    drafted(contest)
    supervisor = logged_in(factories.supervisor())

    page = supervisor.get(url(contest))
    assert page.status_code == 200 and "确认发布全部" not in page.content.decode()
    assert supervisor.post(url(contest)).status_code == 404
    assert logged_in(factories.UserFactory(is_staff=True)).get(url(contest)).status_code in (302, 404)
    assert not ProjectPage.objects.live().exists()


# --- Finalizing tells the organizer ---------------------------------------------------------------


def test_finalizing_says_how_many_drafts_wait_and_the_shortlist_page_offers_to_publish(
    organizer, django_capture_on_commit_callbacks
):
    shortlist = end_notice(shortlist_in_notice(entries=2))
    client = logged_in(organizer)
    shortlist_url = reverse("awards_shortlist:shortlist", args=[shortlist.contest_id])

    with django_capture_on_commit_callbacks(execute=True):  # the drafts are made on commit
        response = client.post(shortlist_url, {"action": "finalize"})

    assert response.status_code == 302
    body = client.get(shortlist_url).content.decode()
    assert "2 个项目页面草稿待审阅" in body
    assert f'href="{shortlist_url}#project-pages"' in body
    assert "2 个项目页面待发布" in body
    assert f'href="{url(shortlist.contest)}"' in body


def test_renditions_are_queued_once_every_page_is_live(contest, monkeypatch):
    pages = drafted(contest, ranks=(1, 2, 3))
    queued = []

    class Recorder:  # a Task is frozen: stand in for the whole task
        @staticmethod
        def enqueue(page_id):
            queued.append((page_id, ProjectPage.objects.live().count()))

    monkeypatch.setattr("cms.tasks.make_renditions", Recorder)

    services.publish_contest_drafts(contest)

    assert sorted(page_id for page_id, _live in queued) == sorted(page.pk for page in pages)
    assert {live for _page_id, live in queued} == {3}  # none before the last page went live
