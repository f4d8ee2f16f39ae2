"""Background tasks in production: Django's tasks framework on the database backend
(django_tasks_db), plus what that backend leaves to us.

- ``tasking.retry``: a failed task is put back in the queue, with a growing delay, until its
  attempts (default ``TASKS_MAX_ATTEMPTS``, or what ``@retry`` declares) are used up; then it
  stays FAILED and is listed for organizers (设置 → 报告 → 后台任务).
- ``tasking.recovery``: workers write heartbeats; a task left RUNNING by a worker that died
  (killed, machine lost) is put back in the queue, or failed after its last attempt.
- ``tasking.mail``: e-mails sent from a task at most once per task run, however often it is
  retried (``send_once``).
- ``manage.py db_worker`` (``make worker``): django_tasks_db's worker with the heartbeat.
"""
