"""Masking identifying content in entry texts for blind review (DESIGN §4.1).

Two kinds of things are hidden: the names we know (team, organization, county and their
short forms, people named in the team profile, the team's log-in name) and things that look
identifying whatever they are (phone numbers, e-mail addresses, ID-card numbers, QQ and WeChat
accounts). Each becomes 【已隐去】.

What cannot be known is not hidden: a nickname, a person named only by surname and title
("王老师"), a place not in the profile. Organizers review the masked texts before scoring.
"""

import re
from collections.abc import Iterable

MASK = "【已隐去】"

# Suffixes that turn a place into an organization or team name; what precedes them
# (e.g. "东和镇王村") identifies the entry on its own.
ORGANIZATION_SUFFIXES = (
    "新时代文明实践中心",
    "新时代文明实践所",
    "新时代文明实践站",
    "文明实践中心",
    "文明实践所",
    "文明实践站",
    "志愿服务队",
    "志愿服务团",
    "志愿者协会",
    "志愿服务协会",
    "志愿者服务队",
    "志愿队",
)
PLACE_SUFFIXES = ("镇", "乡", "街道", "社区", "村")
COUNTY_SUFFIXES = ("区", "县", "市")


def _after(words: tuple[str, ...]) -> str:
    """Lookbehinds for "right after one of these words" (optionally ":" or a space between)."""
    return "(?:" + "|".join(f"(?<={re.escape(w + sep)})" for w in words for sep in ("", ":", "：", " ")) + ")"


PHONE_WORDS = ("电话", "热线", "座机", "手机", "传真", "联系", "咨询")
ACCOUNT_WORDS = ("QQ", "qq", "QQ号", "微信", "微信号", "公众号", "抖音号", "微博")

PATTERNS = [
    re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])"),  # ID-card number (18 digits)
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),  # e-mail address
    re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"),  # mobile phone
    re.compile(r"(?<!\d)(?:0\d{2,3}|[(（]0\d{2,3}[)）])[ -]?\d{7,8}(?!\d)"),  # landline with area code
    re.compile(r"(?<!\d)[2-8]\d{6,7}(?!\d)(?=[^\d]*(?:电话|热线|咨询|联系))"),  # local number before 电话
    re.compile(_after(PHONE_WORDS) + r"[2-8]\d{2,3}[ -]?\d{4}(?!\d)"),  # local number after 电话
    re.compile(_after(ACCOUNT_WORDS) + r"[A-Za-z0-9][-_A-Za-z0-9]{4,19}(?![-_A-Za-z0-9])"),  # QQ, WeChat
]
# A log-in name is matched as a whole word and in any case ("WangCun_HMJ").
HANDLE_CHARS = "A-Za-z0-9_.-"
MIN_HANDLE_LENGTH = 4

MIN_TERM_LENGTH = 2


def _strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_TERM_LENGTH:
            return name[: -len(suffix)]
    return name


def identifying_terms(
    *,
    team_names: Iterable[str] = (),
    organization_names: Iterable[str] = (),
    county_names: Iterable[str] = (),
    people: Iterable[str] = (),
    handles: Iterable[str] = (),
) -> list[str]:
    """Every name and short form to hide, longest first (so "潞州区" goes before "潞州").
    ``handles`` are log-in names (kept only from four characters on)."""
    terms: set[str] = set()
    county_list = [(c or "").strip() for c in county_names if (c or "").strip()]
    county_forms = sorted(
        {c for c in county_list} | {_strip_suffix(c, COUNTY_SUFFIXES) for c in county_list},
        key=len,
        reverse=True,
    )
    for name in organization_names:
        name = (name or "").strip()
        if not name:
            continue
        terms.add(name)
        place = _strip_suffix(name, ORGANIZATION_SUFFIXES)
        terms.add(place)
        # "潞州东和镇王村" names the place with and without its county (and city): also
        # "东和镇王村", "东和镇", "东和", "王村".
        for county in county_forms:
            at = place.find(county)
            if at >= 0 and len(place) - at - len(county) >= MIN_TERM_LENGTH:
                place = place[at + len(county) :]
                terms.add(place)
                break
        for piece in re.findall(r".+?(?:镇|乡|街道|社区|村)", place):
            terms.add(piece)
            terms.add(_strip_suffix(piece, PLACE_SUFFIXES))
    for name in team_names:
        name = (name or "").strip()
        if name:
            terms.add(name)
            terms.add(_strip_suffix(name, ORGANIZATION_SUFFIXES))
    terms.update(county_forms)
    for name in people:
        name = (name or "").strip()
        if name:
            terms.add(name)
    for handle in handles:
        handle = (handle or "").strip()
        if len(handle) >= MIN_HANDLE_LENGTH:
            terms.add(handle)
    return sorted((t for t in terms if len(t) >= MIN_TERM_LENGTH), key=lambda t: (-len(t), t))


def _term_pattern(term: str) -> str:
    if term.isascii():
        # Whole words only, in any case: "wangcun_hmj" but not inside "xwangcun_hmj".
        return f"(?<![{HANDLE_CHARS}])(?i:{re.escape(term)})(?![{HANDLE_CHARS}])"
    return re.escape(term)


def compile_terms(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile("|".join(_term_pattern(t) for t in terms))


def identifying_spans(text: str, terms: re.Pattern | None) -> list[tuple[int, int]]:
    """Where identifying content sits in ``text``: the (start, end) of every match of a pattern
    or a term, in the original text, sorted, with overlapping or touching spans merged. The one
    span finder for masked texts (``mask_text``) and blacked-out PDF pages alike."""
    if not text:
        return []
    found = [m.span() for pattern in PATTERNS for m in pattern.finditer(text)]
    if terms is not None:
        found += [m.span() for m in terms.finditer(text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in found if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_text(text: str, terms: re.Pattern | None) -> str:
    """Replace identifying content with 【已隐去】; runs of masks collapse into one."""
    if not text:
        return text or ""
    pieces, at = [], 0
    for start, end in identifying_spans(text, terms):
        pieces += [text[at:start], MASK]
        at = end
    pieces.append(text[at:])
    return re.sub(f"(?:{re.escape(MASK)})+", MASK, "".join(pieces))
