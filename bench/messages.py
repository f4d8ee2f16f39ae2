"""Messages through the real worker: 2,000 teams told their results (``awards.results``: inbox,
e-mail and SMS), the SMS going to a local fake of Alibaba Cloud's SMS API over HTTP through the
official SDK, the e-mails through Django's mail backend (locmem: built, not delivered).

Usage: python bench/messages.py [TEAMS] [WORKERS]  (a fresh migrated database from bench/run.py;
prints JSON lines). Measures queueing (``results_ready``: rendering and writing the outbox, one
task per e-mail and SMS) and sending: ``manage.py db_worker --batch`` processes, timed from
their start until the queue is empty, with messages per second (e-mail + SMS)."""

import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["DJANGO_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ["SMS_DAILY_CAP"] = "1000000"

from tests.messaging.fake_aliyun import FakeAliyun  # noqa: E402

FAKE = FakeAliyun().__enter__()
os.environ.update(
    SMS_BACKEND="messaging.sms.aliyun.AliyunBackend",
    SMS_ALIYUN_ENDPOINT=FAKE.endpoint,
    SMS_ALIYUN_PROTOCOL="http",
    SMS_ALIYUN_ACCESS_KEY_ID="bench-key",
    SMS_ALIYUN_ACCESS_KEY_SECRET="bench-secret",  # noqa: S106  (the fake gateway checks none)
    SMS_ALIYUN_SIGN_NAME="志愿服务项目大赛",
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from awards.messages import results_ready  # noqa: E402
from competition.models import Category, Contest, County, Entry, Organization, Team  # noqa: E402
from messaging.models import Channel, Message  # noqa: E402


def make_teams(n: int) -> Contest:
    now = timezone.now()
    county = County.objects.create(name="潞州区")
    organization = Organization.objects.create(name="潞州区新时代文明实践中心", kind="center", county=county)
    contest = Contest.objects.create(
        title="2027年志愿服务项目大赛",
        year=2027,
        slug="bench-messages",
        submission_opens=now - timedelta(days=60),
        submission_closes=now - timedelta(days=30),
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        # An unusable password: these accounts only receive messages.
        User(username=f"team{i}", email=f"team{i}@example.org", password="!")  # noqa: S106
        for i in range(n)
    )
    teams = Team.objects.bulk_create(
        Team(
            user=user,
            name=f"红马甲志愿服务队{i}",
            organization=organization,
            contact_name="张建国",
            contact_phone=f"139{i:08d}",
        )
        for i, user in enumerate(users)
    )
    category = Category.objects.first() or Category.objects.create(code="education", name="助学支教")
    Entry.objects.bulk_create(
        Entry(
            contest=contest,
            team=team,
            category=category,
            title=f"七彩课堂留守儿童助学{i}",
            status=Entry.Status.SUBMITTED,
            submitted_at=now - timedelta(days=31),
            eligibility=Entry.Eligibility.ELIGIBLE,
        )
        for i, team in enumerate(teams)
    )
    return contest


def main() -> None:
    teams = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    contest = make_teams(teams)

    started = time.perf_counter()
    results_ready(contest_id=contest.pk)
    queued_seconds = time.perf_counter() - started
    outgoing = Message.objects.exclude(channel=Channel.INBOX).count()

    env = dict(os.environ)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-reload",
                "--queue-name",
                "*",
                "--interval",
                "0",
                "--worker-id",
                f"bench-{w}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for w in range(workers)
    ]
    for process in processes:
        process.wait()
    seconds = time.perf_counter() - started
    # CPU time of the workers: a figure that a busy shared machine does not distort.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    FAKE.__exit__(None, None, None)

    by_status = {
        (row["channel"], row["status"]): row["n"]
        for row in Message.objects.values("channel", "status").annotate(n=django.db.models.Count("pk"))
    }
    sent = by_status.get(("email", "sent"), 0) + by_status.get(("sms", "sent"), 0)
    print(
        json.dumps(
            {
                "name": f"messages: {teams} results (inbox, e-mail, SMS) through {workers} worker(s)",
                "teams": teams,
                "messages_queued": outgoing,
                "inbox_written": by_status.get(("inbox", "sent"), 0),
                "queue_seconds": round(queued_seconds, 2),
                "send_seconds": round(seconds, 2),
                "sent": sent,
                "sms_received_by_gateway": len(FAKE.requests),
                "not_sent": outgoing - sent,
                "messages_per_second": round(sent / seconds, 1),
                "worker_cpu_seconds": round(cpu, 1),
                "messages_per_worker_cpu_second": round(sent / cpu, 1),
                "load_average": os.getloadavg()[0],
                "target_per_second": 50,
                "ok": sent == outgoing and sent / seconds >= 50,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
