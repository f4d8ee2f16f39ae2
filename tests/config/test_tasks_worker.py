"""Background tasks on the database backend (tasking/): the worker runs what is queued, a
failure is retried and, once out of attempts, listed for organizers; a task whose worker was
killed is run again and its e-mails go out once; Wagtail's own tasks run on the same backend."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core import mail
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from awards.outcomes.tasks import notify_teams_of_results
from competition.models import Entry
from messaging.models import Message
from tasking.models import WorkerHeartbeat
from tasking.recovery import WORKER_LOST, recover_orphans
from tests import factories
from tests.config import worker_tasks
from tests.worker import run_worker

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_tasks(settings, monkeypatch):
    """Tasks go to the database queue (the tasks framework rebuilds its backends when TASKS
    changes); retries wait no time."""
    settings.TASKS = DB_BACKEND
    settings.TASKS_RETRY_DELAY = 0
    settings.TASKS_MAX_ATTEMPTS = 3
    # The worker closes "old" connections between tasks; inside the test's transaction that
    # would drop the test's own connection.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def row_of(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


# --- running and retrying ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_queued_task_waits_for_the_worker_then_succeeds(db_tasks):
    result = worker_tasks.flaky.enqueue(0)
    assert row_of(result).status == TaskResultStatus.READY

    run_worker()

    row = row_of(result)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 1
    assert row.worker_ids == ["test-worker"]


@pytest.mark.django_db
def test_a_task_failing_twice_is_retried_and_succeeds_on_its_third_attempt(db_tasks):
    result = worker_tasks.flaky.enqueue(2)

    run_worker()

    row = row_of(result)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 3
    assert len(row.worker_ids) == 3
    assert row.traceback == ""


@pytest.mark.django_db
def test_a_retry_waits_its_delay(db_tasks, settings):
    settings.TASKS_RETRY_DELAY = 60
    result = worker_tasks.flaky.enqueue(1)

    run_worker()

    row = row_of(result)
    assert row.status == TaskResultStatus.READY  # waiting, not run again at once
    assert row.exception_class_path == "builtins.ConnectionError"
    assert timezone.now() + timedelta(seconds=50) < row.run_after < timezone.now() + timedelta(seconds=61)


@pytest.mark.django_db
def test_a_task_failing_every_time_stays_failed_after_its_declared_attempts(db_tasks):
    result = worker_tasks.always_fails.enqueue()  # @retry(max_attempts=2)

    run_worker()

    row = row_of(result)
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 2
    assert row.exception_class_path == "builtins.ValueError"


@pytest.mark.django_db
def test_a_results_notice_whose_e_mail_fails_once_is_retried_and_tells_each_team_once(db_tasks, monkeypatch):
    """The results task queues one message per team and channel (messaging); an e-mail whose
    mail server fails is retried by its own task, and no team gets two."""
    contest = factories.ContestFactory()
    entries = [factories.EntryFactory(contest=contest, submitted=True) for _ in range(3)]
    assert all(entry.status == Entry.Status.SUBMITTED for entry in entries)
    from messaging import services as messaging_services

    real_send = messaging_services.send_mail
    calls = []

    def send_failing_once_on_the_second(*args, **kwargs):
        calls.append(args[3])
        if len(calls) == 2:
            raise ConnectionError("SMTP 连接中断")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(messaging_services, "send_mail", send_failing_once_on_the_second)
    mail.outbox = []
    result = notify_teams_of_results.enqueue(contest.pk)

    run_worker()

    assert row_of(result).status == TaskResultStatus.SUCCESSFUL
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(entry.team.user.email for entry in entries)
    e_mails = Message.objects.filter(kind="awards.results", channel="email")
    assert sorted(m.attempts for m in e_mails) == [1, 1, 2]
    assert {m.status for m in e_mails} == {Message.Status.SENT}


# --- a worker that died ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_left_running_by_a_silent_worker_is_queued_again(db_tasks, settings):
    settings.TASKS_WORKER_DEAD_AFTER = 60
    dead = worker_tasks.flaky.enqueue(0)
    alive = worker_tasks.flaky.enqueue(0)
    long_ago = timezone.now() - timedelta(minutes=10)
    DBTaskResult.objects.filter(pk=dead.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["gone"]
    )
    DBTaskResult.objects.filter(pk=alive.id).update(
        status=TaskResultStatus.RUNNING, started_at=long_ago, worker_ids=["busy"]
    )
    WorkerHeartbeat.objects.create(worker_id="gone", last_seen=long_ago)
    WorkerHeartbeat.objects.create(worker_id="busy", last_seen=timezone.now())

    assert recover_orphans() == {"requeued": 1, "failed": 0}

    assert row_of(dead).status == TaskResultStatus.READY
    assert row_of(alive).status == TaskResultStatus.RUNNING  # its worker is still beating
    run_worker()
    assert row_of(dead).status == TaskResultStatus.SUCCESSFUL
    assert row_of(dead).worker_ids == ["gone", "test-worker"]


@pytest.mark.django_db
def test_a_task_that_lost_its_worker_on_its_last_attempt_is_failed_not_looped(db_tasks, settings):
    settings.TASKS_WORKER_DEAD_AFTER = 60
    result = worker_tasks.always_fails.enqueue()  # two attempts
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=10),
        worker_ids=["first", "second"],
    )

    assert recover_orphans() == {"requeued": 0, "failed": 1}

    row = row_of(result)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == WORKER_LOST


@contextmanager
def database_for_subprocesses(tmp_path):
    """Environment variables for a subprocess to use this test's database. PostgreSQL: the test
    database itself. SQLite: the test database lives in memory, so it is copied to a file for
    the subprocesses and copied back afterwards."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SQLITE_PATH")}
    env["DJANGO_SETTINGS_MODULE"] = "tests.config.worker_settings"
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        yield env
        return
    path = tmp_path / "worker.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    env["SQLITE_PATH"] = str(path)
    yield env
    with sqlite3.connect(path) as copy:
        copy.backup(connection.connection)


