"""Roles that cannot be borrowed: Wagtail's user admin (/admin/users/) through its own URLs.

An organizer manages coordinators' and judges' accounts, but cannot grant or remove superuser,
organizer or supervisor rights, cannot touch such an account, and cannot set anyone's password
(the owner gets a set-password link). A superuser can; every such change is an AccountEvent that
supervisors read."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts import roles
from accounts.models import AccountEvent
from accounts.roles import COORDINATORS, ORGANIZERS, SUPERVISORS
from accounts.users import services
from judging.roles import JUDGES
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "Borrowed-Judge-2027"


def group(name):
    return Group.objects.get(name=name)


def add_data(**overrides):
    data = {
        "username": "newhelper",
        "email": "newhelper@example.org",
        "first_name": "小",
        "last_name": "王",
        "groups": [group(COORDINATORS).pk],
    }
    data.update(overrides)
    return data


def edit_data(account, **overrides):
    data = {
        "username": account.username,
        "email": account.email,
        "first_name": account.first_name or "名",
        "last_name": account.last_name or "姓",
        "is_active": "on",
        "groups": [g.pk for g in account.groups.all()],
    }
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def organizer_client(client):
    organizer = factories.organizer()
    client.force_login(organizer)
    client.user = organizer
    return client


@pytest.fixture
def superuser_client(client):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    client.user = superuser
    return client


# --- The rules themselves ---------------------------------------------------------------------


def test_organizer_manages_judges_and_coordinators_but_no_guarded_account():
    organizer = factories.organizer()
    other_organizer = factories.organizer()
    supervisor = factories.supervisor()
    superuser = factories.UserFactory(is_superuser=True)
    judge = factories.judge()
    coordinator = factories.user_in_group(COORDINATORS)

    assert [roles.can_manage_account(organizer, a) for a in (judge, coordinator)] == [True, True]
    assert [
        roles.can_manage_account(organizer, a) for a in (organizer, other_organizer, supervisor, superuser)
    ] == [
        False,
        False,
        False,
        False,
    ]
    assert roles.can_manage_account(superuser, supervisor) is True
    assert roles.can_manage_account(supervisor, judge) is False
    assert roles.can_manage_account(judge, coordinator) is False


def test_only_a_superuser_grants_guarded_groups_and_sets_passwords():
    organizer = factories.organizer()
    superuser = factories.UserFactory(is_superuser=True)

    assert [roles.can_grant_group(organizer, n) for n in (ORGANIZERS, SUPERVISORS, COORDINATORS, JUDGES)] == [
        False,
        False,
        True,
        True,
    ]
    assert all(roles.can_grant_group(superuser, n) for n in (ORGANIZERS, SUPERVISORS))
    assert roles.can_set_passwords(organizer) is False
    assert roles.can_set_passwords(superuser) is True


def test_service_records_a_change_of_rights_with_before_and_after():
    superuser = factories.UserFactory(is_superuser=True)
    account = factories.judge()
    before = services.account_rights(account_id=account.pk)
    account.groups.add(group(SUPERVISORS))

    services.account_changed(
        account=account, by=superuser, before=before, password_set=False, send_link=False
    )

    event = AccountEvent.objects.get()
    assert (event.kind, event.actor, event.account_name) == (
        AccountEvent.Kind.RIGHTS,
        superuser,
        account.username,
    )
    assert event.before == {"superuser": False, "active": True, "groups": [JUDGES]}
    assert event.after == {"superuser": False, "active": True, "groups": sorted([JUDGES, SUPERVISORS])}


# --- Creating accounts ------------------------------------------------------------------------


def test_organizer_cannot_create_an_account_with_a_guarded_group(organizer_client):
    for name in (ORGANIZERS, SUPERVISORS):
        response = organizer_client.post(
            reverse("wagtailusers_users:add"), add_data(groups=[group(name).pk], is_superuser="on")
        )

        assert response.status_code == 200
        assert "groups" in response.context["form"].errors
    assert not User.objects.filter(username="newhelper").exists()


def test_organizer_creating_an_account_cannot_make_it_superuser_nor_set_its_password(
    organizer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("wagtailusers_users:add"),
            add_data(is_superuser="on", password1=NEW_PASSWORD, password2=NEW_PASSWORD),
        )

    assert response.status_code == 302
    account = User.objects.get(username="newhelper")
    assert account.is_superuser is False
    assert account.has_usable_password() is False
    assert list(account.groups.values_list("name", flat=True)) == [COORDINATORS]
    assert "只有运维管理员可以授予管理员权限或设置他人的密码；这些内容已忽略。" in messages_of(response)
    # The owner sets the password through the e-mailed link, not the organizer.
    assert [m.to for m in mail.outbox] == [["newhelper@example.org"]]
    assert [e.kind for e in AccountEvent.objects.order_by("pk")] == [
        AccountEvent.Kind.CREATED,
        AccountEvent.Kind.PASSWORD_LINK,
    ]


def test_set_password_link_sets_the_password_of_its_owner(
    organizer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("wagtailusers_users:add"), add_data())
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    organizer_client.logout()

    form_url = organizer_client.get("/" + path).url  # Django swaps the token for a session marker
    response = organizer_client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert User.objects.get(username="newhelper").check_password(NEW_PASSWORD)


# --- Editing accounts -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["supervisor", "organizer", "superuser"])
def test_organizer_cannot_edit_or_delete_a_guarded_account(organizer_client, kind):
    account = {
        "supervisor": factories.supervisor,
        "organizer": factories.organizer,
        "superuser": lambda: factories.UserFactory(is_superuser=True),
    }[kind]()
    edit_url = reverse("wagtailusers_users:edit", args=(account.pk,))

    page = organizer_client.get(edit_url)
    post = organizer_client.post(
        edit_url, edit_data(account, password1=NEW_PASSWORD, password2=NEW_PASSWORD, groups=[])
    )
    delete = organizer_client.post(reverse("wagtailusers_users:delete", args=(account.pk,)))

    assert [page.status_code, post.status_code, delete.status_code] == [302, 302, 302]
    assert page.url == reverse("wagtailadmin_home")
    account.refresh_from_db()
    assert account.check_password(factories.PASSWORD)
    assert account.is_active is True
    assert account.groups.exists() or account.is_superuser
    assert not AccountEvent.objects.exists()


def test_organizer_cannot_edit_their_own_account_in_the_user_admin(organizer_client):
    me = organizer_client.user

    response = organizer_client.post(
        reverse("wagtailusers_users:edit", args=(me.pk,)), edit_data(me, groups=[group(SUPERVISORS).pk])
    )

    assert response.status_code == 302
    assert sorted(me.groups.values_list("name", flat=True)) == [ORGANIZERS]


def test_organizer_cannot_set_a_judges_password_nor_redirect_their_e_mail(organizer_client):
    judge = factories.judge()

    response = organizer_client.post(
        reverse("wagtailusers_users:edit", args=(judge.pk,)),
        edit_data(judge, email="organizer@example.org", password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )

    assert response.status_code == 302
    judge.refresh_from_db()
    assert judge.check_password(factories.PASSWORD)
    assert not judge.check_password(NEW_PASSWORD)
    assert judge.email == f"{judge.username}@example.org"
    assert "只有运维管理员可以授予管理员权限或设置他人的密码；这些内容已忽略。" in messages_of(response)


def test_organizer_edit_form_offers_no_password_superuser_or_guarded_group(organizer_client):
    judge = factories.judge()

    form = organizer_client.get(reverse("wagtailusers_users:edit", args=(judge.pk,))).context["form"]

    assert {"password1", "password2", "is_superuser"} & set(form.fields) == set()
    offered = set(form.fields["groups"].queryset.values_list("name", flat=True))
    assert {COORDINATORS, JUDGES} <= offered
    assert {ORGANIZERS, SUPERVISORS} & offered == set()
    assert form.fields["email"].disabled is True


def test_organizer_cannot_make_a_judge_a_supervisor(organizer_client):
    judge = factories.judge()

    response = organizer_client.post(
        reverse("wagtailusers_users:edit", args=(judge.pk,)),
        edit_data(judge, groups=[group(JUDGES).pk, group(SUPERVISORS).pk], is_superuser="on"),
    )

    assert response.status_code == 200
    assert "groups" in response.context["form"].errors
    judge.refresh_from_db()
    assert (judge.is_superuser, list(judge.groups.values_list("name", flat=True))) == (False, [JUDGES])


def test_organizer_sends_a_judge_a_set_password_link_instead(
    organizer_client, django_capture_on_commit_callbacks
):
    judge = factories.judge()

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("wagtailusers_users:edit", args=(judge.pk,)), edit_data(judge, send_password_link="on")
        )

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[judge.email]]
    assert "/accounts/password/reset/" in mail.outbox[0].body
    event = AccountEvent.objects.get()
    assert (event.kind, event.actor, event.account) == (
        AccountEvent.Kind.PASSWORD_LINK,
        organizer_client.user,
        judge,
    )


def test_organizer_may_deactivate_a_judge_and_it_is_logged(organizer_client):
    judge = factories.judge()
    data = edit_data(judge)
    del data["is_active"]

    organizer_client.post(reverse("wagtailusers_users:edit", args=(judge.pk,)), data)

    judge.refresh_from_db()
    assert judge.is_active is False
    event = AccountEvent.objects.get()
    assert (event.kind, event.before["active"], event.after["active"]) == (
        AccountEvent.Kind.RIGHTS,
        True,
        False,
    )


def test_superuser_sets_a_judges_password_and_it_is_logged(superuser_client):
    judge = factories.judge()

    response = superuser_client.post(
        reverse("wagtailusers_users:edit", args=(judge.pk,)),
        edit_data(judge, password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )

    assert response.status_code == 302
    judge.refresh_from_db()
    assert judge.check_password(NEW_PASSWORD)
    event = AccountEvent.objects.get()
    assert (event.kind, event.actor, event.account) == (
        AccountEvent.Kind.PASSWORD_SET,
        superuser_client.user,
        judge,
    )


def test_superuser_grants_supervisor_and_superuser_rights_and_it_is_logged(superuser_client):
    account = factories.UserFactory()

    superuser_client.post(
        reverse("wagtailusers_users:edit", args=(account.pk,)),
        edit_data(account, groups=[group(SUPERVISORS).pk], is_superuser="on"),
    )

    account.refresh_from_db()
    assert account.is_superuser is True
    event = AccountEvent.objects.get()
    assert event.kind == AccountEvent.Kind.RIGHTS
    assert (event.before, event.after) == (
        {"superuser": False, "active": True, "groups": []},
        {"superuser": True, "active": True, "groups": [SUPERVISORS]},
    )


# --- The listing and its bulk actions ---------------------------------------------------------


def bulk_url(action, *accounts):
    ids = "&".join(f"id={a.pk}" for a in accounts)
    return reverse("wagtail_bulk_action", args=("auth", "user", action)) + f"?{ids}&next=/admin/users/"


def test_organizer_cannot_bulk_assign_a_guarded_role(organizer_client):
    judge = factories.judge()

    response = organizer_client.post(bulk_url("assign_role", judge), {"role": group(ORGANIZERS).pk})

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert list(judge.groups.values_list("name", flat=True)) == [JUDGES]


def test_organizer_bulk_actions_leave_guarded_accounts_alone(organizer_client):
    supervisor = factories.supervisor()
    judge = factories.judge()

    organizer_client.post(bulk_url("set_active_state", supervisor, judge), {"mark_as_active": "False"})
    organizer_client.post(bulk_url("assign_role", supervisor), {"role": group(COORDINATORS).pk})

    supervisor.refresh_from_db()
    judge.refresh_from_db()
    assert (supervisor.is_active, judge.is_active) == (True, False)
    assert list(supervisor.groups.values_list("name", flat=True)) == [SUPERVISORS]
    assert [(e.account, e.after["active"]) for e in AccountEvent.objects.all()] == [(judge, False)]


def test_user_listing_has_no_edit_link_to_guarded_accounts_for_organizers(organizer_client):
    supervisor = factories.supervisor()
    judge = factories.judge()

    html = organizer_client.get(reverse("wagtailusers_users:index")).content.decode()

    assert reverse("wagtailusers_users:edit", args=(judge.pk,)) in html
    assert reverse("wagtailusers_users:edit", args=(supervisor.pk,)) not in html


# --- The supervisor reads the trail -----------------------------------------------------------


def test_supervisor_reads_the_account_trail(client, superuser_client):
    judge = factories.judge()
    superuser_client.post(
        reverse("wagtailusers_users:edit", args=(judge.pk,)),
        edit_data(judge, password1=NEW_PASSWORD, password2=NEW_PASSWORD, groups=[group(SUPERVISORS).pk]),
    )
    client.force_login(factories.supervisor())

    response = client.get(reverse("account_events:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert judge.username in html and superuser_client.user.username in html
    assert "设置密码" in html and "权限变更" in html


def test_account_trail_is_hidden_from_judges_and_not_writable(client):
    client.force_login(factories.judge())
    assert client.get(reverse("account_events:index")).status_code in (302, 404)
    client.force_login(factories.supervisor())
    assert client.post(reverse("account_events:index")).status_code == 404


@pytest.mark.parametrize("events", [1, 3])
def test_account_trail_query_count_is_constant(client, django_assert_num_queries, events):
    supervisor = factories.supervisor()
    superuser = factories.UserFactory(is_superuser=True)
    for _n in range(events):
        account = factories.UserFactory()
        services.account_changed(account=account, by=superuser, before={}, password_set=True, send_link=False)
    client.force_login(supervisor)
    client.get(reverse("account_events:index"))  # warm the session and the admin's caches

    with django_assert_num_queries(12):
        client.get(reverse("account_events:index"))


# --- Other screens that attach a role to an account --------------------------------------------


def test_organizer_cannot_make_a_guarded_account_a_judge_or_coordinator(organizer_client):
    supervisor = factories.supervisor()
    superuser = factories.UserFactory(is_superuser=True)
    helper = factories.UserFactory()
    county = factories.CountyFactory()

    judge_form = organizer_client.get(reverse("judging_judges:add")).context["form"]
    coordinator_post = organizer_client.post(
        reverse("coordinator:add"), {"user": supervisor.pk, "county": county.pk}
    )

    offered = set(judge_form.fields["user"].queryset)
    assert helper in offered
    assert {supervisor, superuser, organizer_client.user} & offered == set()
    assert coordinator_post.status_code == 200
    assert "user" in coordinator_post.context["form"].errors
    assert list(supervisor.groups.values_list("name", flat=True)) == [SUPERVISORS]


@pytest.mark.parametrize("accounts", [1, 3])
def test_user_listing_query_count_is_constant(organizer_client, django_assert_num_queries, accounts):
    for _n in range(accounts):
        factories.judge()
        factories.supervisor()
    organizer_client.get(reverse("wagtailusers_users:index"))  # warm the session and the admin's caches

    with django_assert_num_queries(14):
        organizer_client.get(reverse("wagtailusers_users:index"))
