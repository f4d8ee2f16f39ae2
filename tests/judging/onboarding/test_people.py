"""People from a spreadsheet: judges become invitations (e-mailed), coordinators accounts with a
set-password link; the check writes nothing, the import all or nothing, the same file twice
changes (and sends) nothing."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import COORDINATORS, group_names
from competition.models import Coordinator, Organization
from competition.onboarding.workbook import Fate
from judging.models import Judge, JudgeInvitation
from judging.onboarding.people import (
    coordinators_check,
    coordinators_import,
    coordinators_template,
    judges_check,
    judges_import,
    judges_template,
)
from tests import factories
from tests.files import xlsx_upload

pytestmark = pytest.mark.django_db

JUDGE_HEAD = ["姓名", "电子邮箱", "职务或职称", "擅长领域", "所在县（市、区）", "所在单位", "手机号码"]
COORD_HEAD = ["县（市、区）", "姓名", "电子邮箱", "手机号码"]


@pytest.fixture
def places():
    factories.category("legal")
    factories.category("education")
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    Organization.objects.create(name="西街社区新时代文明实践站", kind="station", county=luzhou)
    return luzhou, shangdang


def judges_file(*rows, head=JUDGE_HEAD):
    return xlsx_upload({"评委": [head, *rows]})


def coordinators_file(*rows, head=COORD_HEAD):
    return xlsx_upload({"县区管理员": [head, *rows]})


def reasons(plan):
    return [(r.row, m) for r in plan.errors for m in r.messages]


WANG = [
    "王老师",
    "Wang@Example.org",
    "副教授",
    "法律服务、education",
    "",
    "西街社区新时代文明实践站",
    "+86 138 1234 1234",
]
ZHAO = ["赵律师", "zhao@example.org", "", "法律服务", "上党区", "", ""]


def test_templates_carry_their_column_notes():
    judges = load_workbook(io.BytesIO(judges_template()))
    assert judges.sheetnames == ["评委", "填写说明"]
    assert [c.value for c in judges["评委"][1]] == JUDGE_HEAD
    coordinators = load_workbook(io.BytesIO(coordinators_template()))
    assert [c.value for c in coordinators["县区管理员"][1]] == COORD_HEAD


def test_judges_are_invited_with_their_profile_and_the_same_file_again_sends_nothing(
    places, django_capture_on_commit_callbacks
):
    organizer = factories.organizer()
    assert judges_check(upload=judges_file(WANG, ZHAO)).counts["new"] == 2
    assert not JudgeInvitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        plan, invited = judges_import(upload=judges_file(WANG, ZHAO), by=organizer)

    assert plan.applied and len(mail.outbox) == 2
    wang = JudgeInvitation.objects.get(email="wang@example.org")
    assert (wang.name, wang.title, wang.phone, wang.county.name) == (
        "王老师",
        "副教授",
        "13812341234",
        "潞州区",
    )
    assert wang.organization.name == "西街社区新时代文明实践站"
    assert sorted(c.code for c in wang.expertise.all()) == ["education", "legal"]
    assert [i.email for i in invited] == ["wang@example.org", "zhao@example.org"]
    assert invited[0].link in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        again, invited = judges_import(upload=judges_file(WANG, ZHAO), by=organizer)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 2, "error": 0}
    assert len(mail.outbox) == 2 and invited == []


def test_title_and_phone_are_carried_over_when_the_judge_accepts(places, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _plan, invited = judges_import(upload=judges_file(WANG), by=None)
    token = invited[0].link.rstrip("/").rsplit("/", 1)[1]
    Client().post(
        f"/judging/invitation/{token}/",
        {"username": "wanglaoshi", "password1": "Long-Secret-2026", "password2": "Long-Secret-2026"},
    )
    judge = Judge.objects.get(user__username="wanglaoshi")
    assert (judge.title, judge.phone, judge.organization.name) == (
        "副教授",
        "13812341234",
        "西街社区新时代文明实践站",
    )

    plan = judges_check(upload=judges_file([*WANG[:2], "教授", *WANG[3:]]))
    assert [(r.fate, r.messages) for r in plan.reports] == [(Fate.CHANGED, ["职务或职称：副教授 → 教授"])]
    judges_import(upload=judges_file([*WANG[:2], "教授", *WANG[3:]]), by=None)
    judge.refresh_from_db()
    assert judge.title == "教授"


def test_an_expired_invitation_is_sent_again(places, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        judges_import(upload=judges_file(ZHAO), by=None)
    JudgeInvitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        plan, invited = judges_import(upload=judges_file(ZHAO), by=None)
    assert [r.messages for r in plan.reports] == [["邀请已过期，将重新发送。"]]
    assert len(mail.outbox) == 2 and len(invited) == 1
    assert JudgeInvitation.objects.get().expires_at > timezone.now()


def test_bad_judge_rows_refuse_the_whole_file(places):
    plan, _invited = judges_import(
        upload=judges_file(
            WANG,
            ["", "wang@example.org", "", "烹饪", "长治县", "不存在的站", "12345"],
            ["李老师", "not-an-address", "", "", "上党区", "西街社区新时代文明实践站", ""],
        ),
        by=None,
    )
    assert reasons(plan) == [
        (3, "没有填写姓名。"),
        (3, "电子邮箱与第 2 行重复。"),
        (3, "手机号码“12345”不是有效的 11 位手机号码。"),
        (
            3,
            "没有名为“烹饪”的项目类别；可填：理论政策宣讲、文化文艺服务、助学支教、医疗健身、科学普及、法律服务、卫生环保、扶贫帮困。",
        ),
        (3, "没有名为“长治县”的县（市、区）。"),
        (3, "没有名为“不存在的站”的文明实践阵地：请先导入它，或核对全称。"),
        (4, "电子邮箱“not-an-address”格式不对。"),
        (4, "所在单位“西街社区新时代文明实践站”属于“潞州区”，与所填的“上党区”不同。"),
    ]
    assert not JudgeInvitation.objects.exists()


def test_judges_check_takes_a_fixed_number_of_queries(places):
    def rows(n):
        return [
            [f"评委{i}", f"j{i}@example.org", "", "法律服务", "", "西街社区新时代文明实践站", ""]
            for i in range(n)
        ]

    judges_import(upload=judges_file(*rows(3)), by=None)
    with CaptureQueriesContext(connection) as few:
        judges_check(upload=judges_file(*rows(4)))
    with CaptureQueriesContext(connection) as many:
        judges_check(upload=judges_file(*rows(60)))
    assert len(few) == len(many)


LI = ["潞州区", "李强", "Li@Example.org", "138-1234-1234"]


def test_coordinators_get_an_account_without_password_and_a_link_to_set_one(
    places, django_capture_on_commit_callbacks
):
    luzhou, shangdang = places
    with django_capture_on_commit_callbacks(execute=True):
        plan = coordinators_import(upload=coordinators_file(LI))
    assert plan.applied
    user = get_user_model().objects.get(email="li@example.org")
    assert (user.username, user.first_name, user.has_usable_password()) == ("li@example.org", "李强", False)
    assert (user.coordinator.county, user.coordinator.phone) == (luzhou, "13812341234")
    assert COORDINATORS in group_names(user)
    [message] = mail.outbox
    assert message.to == ["li@example.org"] and "潞州区" in message.body
    link = re.search(r"https?://\S+(/accounts/password/reset/\S+/)", message.body).group(1)

    client = Client()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": "Long-Secret-2026", "new_password2": "Long-Secret-2026"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Long-Secret-2026")

    with django_capture_on_commit_callbacks(execute=True):
        again = coordinators_import(upload=coordinators_file(LI))
    assert again.counts["unchanged"] == 1 and len(mail.outbox) == 1

    plan = coordinators_import(upload=coordinators_file(["上党区", *LI[1:]]))
    assert [r.messages for r in plan.reports] == [["县（市、区）：潞州区 → 上党区"]]
    assert Coordinator.objects.get().county == shangdang


def test_bad_coordinator_rows_refuse_the_whole_file(places):
    factories.organizer(email="boss@example.org")
    factories.UserFactory(email="team@example.org", username="team1")
    factories.TeamFactory(user=get_user_model().objects.get(username="team1"))
    plan = coordinators_import(
        upload=coordinators_file(
            LI,
            ["长治县", "张三", "boss@example.org", ""],
            ["上党区", "王五", "team@example.org", "电话"],
            ["上党区", "赵六", "li@example.org", ""],
        )
    )
    assert reasons(plan) == [
        (3, "没有名为“长治县”的县（市、区）：请先导入文明实践阵地模板，或核对名称。"),
        (3, "电子邮箱“boss@example.org”属于组委会或监委的账号，不能设为县区管理员。"),
        (4, "手机号码“电话”不是有效的 11 位手机号码。"),
        (4, "电子邮箱“team@example.org”属于参赛团队的账号，不能设为县区管理员。"),
        (5, "电子邮箱与第 2 行重复。"),
    ]
    assert not Coordinator.objects.exists()
    assert not get_user_model().objects.filter(email="li@example.org").exists()


def test_missing_columns_and_formulas_in_the_people_files(places):
    plan = coordinators_check(upload=coordinators_file(["潞州区", "李强"], head=["县（市、区）", "姓名"]))
    assert reasons(plan) == [(1, "缺少列“电子邮箱”。 请使用导入模板，不要修改第 1 行的列名。")]
    plan = judges_check(upload=judges_file(["=A1", "a@example.org", "", "", "", "", ""]))
    assert reasons(plan)[0] == (2, "“姓名”一格是公式（=A1）：公式不会被计算，请填写文字本身。")


def test_coordinators_check_takes_a_fixed_number_of_queries(places):
    def rows(n):
        return [["潞州区", f"管理员{i}", f"c{i}@example.org", ""] for i in range(n)]

    coordinators_import(upload=coordinators_file(*rows(3)))
    with CaptureQueriesContext(connection) as few:
        coordinators_check(upload=coordinators_file(*rows(4)))
    with CaptureQueriesContext(connection) as many:
        coordinators_check(upload=coordinators_file(*rows(40)))
    assert len(few) == len(many)
