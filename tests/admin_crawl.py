"""Walk the Wagtail admin as a user sees it and find English left in its Chinese text.

``crawl`` starts at the dashboard, takes every item of the sidebar menu (from the sidebar's
JSON, so a new menu item is covered without naming it here) plus the explorer, search and
reports, and follows the links of each page that lead to a kind of page not seen yet (an add
form, the first edit form of a listing, a history, an explorer level...). Only GET: nothing is
changed, and links that act on GET (log-out, exports, downloads) are left alone.
"""

import json
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

# Kinds of page are told apart by their path with numbers, ids and slugs taken out.
_ID = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f-]{27,}|[0-9a-f]{32}|[A-Z0-9]{6,12}|[A-Za-z0-9_-]{20,})(?=/)")
SKIP = re.compile(
    r"/logout|/export|download|\.(xlsx|csv|pdf|zip|json|xml|txt)\b|/preview|/view_draft|/serve"
    r"|/password/|/cms/document|/documents/\d+/.+|/images/\d+/preview|/api/|/chooser|/autocomplete"
    r"|/usage/|/revisions/\d+/(view|compare)|/compare/|/unpublish|/lock|/unlock|/copy|/move"
    r"|/workflow/(action|preview)|/sheets/.+/pdf|/originals?/|/photos?/\d+|/attachments?/\d+|/bulk/"
)
EXTRA_SEEDS = (
    "/admin/",
    "/admin/pages/",
    "/admin/pages/search/?q=%E9%A1%B9%E7%9B%AE",
    "/admin/pages/search/?q=zzzzqqq",
    "/admin/account/",
    "/admin/reports/site-history/",
)
# Written in English on purpose: names of things, units and codes.
ALLOWED = {
    "xjz",  # pinyin initials, the station picker's example
    "wagtail",
    "django",
    "wechat",
    "excel",
    "xlsx",
    "csv",
    "pdf",
    "json",
    "jpeg",
    "jpg",
    "png",
    "webp",
    "gif",
    "svg",
    "heic",
    "docx",
    "sms",
    "url",
    "urls",
    "id",
    "ip",
    "kb",
    "mb",
    "gb",
    "px",
    "http",
    "https",
    "www",
    "html",
    "utf",
    "icc",
    "cms",
    "api",
    "ok",
    "zip",
    "qr",
    "icp",
    "pm",
    "am",
    "etc",
    "vs",
    "or",
    "ms",
    "wps",
}
WORD = re.compile(r"(?<![\w@./:-])[A-Za-z][a-z]+(?:'[a-z]+)?(?![\w@/-])")


def _walk(value, found: dict[str, set]):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("label", "footer_text") and isinstance(item, str):
                found["labels"].add(item)
            elif key == "url" and isinstance(item, str):
                found["urls"].add(item)
            else:
                _walk(item, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, found)


def sidebar(html: str) -> dict[str, set]:
    """The menu's links and labels (the sidebar is drawn from JSON by the admin's script)."""
    found = {"urls": set(), "labels": set()}
    soup = BeautifulSoup(html, "html.parser")
    props = soup.find("script", id="wagtail-sidebar-props")
    if props is not None:
        _walk(json.loads(props.string), found)
    return found


def visible_text(html: str) -> str:
    """What a reader sees or hears: text outside scripts and styles, the menu's labels, and the
    placeholders, titles, labels and values of controls."""
    soup = BeautifulSoup(html, "html.parser")
    menu = sidebar(html)["labels"]
    for tag in soup(["script", "style", "noscript", "svg", "code", "kbd"]):
        tag.decompose()  # not text; <code> and <kbd> are commands and settings, in English
    for tag in soup.find_all(translate="no"):
        tag.decompose()  # marked as not for translation (a message template's source)
    for tag in soup.find_all(hidden=True):
        tag.decompose()  # never shown as it is (e.g. a counter Wagtail fills in when needed)
    for tag in soup.find_all("select"):
        if re.search(r"language|time_zone", tag.get("name", "")):
            tag.decompose()  # each language named in itself; time zones by their codes
    parts = [soup.get_text(" "), *menu]
    for tag in soup.find_all(True):
        for attribute in ("placeholder", "title", "aria-label", "alt", "data-w-tooltip-content-value"):
            if tag.get(attribute):
                parts.append(tag[attribute])
        if tag.name == "input" and tag.get("type") in ("submit", "button") and tag.get("value"):
            parts.append(tag["value"])
    return "\n".join(parts)


def english_words(html: str, allowed: set[str] = frozenset()) -> set[str]:
    text = visible_text(html)
    text = re.sub(r"\S+@\S+|https?://\S+|/[\w./?=&%-]*", " ", text)  # addresses and paths are data
    return {
        word
        for word in WORD.findall(text)
        if word.lower() not in ALLOWED and word not in allowed and word.lower() not in allowed
    }


def kind(url: str) -> str:
    parts = urlsplit(url)
    path = _ID.sub("/N", parts.path)
    query = "?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else ""
    return path + query


def links(html: str, base: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = [urljoin(base, a["href"]) for a in soup.find_all("a", href=True)]
    found += [urljoin(base, url) for url in sidebar(html)["urls"]]
    result = []
    for url in found:
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/admin/") or SKIP.search(parts.path):
            continue
        query = parts.query if parts.query.startswith(("q=", "p=2")) else ""
        result.append(parts.path + ("?" + query if query else ""))
    return result


def crawl(client, *, limit: int = 400, seeds=EXTRA_SEEDS) -> dict[str, tuple[int, str]]:
    """Every kind of admin page reachable from the menu, by URL: (status, html)."""
    seen_kinds: set[str] = set()
    queue = deque(seeds)
    pages: dict[str, tuple[int, str]] = {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        if kind(url) in seen_kinds:
            continue
        seen_kinds.add(kind(url))
        response = client.get(url)
        if response.status_code in (301, 302):
            continue
        content_type = response.get("Content-Type", "")
        if not content_type.startswith("text/html"):
            continue
        html = response.content.decode()
        pages[url] = (response.status_code, html)
        queue.extend(link for link in links(html, url) if kind(link) not in seen_kinds)
    return pages
