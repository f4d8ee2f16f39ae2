"""The people import in the back office: judges (their links shown once after the import) and
coordinators; both in the menus for organizers only."""

import pytest
from django.core import mail
from django.test import Client

from competition.models import Coordinator
from judging.judges.services import invitation_for_token
from judging.models import JudgeInvitation
from tests import factories
from tests.files import xlsx_upload

pytestmark = pytest.mark.django_db


def test_judges_upload_check_confirm_and_the_links_shown_once(
    organizer_client, django_capture_on_commit_callbacks
):
    upload = xlsx_upload(
        {"评委": [["姓名", "电子邮箱"], ["王老师", "wang@example.org"], ["赵律师", "zhao@example.org"]]}
    )
    checked = organizer_client.post("/admin/judging/onboarding/", {"file": upload})
    assert "新增 2" in checked.text
    assert not JudgeInvitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = organizer_client.post(
            "/admin/judging/onboarding/",
            {"token": checked.context["token"], "digest": checked.context["plan"].digest},
        )
    assert done.status_code == 200 and len(mail.outbox) == 2
    links = [item.link for item in done.context["shown"]]
    assert len(links) == 2 and all(link in done.text for link in links)
    token = links[0].rstrip("/").rsplit("/", 1)[1]
    assert invitation_for_token(token).email == "wang@example.org"


def test_coordinators_upload_check_confirm(organizer_client, django_capture_on_commit_callbacks):
    factories.CountyFactory(name="潞州区")
    upload = xlsx_upload(
        {"县区管理员": [["县（市、区）", "姓名", "电子邮箱"], ["潞州区", "李强", "li@example.org"]]}
    )
    checked = organizer_client.post("/admin/judging/onboarding-coordinators/", {"file": upload})
    assert "检查通过" in checked.text
    with django_capture_on_commit_callbacks(execute=True):
        done = organizer_client.post(
            "/admin/judging/onboarding-coordinators/",
            {"token": checked.context["token"], "digest": checked.context["plan"].digest},
        )
    assert done.status_code == 302
    assert Coordinator.objects.get().user.email == "li@example.org"
    assert len(mail.outbox) == 1


def test_menus_show_the_imports_to_organizers_only(organizer_client):
    page = organizer_client.get("/admin/").text
    for url in (
        "/admin/competition/onboarding/",
        "/admin/judging/onboarding/",
        "/admin/judging/onboarding-coordinators/",
    ):
        assert url in page
    supervisor = Client()
    supervisor.force_login(factories.supervisor())
    page = supervisor.get("/admin/").text
    assert "/admin/judging/onboarding/" not in page
    assert supervisor.get("/admin/judging/onboarding/").status_code == 404
    assert supervisor.get("/admin/judging/onboarding-coordinators/template/").status_code == 404
