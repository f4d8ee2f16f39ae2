"""报告 → 消息发件箱 and 设置 → 消息模板: organizers see every message with its status and
error, filter, and retry a failed one; they edit a kind's template with its variables listed
and a preview on real data; a broken template gets a Chinese error and keeps what was typed."""

import pytest
from django.test import Client
from django.urls import reverse

from messaging.models import Channel, Message, MessageTemplate
from tests import factories
from tests.messaging.kinds import TEST_KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client(organizer):
    client = Client()
    client.force_login(organizer)
    return client


def message(**kwargs):
    defaults = {"kind": TEST_KIND.name, "channel": Channel.SMS, "address": "13812341234", "subject": "您好"}
    defaults.update(kwargs)
    defaults.setdefault("key", f"m{Message.objects.count()}")
    return Message.objects.create(**defaults)


def test_the_outbox_lists_failed_messages_with_their_error_in_constant_queries(
    organizer_client, django_assert_max_num_queries
):
    for n in range(30):
        message(
            status=Message.Status.SENT if n % 2 else Message.Status.FAILED,
            last_error="isv.BUSINESS_LIMIT_CONTROL: 触发",
        )
    message(channel=Channel.EMAIL, status=Message.Status.SENT, address="a@example.org")
    organizer_client.get(reverse("messaging:outbox"))
    with django_assert_max_num_queries(12):
        page = organizer_client.get(reverse("messaging:outbox"), {"status": "failed", "channel": "sms"})
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("isv.BUSINESS_LIMIT_CONTROL") == 15
    assert "a@example.org" not in text
    assert "测试消息" in text and "重新发送" in text


def test_retry_queues_a_failed_message_again_and_it_is_sent(
    organizer_client, django_capture_on_commit_callbacks
):
    failed = message(status=Message.Status.FAILED, attempts=4, last_error="ConnectionError")
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(reverse("messaging:outbox"), {"message": failed.pk})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Message.Status.SENT, 1, "")


def test_only_the_back_office_sees_the_outbox_and_supervisors_cannot_retry(team_client):
    failed = message(status=Message.Status.FAILED)
    assert team_client.get(reverse("messaging:outbox")).status_code in (302, 404)
    supervisor = Client()
    supervisor.force_login(factories.supervisor())
    assert supervisor.get(reverse("messaging:outbox")).status_code == 200
    assert supervisor.post(reverse("messaging:outbox"), {"message": failed.pk}).status_code == 404


def test_template_page_lists_variables_and_previews_on_real_data(organizer_client, team, organizer):
    entry = factories.EntryFactory(team=team, submitted=True, title="山乡书屋")
    from competition.services import entry_decide_eligibility

    entry_decide_eligibility(entry=entry, eligible=False, reason="材料不全", by=organizer)
    page = organizer_client.get(
        reverse("messaging:template_edit", args=["competition.eligibility"])
    ).content.decode()
    assert "{{ reason }}" in page and "审查意见（不通过时必填）" in page
    assert "以平台上的真实数据渲染" in page
    assert "未通过资格审查。\n理由：材料不全" in page
    assert f"{team.name}，您好" in page


def test_a_template_with_a_syntax_error_shows_a_chinese_error_keeps_the_text_and_the_old_template(
    organizer_client,
):
    url = reverse("messaging:template_edit", args=[TEST_KIND.name])
    data = {
        "subject": "标题 {% if team %}",
        "body": "我写的内容",
        "sms_body": "",
        "sms_template_code": "",
        "channels": ["inbox"],
    }
    response = organizer_client.post(url, {**data, "save": "1"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "模板有语法错误" in text
    assert "我写的内容" in text
    assert not MessageTemplate.objects.exists()

    data["subject"] = "新标题 {{ team }}"
    response = organizer_client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    stored = MessageTemplate.objects.get(kind=TEST_KIND.name)
    assert (stored.subject, stored.channels) == ("新标题 {{ team }}", ["inbox"])
    listing = organizer_client.get(reverse("messaging:templates")).content.decode()
    assert "已修改" in listing


def test_an_unknown_kind_is_404(organizer_client):
    assert organizer_client.get(reverse("messaging:template_edit", args=["nope"])).status_code == 404


def test_organizers_reach_their_inbox_from_the_back_office(organizer_client, organizer):
    Message.objects.create(
        kind=TEST_KIND.name,
        channel=Channel.INBOX,
        user=organizer,
        subject="公示收到新的异议",
        key="o",
        status="sent",
    )
    admin = organizer_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("inbox:index") in admin
    assert "公示收到新的异议" in organizer_client.get(reverse("inbox:index")).content.decode()


def test_the_menus_lead_to_the_outbox_and_the_templates(organizer_client):
    admin = organizer_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("messaging:outbox") in admin
    assert reverse("messaging:templates") in admin


def test_the_results_template_previews_on_a_featured_project(organizer_client):
    from awards.models import FeaturedProject

    entry = factories.EntryFactory(submitted=True, title="山乡书屋")
    FeaturedProject.objects.create(contest=entry.contest, entry=entry, rank=1, score=90.0)
    page = organizer_client.get(reverse("messaging:template_edit", args=["awards.results"])).content.decode()
    assert "以平台上的真实数据渲染" in page
    assert "您申报的项目“山乡书屋”入选本届 1 个优秀志愿服务项目之列" in page


@pytest.mark.parametrize(
    "url, title",
    [
        (f"/admin/messages/templates/{TEST_KIND.name}/", "消息模板：" + str(TEST_KIND.label)),
        ("/admin/messages/templates/", "消息模板"),
        ("/admin/messages/", "消息发件箱"),
    ],
)
def test_the_header_names_the_page_not_the_home_page(organizer_client, url, title):
    html = organizer_client.get(url).content.decode()
    start = html.index('data-controller="w-breadcrumbs"')
    crumbs = html[start : html.index("</nav>", start)]
    assert title in crumbs
