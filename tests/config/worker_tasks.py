"""Tasks for the worker tests (importable by a worker subprocess too)."""

import time
from pathlib import Path

from django.tasks import task

from tasking.mail import send_once, task_mail_key
from tasking.retry import retry


@task(takes_context=True)
def flaky(context, fail_times: int) -> int:
    """Fails on its first ``fail_times`` attempts, then returns the attempt that succeeded."""
    if context.attempt <= fail_times:
        raise ConnectionError(f"邮件服务器暂时不可用（第 {context.attempt} 次）")
    return context.attempt


@retry(max_attempts=2)
@task()
def always_fails() -> None:
    raise ValueError("导出模板缺失")


@task(takes_context=True)
def mail_two(context, first: str, second: str, signal_file: str = "", sleep_seconds: float = 0) -> str:
    """Mails ``first``; on the first attempt, says so in ``signal_file`` and sleeps (to be
    killed there); then mails ``second``."""
    send_once(key=task_mail_key(context, "first"), subject="第一封", body="一", to=[first])
    if context.attempt == 1 and signal_file:
        Path(signal_file).write_text("first sent")
        time.sleep(sleep_seconds)
    send_once(key=task_mail_key(context, "second"), subject="第二封", body="二", to=[second])
    return "done"
