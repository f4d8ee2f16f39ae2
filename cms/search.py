"""Chinese word segmentation for search, used both when pages are indexed and when a reader
searches, so that the two always split text the same way.

Neither SQLite FTS5 nor PostgreSQL splits Chinese into words: a run of Chinese characters is
one token, so `志愿` would never find `社区志愿者项目`. jieba's search mode yields the words and
the shorter words inside them (社区 / 志愿 / 志愿者 / 项目), joined here by spaces, which both
databases' tokenisers then split on.
"""

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)

# What counts as a word worth indexing or searching for: letters, digits or Chinese characters.
_WORDISH = re.compile(r"[\w]", re.UNICODE)
# Single characters that carry no meaning on their own in a query.
_QUERY_STOP = set("的了和与及或在是有为对把被从之其")


def segment(text: str) -> str:
    """The words of *text* for the search index, separated by single spaces."""
    if not text:
        return ""
    return " ".join(word for word in jieba.cut_for_search(text) if _WORDISH.search(word))


def query_terms(query: str) -> list[str]:
    """The words of a reader's query, in order and without repeats, for searching and
    highlighting. Whole words only (not the sub-words search mode adds): every term must
    match, and `志愿者` should not also demand `愿者`."""
    terms: list[str] = []
    for word in jieba.cut(query or ""):
        word = word.strip().lower()
        if not word or not _WORDISH.search(word) or word in _QUERY_STOP:
            continue
        if word not in terms:
            terms.append(word)
    return terms[:12]
