"""Sign-up and password-reset e-mails (issue 10): the same answer for known and unknown
addresses, the e-mail queued rather than sent in the request, and hourly limits per client
address and per e-mail address."""

import re

import pytest
from django.core import mail
from django.tasks import TaskResultStatus
from django.test import Client
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from competition.models import Team
from tests import factories
from tests.accounts.test_views import signup_data, without_csrf
from tests.worker import run_worker

pytestmark = pytest.mark.django_db

RETRY_AT_ONE = "请求过于频繁，请在 01:00 之后再试。"  # 16:30 UTC = 00:30 Beijing; the hour ends at 01:00


@pytest.fixture
def queued_tasks(settings, monkeypatch):
    """Tasks go to the database queue, as in production, and wait for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def sign_up(email: str, username: str, address: str = "10.0.0.1"):
    organization = factories.OrganizationFactory()
    client = Client()
    response = client.post(
        "/accounts/signup/", signup_data(organization, email=email, username=username), REMOTE_ADDR=address
    )
    return response, client


def reset(email: str, address: str = "10.0.0.1"):
    return Client().post("/accounts/password/reset/", {"email": email}, REMOTE_ADDR=address)


# --- the same answer ---------------------------------------------------------------------------


def test_signup_known_and_unknown_email_answer_the_same():
    factories.UserFactory(username="existing", email="known@example.org")

    known, known_client = sign_up("known@example.org", "newname1")
    unknown, unknown_client = sign_up("unknown@example.org", "newname2")
    known_page, unknown_page = known_client.get(known["Location"]), unknown_client.get(unknown["Location"])

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.status_code == 302
    assert [t.name for t in known_page.templates] == [t.name for t in unknown_page.templates]
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_csrf(known_page.content) == without_csrf(unknown_page.content)
    assert "我们已向您填写的邮箱发送了一封邮件" in known_page.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.org", "unknown@example.org"]


def test_signup_with_an_unconfirmed_address_sends_its_confirmation_link_again():
    sign_up("first@example.org", "firstname")

    sign_up("first@example.org", "othername")

    assert Team.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["first@example.org"], ["first@example.org"]]
    assert "/accounts/signup/confirm/" in mail.outbox[1].body


# --- queued, not sent in the request -----------------------------------------------------------


def test_signup_email_is_queued_and_sent_by_the_worker(queued_tasks):
    response, _client = sign_up("new@example.org", "newteam")

    assert response.status_code == 302
    assert mail.outbox == []
    [row] = DBTaskResult.objects.filter(task_path__startswith="accounts.")
    assert (row.task_path, row.status) == ("accounts.tasks.send_signup_confirmation", TaskResultStatus.READY)

    run_worker()

    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert re.search(r"/accounts/signup/confirm/\S+/", mail.outbox[0].body)


def test_signup_known_address_email_is_queued_and_sent_by_the_worker(queued_tasks):
    factories.UserFactory(username="existing", email="known@example.org")

    sign_up("known@example.org", "newname")

    assert mail.outbox == []
    run_worker()
    assert [m.to for m in mail.outbox] == [["known@example.org"]]
    assert "有人尝试用这个邮箱" in mail.outbox[0].body


def test_password_reset_email_is_queued_and_sent_by_the_worker(queued_tasks):
    factories.UserFactory(username="alice", email="alice@example.org")

    response = reset("alice@example.org")

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/sent/")
    assert mail.outbox == []
    [row] = DBTaskResult.objects.filter(task_path__startswith="accounts.")
    assert (row.task_path, row.status) == ("accounts.tasks.send_password_reset", TaskResultStatus.READY)
    assert "alice" not in str(row.args_kwargs)  # only the id waits in the queue, no token or address

    run_worker()

    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[0].body)


def test_a_coordinator_without_a_password_yet_may_ask_for_a_link_and_other_such_accounts_may_not():
    # An imported coordinator whose first set-password link expired, and an account without a
    # password that is no coordinator (nothing to recover: the reset stays Django's).
    coordinator = factories.coordinator_for(factories.CountyFactory(), email="zhao@example.org")
    coordinator.set_unusable_password()
    coordinator.save()
    other = factories.UserFactory(email="other@example.org")
    other.set_unusable_password()
    other.save()

    reset("zhao@example.org")
    reset("other@example.org")

    assert [m.to for m in mail.outbox] == [["zhao@example.org"]]
    link = re.search(r"(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()


# --- rate limits -------------------------------------------------------------------------------


def test_password_reset_per_email_limit_answers_the_same_for_known_and_unknown(settings):
    settings.ACCOUNT_MAIL_PER_RECIPIENT = 2
    factories.UserFactory(username="alice", email="alice@example.org")
    for address in ("10.0.0.1", "10.0.0.2"):
        reset("alice@example.org", address)
        reset("nobody@example.org", address)

    known = reset("alice@example.org", "10.0.0.3")
    unknown = reset("nobody@example.org", "10.0.0.3")

    assert known.status_code == unknown.status_code == 200
    assert RETRY_AT_ONE in known.content.decode()
    assert without_csrf(known.content).replace("alice", "X") == without_csrf(unknown.content).replace(
        "nobody", "X"
    )
    assert [m.to for m in mail.outbox] == [["alice@example.org"], ["alice@example.org"]]


def test_password_reset_per_address_limit_across_emails(settings):
    settings.ACCOUNT_MAIL_PER_ADDRESS = 2
    for name in ("a", "b", "c"):
        factories.UserFactory(username=name, email=f"{name}@example.org")
    reset("a@example.org", "10.0.0.1")
    reset("b@example.org", "10.0.0.1")

    refused = reset("c@example.org", "10.0.0.1")
    elsewhere = reset("c@example.org", "10.0.0.2")

    assert refused.status_code == 200
    assert RETRY_AT_ONE in refused.content.decode()
    assert elsewhere.status_code == 302
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"], ["c@example.org"]]


def test_password_reset_limit_ends_with_the_hour(settings, time_machine):
    from datetime import UTC, datetime

    settings.ACCOUNT_MAIL_PER_RECIPIENT = 1
    factories.UserFactory(username="alice", email="alice@example.org")
    reset("alice@example.org")
    assert reset("alice@example.org").status_code == 200

    time_machine.move_to(datetime(2026, 12, 31, 17, 0, 1, tzinfo=UTC))

    assert reset("alice@example.org").status_code == 302
    assert len(mail.outbox) == 2


def test_signup_per_address_limit_keeps_what_was_typed(settings):
    settings.ACCOUNT_MAIL_PER_ADDRESS = 1
    sign_up("first@example.org", "firstteam")

    refused, _client = sign_up("second@example.org", "secondteam")

    body = refused.content.decode()
    assert refused.status_code == 200
    assert RETRY_AT_ONE in body
    assert 'value="secondteam"' in body
    assert 'value="second@example.org"' in body
    assert Team.objects.count() == 1
    assert len(mail.outbox) == 1
