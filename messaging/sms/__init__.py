"""SMS gateways behind one setting, ``SMS_BACKEND`` (a dotted path to a class with
``send(*, phone, body, template_code, params)``): ``console`` in development, ``aliyun`` for
Alibaba Cloud SMS. A backend raises ``SmsRejected`` when the provider refuses the message for
good (a bad number, a template not approved) and ``SmsError`` for anything worth retrying
(gateway down, rate limited by the provider)."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """Worth another attempt later."""


class SmsRejected(SmsError):
    """Refused for good: another attempt would get the same answer."""


@cache
def _backend_class(path: str):
    return import_string(path)


def get_backend():
    return _backend_class(settings.SMS_BACKEND)()
