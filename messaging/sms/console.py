"""Development: the SMS is written to the log (and standard output) instead of being sent."""

import logging
import sys

logger = logging.getLogger(__name__)


class ConsoleBackend:
    def send(self, *, phone: str, body: str, template_code: str = "", params: dict | None = None) -> str:
        sys.stdout.write(f"[短信] {phone}: {body}\n")
        sys.stdout.flush()
        logger.info("SMS to %s (%s): %s", phone, template_code, body)
        return "console"
