"""Alibaba Cloud SMS (短信服务, API version 2017-05-25, action SendSms) through its official
SDK. Settings: ``SMS_ALIYUN_ACCESS_KEY_ID``, ``SMS_ALIYUN_ACCESS_KEY_SECRET``,
``SMS_ALIYUN_SIGN_NAME`` (the approved signature), ``SMS_ALIYUN_ENDPOINT`` (default
dysmsapi.aliyuncs.com; tests point it at a local fake server) and ``SMS_ALIYUN_PROTOCOL``.
Alibaba sends only approved templates: each message kind carries its template code and the
message's variables go as ``TemplateParam``."""

import json

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import SendSmsRequest
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions
from django.conf import settings

from . import SmsError, SmsRejected

# Provider answers that another attempt would not change (Alibaba's error codes).
PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isv.AMOUNT_NOT_ENOUGH",
}


def _client() -> Client:
    return Client(
        Config(
            access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
            access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
            endpoint=settings.SMS_ALIYUN_ENDPOINT,
            protocol=settings.SMS_ALIYUN_PROTOCOL,
            connect_timeout=5000,
            read_timeout=10000,
        )
    )


class AliyunBackend:
    def send(self, *, phone: str, body: str, template_code: str = "", params: dict | None = None) -> str:
        if not template_code:
            raise SmsRejected("没有短信模板编号（阿里云只发送审核通过的模板）")
        request = SendSmsRequest(
            phone_numbers=phone,
            sign_name=settings.SMS_ALIYUN_SIGN_NAME,
            template_code=template_code,
            template_param=json.dumps(params or {}, ensure_ascii=False),
        )
        try:
            # Our task queue retries with backoff; the SDK's own retries stay off.
            response = _client().send_sms_with_options(request, RuntimeOptions(autoretry=False))
        except Exception as error:  # the SDK raises its own and its HTTP library's errors
            code = getattr(error, "code", "") or ""
            text = f"{code} {getattr(error, 'message', '') or error}".strip()
            if code in PERMANENT:
                raise SmsRejected(text[:400]) from error
            raise SmsError(text[:400]) from error
        answer = response.body
        if answer.code != "OK":
            text = f"{answer.code}: {answer.message}"
            if answer.code in PERMANENT:
                raise SmsRejected(text)
            raise SmsError(text)
        return answer.biz_id or ""
