"""Chinese word segmentation for search, used both when pages are indexed and when a reader
searches, so that the two always split text the same way; and the highlighting of the words
found in titles and excerpts.

Neither SQLite FTS5 nor PostgreSQL splits Chinese into words: a run of Chinese characters is
one token, so `志愿` would never find `社区志愿者项目`. jieba's search mode yields the words and
the shorter words inside them (社区 / 志愿 / 志愿者 / 项目), joined here by spaces, which both
databases' tokenisers then split on.

A query's terms are made only of letters, digits and Chinese characters (no quotes, stars,
colons, brackets or hyphens), so nothing a reader types can reach either database's query
syntax as an operator: see ``query_terms``.
"""

import logging
import re

import jieba
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

jieba.setLogLevel(logging.WARNING)

# What counts as a word worth indexing or searching for: letters, digits or Chinese characters.
_WORDISH = re.compile(r"[\w]", re.UNICODE)
# The runs of letters, digits and Chinese characters in a token ("c++" → "c", "50%" → "50").
# The underscore is left out: both databases' tokenisers split on it.
_WORD_RUN = re.compile(r"[^\W_]+", re.UNICODE)
# Single characters that carry no meaning on their own in a query.
_QUERY_STOP = set("的了和与及或在是有为对把被从之其")
# Longest query read (characters); the rest is ignored.
MAX_QUERY_LENGTH = 100
# Most terms a query is searched for.
MAX_TERMS = 12
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def segment(text: str) -> str:
    """The words of *text* for the search index, separated by single spaces."""
    if not text:
        return ""
    return " ".join(word for word in jieba.cut_for_search(text) if _WORDISH.search(word))


def clean_query(query) -> str:
    """The reader's query as searched for and shown back: a string, whitespace collapsed, at
    most MAX_QUERY_LENGTH characters, no control characters (PostgreSQL refuses NUL)."""
    if not isinstance(query, str):
        return ""
    query = "".join(ch if ch.isprintable() else " " for ch in query[: MAX_QUERY_LENGTH * 4])
    return " ".join(query.split())[:MAX_QUERY_LENGTH].strip()


def query_terms(query: str) -> list[str]:
    """The words of a reader's query, in order and without repeats, for searching and
    highlighting. Whole words only (not the sub-words search mode adds): every term must
    match, and `志愿者` should not also demand `愿者`.

    Each term is a run of letters, digits and Chinese characters, lower-cased: what the
    databases' tokenisers would have made of it anyway, and nothing either database could read
    as query syntax (quotes, `*`, `-`, `:`, brackets). Words such as OR, AND and NEAR are
    searched for as words, because the search backends quote every term."""
    terms: list[str] = []
    for word in jieba.cut(clean_query(query)):
        for run in _WORD_RUN.findall(word.lower()):
            if run in _QUERY_STOP or run in terms:
                continue
            terms.append(run)
    return terms[:MAX_TERMS]


def _pattern(terms) -> re.Pattern | None:
    """One regular expression matching any of *terms* (longest first, so that 志愿者 wins
    over 志愿). Latin words and numbers match only at the start of a word (`ai` not inside
    `said`; `volunteer` in `volunteers`, as PostgreSQL's stemming finds it)."""
    parts = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        escaped = re.escape(term)
        if _ASCII_WORD.fullmatch(term):
            escaped = rf"(?<![a-z0-9]){escaped}"
        parts.append(escaped)
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight(text, terms) -> SafeString:
    """*text* HTML-escaped, with every occurrence of the terms wrapped in ``<mark>``.

    The matches are found in the raw text and every piece is escaped on its own, so a term can
    never match inside an entity that escaping made (``&amp;``) and no markup of the text's
    own survives."""
    text = "" if text is None else str(text)
    pattern = _pattern(terms or [])
    if pattern is None:
        return escape(text)
    out = []
    position = 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def excerpt(text, terms, length: int = 110) -> str:
    """About *length* characters of *text* (plain text, whitespace collapsed) around the first
    term found, with an ellipsis where it was cut; the start of the text when no term is in it."""
    text = " ".join(str(text or "").split())
    if len(text) <= length:
        return text
    pattern = _pattern(terms or [])
    match = pattern.search(text) if pattern else None
    start = 0
    if match:
        # A little context before the match, but never so much that the match is cut off.
        start = max(0, min(match.start() - length // 4, len(text) - length))
    end = min(len(text), start + length)
    snippet = text[start:end].strip()
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else "")
