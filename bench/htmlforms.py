"""Forms as a browser sends them (bench/locustfile.py and bench/faults.py): the successful
controls of one <form>, and a multipart body with empty file inputs."""

import secrets
from html.parser import HTMLParser


class FormParser(HTMLParser):
    """The successful controls of one <form> (by id, or the first one): what a
    browser would post, file inputs and buttons left out."""

    def __init__(self, form_id: str | None = None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.maxima: dict[str, str] = {}
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and not self.inside:
            if self.form_id is None or a.get("id") == self.form_id:
                self.inside = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
                return
            self.fields.append((name, a.get("value") or ""))
            if a.get("data-max"):
                self.maxima[name] = a["data-max"]
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a and not self._selected:
                self.fields.append((self._select, value))
                self._selected = True

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside, self.done = False, True
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # The newline right after <textarea> is not part of the value (HTML spec).
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self.fields.append((self._select, self._first_option))
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def parse_form(html: str, form_id: str | None = None) -> FormParser:
    parser = FormParser(form_id)
    parser.feed(html)
    return parser


def multipart(fields: list[tuple[str, str]], empty_files: list[str]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it, empty file inputs included."""
    boundary = f"----LoadTestBoundary{secrets.token_hex(8)}"
    out = []
    for name, value in fields:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name in empty_files:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n".encode()
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"
