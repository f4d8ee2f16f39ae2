import pytest
from django_tasks_db.management.commands import db_worker

from tests.messaging.fake_aliyun import FakeAliyun


@pytest.fixture
def db_tasks(settings, monkeypatch):
    """Tasks go to the database queue, run by ``tests.worker.run_worker``; retries wait no time."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_RETRY_DELAY = 0
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def aliyun(settings):
    """The Alibaba Cloud backend, talking to a local fake of its SMS API over HTTP."""
    with FakeAliyun() as fake:
        settings.SMS_BACKEND = "messaging.sms.aliyun.AliyunBackend"
        settings.SMS_ALIYUN_ENDPOINT = fake.endpoint
        settings.SMS_ALIYUN_PROTOCOL = "http"
        settings.SMS_ALIYUN_ACCESS_KEY_ID = "test-key"
        settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "test-secret"
        settings.SMS_ALIYUN_SIGN_NAME = "志愿服务项目大赛"
        yield fake
