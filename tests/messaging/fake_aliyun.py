"""A local HTTP server that speaks Alibaba Cloud SMS's API as far as we use it: the RPC
action ``SendSms`` (version 2017-05-25), parameters in the query string or the form body,
answering JSON with ``Code`` "OK" or one of the provider's error codes. Used by the tests and
the bench (``bench/messages.py``) through the real SDK (``messaging.sms.aliyun``). Signatures
are required, not verified."""

import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeAliyun:
    def __init__(self):
        self.code = "OK"  # what SendSms answers: "OK" or an error code
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # Headers and body are written separately: without this, Nagle's algorithm and
                # the client's delayed ACK add 40 ms to every answer (no real gateway does).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                params.update({k: v[0] for k, v in parse_qs(body).items()})
                # The SDK's V3 signature (ACS3-HMAC-SHA256) names the action in headers; the
                # older RPC signature puts Action, Version and AccessKeyId in the parameters.
                params.setdefault("Action", self.headers.get("x-acs-action", ""))
                params.setdefault("Version", self.headers.get("x-acs-version", ""))
                params.setdefault("Authorization", self.headers.get("Authorization", ""))
                status, answer = fake.answer(params)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def answer(self, params: dict) -> tuple[int, dict]:
        request_id = str(uuid.uuid4()).upper()
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return 404, {
                "RequestId": request_id,
                "Code": "InvalidAction.NotFound",
                "Message": "Specified api is not found",
            }
        signed = params.get("Authorization", "").startswith("ACS3-HMAC-SHA256 Credential=")
        if not signed and not (params.get("AccessKeyId") and params.get("Signature")):
            return 400, {
                "RequestId": request_id,
                "Code": "MissingAccessKeyId",
                "Message": "AccessKeyId is mandatory",
            }
        with self._lock:
            self.requests.append(params)
            code = self.code
        if code == "OK":
            return 200, {
                "RequestId": request_id,
                "Code": "OK",
                "Message": "OK",
                "BizId": f"{len(self.requests)}^0",
            }
        return 200, {"RequestId": request_id, "Code": code, "Message": f"触发{code}"}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
