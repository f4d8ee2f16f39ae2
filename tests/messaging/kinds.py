"""A message kind of the tests' own (the domain kinds are tested with their events)."""

from messaging.models import Channel
from messaging.registry import Kind, register

TEST_KIND = register(
    Kind(
        name="tests.hello",
        label="测试消息",
        variables={"team": "团队名称", "count": "数量"},
        subject="您好，{{ team }}",
        body="{{ team }}：共 {{ count }} 个。{{ link }}",
        sms_body="{{ team }}：共{{ count }}个",
        sms_template_code="SMS_TEST",
        channels=(Channel.INBOX, Channel.EMAIL, Channel.SMS),
    )
)
