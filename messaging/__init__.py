"""Messages the platform sends (ARCHITECTURE: infrastructure, imports no domain app).

- ``registry``: each message kind, registered by the domain app that owns its event, with its
  default Chinese template, its variables and its default channels.
- ``services.notify``: the one function domain services call (on commit) to send a kind to
  recipients; one ``Message`` row per recipient and channel, each sent by a task.
- ``channels`` and ``sms``: the in-site inbox, e-mail (Django's mail backend) and SMS through a
  pluggable gateway (``SMS_BACKEND``: console, Alibaba Cloud).
- ``reminders``: what ``manage.py send_due_reminders`` runs; domain apps register their checks.
"""