def outbox(folder: Path) -> list[str]:
    """The recipients of every message the file-based e-mail backend wrote."""
    return sorted(
        line.removeprefix("To: ").strip()
        for file in folder.iterdir()
        for line in file.read_text().splitlines()
        if line.startswith("To: ")
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_task_the_task_is_run_again_and_each_email_goes_out_once(tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    signal_file = tmp_path / "reached"
    with override_settings(TASKS=DB_BACKEND):
        result = worker_tasks.mail_two.enqueue(
            "first@example.org", "second@example.org", str(signal_file), 120
        )
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.2",
    ]
    with database_for_subprocesses(tmp_path) as env:
        env.update(
            TEST_MAIL_DIR=str(mail_dir),
            DJANGO_TASKS_HEARTBEAT="1",
            DJANGO_TASKS_WORKER_DEAD_AFTER="3",
            DJANGO_TASKS_RETRY_DELAY="0",
        )
        first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not signal_file.exists():
                assert first.poll() is None, first.stdout.read().decode()
                assert time.monotonic() < deadline, "the worker never reached the task's middle"
                time.sleep(0.1)
            first.send_signal(signal.SIGKILL)  # mid-task: first e-mail sent, second not yet
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        assert outbox(mail_dir) == ["first@example.org"]

        time.sleep(3.5)  # the dead worker's heartbeat goes stale
        second = subprocess.run(
            [*command, "--batch"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert second.returncode == 0, second.stdout + second.stderr

    row = row_of(result)
    assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
    assert row.return_value == "done"
    assert len(row.worker_ids) == 2  # the killed attempt and the one that finished
    assert outbox(mail_dir) == ["first@example.org", "second@example.org"]


# --- Wagtail's own tasks -----------------------------------------------------------------------


@pytest.mark.django_db
def test_wagtail_reference_and_search_index_tasks_run_on_the_database_backend(db_tasks):
    from wagtail.search.models import IndexEntry

    from tests.cms import factories as cms

    page = cms.standard(title="志愿服务守则")
    DBTaskResult.objects.all().delete()
    page.title = "志愿服务守则修订版"
    page.save_revision().publish()

    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert {
        "wagtail.tasks.update_reference_index_task",
        "modelsearch.tasks.insert_or_update_object_task",
    } <= queued
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {TaskResultStatus.READY}
    indexed = IndexEntry.objects.filter(object_id=str(page.pk), title__contains="修订版")
    assert not indexed.exists()  # the index is updated by the worker, not by the request

    run_worker()

    unsuccessful = DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
    assert list(unsuccessful.values_list("task_path", "traceback")) == []
    assert indexed.exists()


# --- the admin page ----------------------------------------------------------------------------


def failed_task(message: str = "导出模板缺失") -> DBTaskResult:
    result = worker_tasks.always_fails.enqueue()
    row = row_of(result)
    row.worker_ids = ["w1", "w2"]
    row.status = TaskResultStatus.FAILED
    row.finished_at = timezone.now()
    row.exception_class_path = "builtins.ValueError"
    row.traceback = (
        "Traceback (most recent call last):\n"
        '  File "/srv/app/tests/config/worker_tasks.py", line 22, in always_fails\n'
        '    raise ValueError("导出模板缺失")\n'
        f"ValueError: {message}\n"
    )
    row.save()
    return row


@pytest.mark.django_db
def test_organizers_see_failed_tasks_with_the_error_but_no_stack(db_tasks, organizer_client):
    row = failed_task()

    response = organizer_client.get(reverse("tasking:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "always_fails" in html
    assert "ValueError: 导出模板缺失" in html
    assert "2 / 2" in html  # attempts made / allowed
    assert "/srv/app" not in html and "Traceback" not in html
    assert str(row.pk) in html  # its 重新执行 button


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_for_one_failed_task_or_many(db_tasks, organizer_client):
    failed_task()
    organizer_client.get(reverse("tasking:index"))
    with CaptureQueriesContext(connection) as one:
        organizer_client.get(reverse("tasking:index"))
    for _ in range(6):
        failed_task()
    with CaptureQueriesContext(connection) as seven:
        response = organizer_client.get(reverse("tasking:index"))
    assert response.content.decode().count("ValueError: 导出模板缺失") == 7
    assert len(seven) == len(one)


@pytest.mark.django_db
def test_an_organizer_runs_a_failed_task_once_more(db_tasks, organizer_client):
    row = failed_task()

    response = organizer_client.post(reverse("tasking:index"), {"task": str(row.pk)})

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY


@pytest.mark.django_db
def test_supervisors_only_read(db_tasks):
    row = failed_task()
    client = Client()
    client.force_login(factories.supervisor())

    page = client.get(reverse("tasking:index"))
    post = client.post(reverse("tasking:index"), {"task": str(row.pk)})

    assert page.status_code == 200
    assert "ValueError: 导出模板缺失" in page.content.decode()
    assert str(row.pk) not in page.content.decode()
    assert post.status_code == 404
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["team", "judge", "staff"])
def test_teams_judges_and_other_staff_do_not_see_the_task_page(db_tasks, who):
    failed_task()
    user = {
        "team": lambda: factories.TeamFactory().user,
        "judge": lambda: factories.judge(),
        "staff": lambda: factories.UserFactory(is_staff=True),
    }[who]()
    client = Client()
    client.force_login(user)

    response = client.get(reverse("tasking:index"))

    assert response.status_code in (302, 403, 404)
    assert "导出模板缺失" not in response.content.decode()


@pytest.mark.django_db
def test_the_page_says_when_tasks_do_not_go_through_the_database(settings, organizer_client):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    response = organizer_client.get(reverse("tasking:index"))
    assert response.status_code == 200
    assert "make worker" in response.content.decode()


@pytest.mark.django_db
def test_the_page_is_in_the_reports_menu_of_organizers(organizer_client):
    html = organizer_client.get(reverse("wagtailadmin_home")).content.decode()
    # The sidebar menu is JSON in the page, its non-ASCII text escaped.
    assert "后台任务" in html or json.dumps("后台任务")[1:-1] in html
    assert reverse("tasking:index") in html
