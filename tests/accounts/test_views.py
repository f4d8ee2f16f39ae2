"""Accounts: sign-up, log-in with lock-out, passwords, redirects, sessions and the team profile."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import Client

from accounts.models import LoginThrottle
from competition.models import Team, TeamMember
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()

LOGIN_URL = "/accounts/login/"
CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def without_csrf(html: bytes) -> str:
    """A page's body with its (randomly masked, per-response) CSRF tokens blanked out."""
    return CSRF_VALUE.sub('name="csrfmiddlewaretoken" value=""', html.decode())


def signup_data(organization, **overrides):
    data = {
        "username": "hongmajia",
        "password1": "Volunteer-2021-sx",
        "password2": "Volunteer-2021-sx",
        "email": "hongmajia@example.org",
        "phone": "13912345678",
        "team_name": "潞州区红马甲志愿服务队",
        "organization": organization.pk,
        "contact_name": "王小红",
    }
    data.update(overrides)
    return data


def log_in(client: Client, username: str, password: str, address: str = "10.0.0.1", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Sign-up -----------------------------------------------------------------------------------


def signup_link() -> str:
    return re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", mail.outbox[-1].body).group(1)


def test_signup_valid_creates_an_inactive_team_account_that_the_mailed_link_activates():
    organization = factories.OrganizationFactory()
    client = Client()

    response = client.post("/accounts/signup/", signup_data(organization))

    user = User.objects.get(username="hongmajia")
    team = Team.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/sent/"
    assert (user.email, user.is_active) == ("hongmajia@example.org", False)
    assert user.check_password("Volunteer-2021-sx") is True
    assert (team.name, team.organization, team.contact_name, team.contact_phone) == (
        "潞州区红马甲志愿服务队",
        organization,
        "王小红",
        "13912345678",
    )
    assert logged_in_user_id(client) is None
    assert [m.to for m in mail.outbox] == [["hongmajia@example.org"]]

    link = signup_link()
    # Opening the link (as a mail scanner does) activates nothing; the button does.
    opened = client.get(link)
    user.refresh_from_db()
    assert (opened.status_code, user.is_active) == (200, False)
    assert "确认并启用账号" in opened.content.decode()
    confirmed = client.post(link)

    user.refresh_from_db()
    assert (confirmed.status_code, confirmed["Location"]) == (302, "/my/")
    assert user.is_active is True
    assert logged_in_user_id(client) == str(user.pk)


def test_signup_link_used_twice_is_refused_in_chinese():
    organization = factories.OrganizationFactory()
    Client().post("/accounts/signup/", signup_data(organization))
    link = signup_link()
    Client().post(link)

    again = Client().get(link)

    assert again.status_code == 400
    assert "这个确认链接已失效（可能已经用过或已过期）" in again.content.decode()


def test_signup_invalid_phone_shows_chinese_message_and_keeps_typed_values():
    organization = factories.OrganizationFactory()

    response = Client().post("/accounts/signup/", signup_data(organization, phone="12345"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "请输入 11 位中国大陆手机号码，例如 13812341234。" in body
    assert 'value="hongmajia"' in body
    assert 'value="潞州区红马甲志愿服务队"' in body
    assert 'value="王小红"' in body
    assert 'value="12345"' in body
    assert 'value="hongmajia@example.org"' in body
    assert User.objects.filter(username="hongmajia").count() == 0
    assert Team.objects.count() == 0


def test_signup_known_email_any_case_creates_nothing_and_mails_the_owner():
    factories.UserFactory(username="existing", email="hongmajia@example.org")
    organization = factories.OrganizationFactory()

    response = Client().post("/accounts/signup/", signup_data(organization, email="HongMaJia@Example.org"))

    assert (response.status_code, response["Location"]) == (302, "/accounts/signup/sent/")
    assert User.objects.filter(username="hongmajia").count() == 0
    assert Team.objects.count() == 0
    [message] = mail.outbox
    assert message.to == ["hongmajia@example.org"]
    assert "有人尝试用这个邮箱" in message.body
    assert "如果是您本人：请直接登录，或在忘记密码时重设密码。" in message.body
    assert "/accounts/login/" in message.body
    assert "/accounts/password/reset/" in message.body


def test_signup_weak_password_shows_chinese_message_and_keeps_typed_values():
    organization = factories.OrganizationFactory()

    response = Client().post(
        "/accounts/signup/", signup_data(organization, password1="12345678", password2="12345678")
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "这个密码太常见了。" in body
    assert "密码只包含数字。" in body
    assert 'value="hongmajia"' in body
    assert 'value="王小红"' in body
    assert Team.objects.count() == 0


def test_signup_when_logged_in_redirects_to_dashboard(team_client):
    response = team_client.get("/accounts/signup/")

    assert response.status_code == 302
    assert response["Location"] == "/my/"


# --- Log-in and lock-out -----------------------------------------------------------------------


def test_login_right_password_logs_in_and_redirects_to_dashboard():
    user = factories.UserFactory(username="alice")
    client = Client()

    response = log_in(client, "alice", factories.PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert logged_in_user_id(client) == str(user.pk)


def test_login_wrong_password_shows_chinese_message():
    factories.UserFactory(username="alice")
    client = Client()

    response = log_in(client, "alice", "wrong-password")

    assert response.status_code == 200
    assert "用户名或密码不正确。请注意区分大小写。" in response.content.decode()
    assert logged_in_user_id(client) is None


def fail_until_locked(username: str, address: str) -> None:
    client = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(client, username, "wrong-password", address=address)


def test_login_locked_pair_is_refused_even_with_right_password():
    factories.UserFactory(username="alice")
    fail_until_locked("alice", "10.0.0.1")
    client = Client()

    response = log_in(client, "alice", factories.PASSWORD, address="10.0.0.1")

    assert response.status_code == 200
    assert "登录失败次数过多，请在" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_login_one_failure_below_limit_still_logs_in():
    user = factories.UserFactory(username="alice")
    client = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        log_in(client, "alice", "wrong-password", address="10.0.0.1")

    response = log_in(client, "alice", factories.PASSWORD, address="10.0.0.1")

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
    assert LoginThrottle.objects.filter(username="alice").count() == 0


def test_login_locked_username_from_another_address_still_logs_in():
    user = factories.UserFactory(username="alice")
    fail_until_locked("alice", "10.0.0.1")
    client = Client()

    response = log_in(client, "alice", factories.PASSWORD, address="10.0.0.2")

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_login_another_username_from_locked_address_still_logs_in():
    factories.UserFactory(username="alice")
    bob = factories.UserFactory(username="bob")
    fail_until_locked("alice", "10.0.0.1")
    client = Client()

    response = log_in(client, "bob", factories.PASSWORD, address="10.0.0.1")

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(bob.pk)


def test_login_lock_counts_username_case_insensitively():
    factories.UserFactory(username="alice")
    fail_until_locked("ALICE", "10.0.0.1")
    client = Client()

    response = log_in(client, "alice", factories.PASSWORD, address="10.0.0.1")

    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_login_lock_expires_after_lockout_seconds():
    user = factories.UserFactory(username="alice")
    fail_until_locked("alice", "10.0.0.1")
    row = LoginThrottle.objects.get(username="alice", address="10.0.0.1")
    passed = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1)
    LoginThrottle.objects.filter(pk=row.pk).update(
        first_failure_at=row.first_failure_at - passed, locked_until=row.locked_until - passed
    )
    client = Client()

    response = log_in(client, "alice", factories.PASSWORD, address="10.0.0.1")

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def spray(usernames: list[str], address: str) -> None:
    """One wrong password on each account, from one address."""
    client = Client()
    for username in usernames:
        log_in(client, username, "wrong-password", address=address)


def test_login_one_failure_on_each_of_many_accounts_locks_the_address(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for name in ("alice", "bob", "carol"):
        factories.UserFactory(username=name)
    dave = factories.UserFactory(username="dave")
    spray(["alice", "bob", "nobody", "carol"], "10.0.0.7")  # known and unknown names alike
    client = Client()

    response = log_in(client, "dave", factories.PASSWORD, address="10.0.0.7")

    # 16:30 UTC: the 15-minute window ends at 16:45 UTC, 00:45 in Beijing.
    assert response.status_code == 200
    assert "登录失败次数过多，请在 00:45 之后再试，或通过“忘记密码”重设密码。" in response.content.decode()
    assert logged_in_user_id(client) is None
    elsewhere = Client()
    assert log_in(elsewhere, "dave", factories.PASSWORD, address="10.0.0.8").status_code == 302
    assert logged_in_user_id(elsewhere) == str(dave.pk)


def test_login_locked_address_answers_the_same_for_known_and_unknown_accounts(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    factories.UserFactory(username="alice")
    spray(["x1", "x2"], "10.0.0.7")

    known = log_in(Client(), "alice", factories.PASSWORD, address="10.0.0.7")
    unknown = log_in(Client(), "nobody", factories.PASSWORD, address="10.0.0.7")

    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content).replace("alice", "NAME") == without_csrf(unknown.content).replace(
        "nobody", "NAME"
    )


def test_login_address_lock_ends_with_its_window(settings, time_machine):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    alice = factories.UserFactory(username="alice")
    spray(["x1", "x2"], "10.0.0.7")
    time_machine.move_to(datetime(2026, 12, 31, 16, 45, 1, tzinfo=UTC))
    client = Client()

    response = log_in(client, "alice", factories.PASSWORD, address="10.0.0.7")

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(alice.pk)


def test_login_page_when_logged_in_without_next_redirects_to_dashboard(team_client):
    response = team_client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response["Location"] == "/my/"


def test_login_page_when_logged_in_with_off_site_next_redirects_to_dashboard(team_client):
    response = team_client.get(LOGIN_URL, {"next": "//evil.example"})

    assert response.status_code == 302
    assert response["Location"] == "/my/"


# --- next= -----------------------------------------------------------------------------------


OFF_SITE = [
    "https://evil.example",
    "https://evil.example/my/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    "javascript:alert(1)",
    " //evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_next_off_site_redirects_to_dashboard(target):
    factories.UserFactory(username="alice")

    response = log_in(Client(), "alice", factories.PASSWORD, next=target)

    assert response.status_code == 302
    assert response["Location"] == "/my/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_page_next_off_site_is_not_put_in_the_form(target):
    response = Client().get(LOGIN_URL, {"next": target})

    assert response.status_code == 200
    assert response.context["next"] == ""


def test_login_next_local_path_is_followed():
    factories.UserFactory(username="alice")

    response = log_in(Client(), "alice", factories.PASSWORD, next="/my/team/?tab=members")

    assert response.status_code == 302
    assert response["Location"] == "/my/team/?tab=members"


def test_logout_next_off_site_redirects_home(team_client):
    response = team_client.post("/accounts/logout/", {"next": "//evil.example"})

    assert response.status_code == 302
    assert response["Location"] == "/"


# --- Sessions --------------------------------------------------------------------------------


def test_login_rotates_session_key():
    factories.UserFactory(username="alice")
    client = Client()
    before = client.session.session_key

    log_in(client, "alice", factories.PASSWORD)

    after = client.session.session_key
    assert before is not None
    assert after != before
    assert SessionStore().exists(before) is False


def test_logout_post_kills_the_session(team_client):
    key = team_client.session.session_key

    response = team_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert SessionStore().exists(key) is False
    assert logged_in_user_id(team_client) is None
    assert team_client.get("/my/")["Location"] == "/accounts/login/?next=/my/"


def test_logout_old_session_cookie_no_longer_logs_in(team_client):
    key = team_client.session.session_key
    team_client.post("/accounts/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key

    response = replay.get("/my/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/my/"


def test_logout_get_is_not_allowed(team_client):
    response = team_client.get("/accounts/logout/")

    assert response.status_code == 405
    assert logged_in_user_id(team_client) is not None


# --- Passwords -------------------------------------------------------------------------------


def test_password_change_logged_in_sets_new_password_and_keeps_session(team, team_client):
    response = team_client.post(
        "/accounts/password/change/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Another-Secret-2026",
            "new_password2": "Another-Secret-2026",
        },
    )

    team.user.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    assert team.user.check_password("Another-Secret-2026") is True
    assert team_client.get("/my/team/").status_code == 200


def test_password_change_wrong_old_password_shows_chinese_message(team, team_client):
    response = team_client.post(
        "/accounts/password/change/",
        {
            "old_password": "not-my-password",
            "new_password1": "Another-Secret-2026",
            "new_password2": "Another-Secret-2026",
        },
    )

    team.user.refresh_from_db()
    assert response.status_code == 200
    assert "你的旧密码不正确。请重新输入。" in response.content.decode()
    assert team.user.check_password(factories.PASSWORD) is True


def test_password_change_anonymous_redirects_to_login():
    response = Client().get("/accounts/password/change/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/change/"


def request_reset(email: str):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": email})
    page = client.get(response["Location"])
    return response, page


def test_password_reset_known_and_unknown_email_answer_the_same():
    factories.UserFactory(username="alice", email="alice@example.org")

    known, known_page = request_reset("alice@example.org")
    unknown, unknown_page = request_reset("nobody@example.org")

    assert (known.status_code, known["Location"]) == (302, "/accounts/password/reset/sent/")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_csrf(unknown_page.content) == without_csrf(known_page.content)
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


def reset_link() -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)


def set_password_through(link: str, password: str):
    client = Client()
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    return form_page, response


def test_password_reset_link_sets_a_new_password():
    user = factories.UserFactory(username="alice", email="alice@example.org")
    request_reset("alice@example.org")

    form_page, response = set_password_through(reset_link(), "Brand-New-Secret-77")

    user.refresh_from_db()
    assert form_page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert user.check_password("Brand-New-Secret-77") is True


def test_password_reset_link_used_twice_is_refused_in_chinese():
    user = factories.UserFactory(username="alice", email="alice@example.org")
    request_reset("alice@example.org")
    link = reset_link()
    set_password_through(link, "Brand-New-Secret-77")

    again = Client().get(link, follow=True)

    user.refresh_from_db()
    assert again.status_code == 200
    assert "这个链接已失效（可能已经用过或已过期）。请重新申请找回密码。" in again.content.decode()
    assert user.check_password("Brand-New-Secret-77") is True


def test_password_reset_lifts_the_login_lock():
    user = factories.UserFactory(username="alice", email="alice@example.org")
    fail_until_locked("alice", "10.0.0.1")
    fail_until_locked("alice", "10.0.0.9")
    request_reset("alice@example.org")
    set_password_through(reset_link(), "Brand-New-Secret-77")
    client = Client()

    response = log_in(client, "alice", "Brand-New-Secret-77", address="10.0.0.1")

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
    assert LoginThrottle.objects.filter(username="alice").count() == 0


def test_password_reset_email_is_chinese():
    factories.UserFactory(username="alice", email="alice@example.org")

    request_reset("alice@example.org")

    assert "重设" in mail.outbox[0].subject
    assert "我们收到了重设您账号密码的请求" in mail.outbox[0].body


# --- The back office shares the one log-in page ----------------------------------------------


def test_admin_login_redirects_to_accounts_login_keeping_next():
    response = Client().get("/admin/login/", {"next": "/admin/competition/entries/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fcompetition%2Fentries%2F"


def test_admin_password_reset_is_not_a_second_way_in():
    factories.UserFactory(username="alice", email="alice@example.org")

    page = Client().get("/admin/password_reset/")
    post = Client().post("/admin/password_reset/", {"email": "alice@example.org"})

    assert (page.status_code, post.status_code) == (404, 404)
    assert mail.outbox == []


def test_admin_anonymous_redirects_to_accounts_login():
    response = Client().get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


# --- Team profile ------------------------------------------------------------------------------


def member_post(team, members, **overrides):
    data = {
        "name": team.name,
        "organization": team.organization_id,
        "contact_name": team.contact_name,
        "contact_phone": team.contact_phone,
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, (name, role) in enumerate(members):
        data[f"members-{i}-name"] = name
        data[f"members-{i}-role"] = role
    data.update(overrides)
    return data


def test_team_profile_shows_own_team_only_with_masked_phone(team, team_client):
    factories.TeamFactory(name="别队志愿服务队", contact_name="赵别人", contact_phone="13900001111")

    response = team_client.get("/my/team/")

    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{team.name}"' in body
    assert "联系电话 138****1234 只有组委会能看到完整号码。" in body
    assert "别队志愿服务队" not in body
    assert "赵别人" not in body
    assert "13900001111" not in body
    assert "139****1111" not in body


def test_team_profile_edit_saves_own_team_and_replaces_members(team, team_client, other_team):
    factories.TeamMemberFactory(team=team, name="旧成员", role="队员")
    factories.TeamMemberFactory(team=other_team, name="别队成员", role="队长")
    organization = factories.OrganizationFactory()

    response = team_client.post(
        "/my/team/",
        member_post(
            team,
            [("李秀英", "队长"), ("", ""), ("王强", "宣传")],
            name="新名字志愿服务队",
            organization=organization.pk,
            contact_phone="13700007777",
        ),
    )

    team.refresh_from_db()
    other_team.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/my/team/"
    assert (team.name, team.organization, team.contact_phone) == (
        "新名字志愿服务队",
        organization,
        "13700007777",
    )
    assert list(team.members.values_list("name", "role")) == [("李秀英", "队长"), ("王强", "宣传")]
    assert list(other_team.members.values_list("name", "role")) == [("别队成员", "队长")]
    assert other_team.name != "新名字志愿服务队"


def test_team_profile_invalid_phone_shows_chinese_message_and_changes_nothing(team, team_client):
    factories.TeamMemberFactory(team=team, name="旧成员", role="队员")

    response = team_client.post(
        "/my/team/", member_post(team, [("新成员", "")], name="改过的名字", contact_phone="1381234")
    )

    team.refresh_from_db()
    body = response.content.decode()
    assert response.status_code == 200
    assert "请输入 11 位中国大陆手机号码，例如 13812341234。" in body
    assert 'value="改过的名字"' in body
    assert team.name != "改过的名字"
    assert list(TeamMember.objects.filter(team=team).values_list("name", flat=True)) == ["旧成员"]


def test_team_profile_staff_without_team_is_404(organizer_client):
    response = organizer_client.get("/my/team/")

    assert response.status_code == 404


def test_team_profile_anonymous_redirects_to_login():
    response = Client().get("/my/team/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/my/team/"


def test_login_throttle_row_is_cleared_after_success():
    factories.UserFactory(username="alice")
    client = Client()
    log_in(client, "alice", "wrong-password")

    log_in(client, "alice", factories.PASSWORD)

    assert LoginThrottle.objects.filter(username="alice").count() == 0
