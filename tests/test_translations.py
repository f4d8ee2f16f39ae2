"""English is complete (DESIGN §8): every string marked for translation has an English text in
the committed catalogue, the committed .mo is that catalogue compiled, and real pages rendered
in English show no Chinese, while the same pages in Chinese show no untranslated English.

The source language is Simplified Chinese (msgids are Chinese), so ``zh-hans`` needs no
catalogue of ours; Django's and Wagtail's own strings come from their own catalogues.

When a test here fails after you added or changed a string: run ``make messages``, fill in the
new ``msgstr`` entries of locale/en/LC_MESSAGES/django.po (no "fuzzy" left), and run
``make messages`` again so that the .mo is compiled.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from competition.models import Entry, EntryEvent
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# The folders makemessages reads (the Makefile's `messages` target reads these and nothing else
# of ours: .venv, tests, scripts, bench and generated folders are ignored there).
SOURCE_FOLDERS = ("competition", "judging", "voting", "cms", "config", "templates")

CJK = re.compile(r"[\u4e00-\u9fff]")
# The language switcher names the other language in that language.
LANGUAGE_SWITCHER_LABEL = "简体中文"
# Data markers such as 【已隐去】 may stay in an English text: they are data, not wording.
DATA_MARKER = re.compile(r"【[^】]*】")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


# --- A small reader for .po files -----------------------------------------------------------


@dataclass
class Message:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index (0 when singular) -> text
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags

    def __str__(self) -> str:
        return (f"[{self.msgctxt}] " if self.msgctxt else "") + repr(self.msgid)


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a PO string: {text!r}"
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[Message]:
    """The entries of a .po file, header included (its msgid is "")."""
    messages: list[Message] = []
    current: Message | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None  # which field continuation lines extend
    keyword = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$")

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith(("#", "|")):
            continue  # translator, extracted, reference and previous-msgid comments
        match = keyword.match(line)
        if match:
            name, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if name == "msgctxt" or (name == "msgid" and (current is None or current.msgid is not None)):
                current = Message(msgid=None, flags=flags, obsolete=obsolete)  # type: ignore[arg-type]
                messages.append(current)
                flags = set()
            if name == "msgctxt":
                current.msgctxt = value
            elif name == "msgid":
                current.msgid = value
            elif name == "msgid_plural":
                current.msgid_plural = value
            else:
                current.msgstr[int(index or 0)] = value
            target = (name, int(index or 0))
            continue
        assert line.startswith('"') and current is not None and target, f"unexpected line: {raw!r}"
        value = _unquote(line)
        name, index = target
        if name == "msgctxt":
            current.msgctxt += value
        elif name == "msgid":
            current.msgid += value
        elif name == "msgid_plural":
            current.msgid_plural += value
        else:
            current.msgstr[index] += value
    return messages


def catalogue_entries(path: Path) -> dict[tuple[str | None, str], Message]:
    """The live (not obsolete) entries of a .po file, by (context, msgid), without the header."""
    return {m.key: m for m in read_po(path) if m.msgid and not m.obsolete}


@pytest.fixture(scope="module")
def committed() -> dict[tuple[str | None, str], Message]:
    assert CATALOGUE.exists(), f"{CATALOGUE.relative_to(ROOT)} is missing: run `make messages`"
    return catalogue_entries(CATALOGUE)


# --- The catalogue ---------------------------------------------------------------------------


@pytest.mark.slow
def test_every_marked_string_has_an_english_translation(tmp_path, committed):
    """Extract the strings afresh from a copy of the sources, as `make messages` does, and look
    each one up in the committed catalogue. Fails for a string added without a translation."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is not installed (Debian package `gettext`; `make test` installs it)")
    for folder in SOURCE_FOLDERS:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "locale").mkdir()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}

    # makemessages configures minimal settings of its own when none are given.
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete", "--no-location"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    extracted = catalogue_entries(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(extracted) > 100, "makemessages found suspiciously few strings"

    missing = [str(m) for key, m in extracted.items() if key not in committed]
    assert not missing, (
        f"{len(missing)} string(s) are not in {CATALOGUE.relative_to(ROOT)} (run `make messages` "
        "and translate them):\n" + "\n".join(missing)
    )
    untranslated = [str(committed[key]) for key in extracted if not committed[key].translated]
    assert not untranslated, (
        f"{len(untranslated)} string(s) have an empty or fuzzy English translation:\n"
        + "\n".join(untranslated)
    )
    plural_mismatch = [
        str(m) for key, m in extracted.items() if bool(m.msgid_plural) != bool(committed[key].msgid_plural)
    ]
    assert not plural_mismatch, "plural forms changed; run `make messages`:\n" + "\n".join(plural_mismatch)


def test_catalogue_has_no_fuzzy_or_empty_entries(committed):
    bad = [str(m) for m in committed.values() if not m.translated]
    assert not bad, "fuzzy or untranslated entries:\n" + "\n".join(bad)


def test_translations_keep_placeholders_and_are_english(committed):
    wrong_placeholders, chinese = [], []
    for message in committed.values():
        for index, text in message.msgstr.items():
            if not text:
                continue  # reported by test_catalogue_has_no_fuzzy_or_empty_entries
            source = message.msgid_plural if index and message.msgid_plural else message.msgid
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                wrong_placeholders.append(f"{message} -> {text!r}")
            if CJK.search(DATA_MARKER.sub("", text)):
                chinese.append(f"{message} -> {text!r}")
    assert not wrong_placeholders, "placeholders differ from the msgid:\n" + "\n".join(wrong_placeholders)
    assert not chinese, "Chinese left in English translations:\n" + "\n".join(chinese)


def test_plural_entries_have_singular_and_plural(committed):
    bad = [str(m) for m in committed.values() if m.msgid_plural and sorted(m.msgstr) != [0, 1]]
    assert not bad, "English plural entries need msgstr[0] and msgstr[1]:\n" + "\n".join(bad)


def test_committed_mo_is_the_compiled_po(committed):
    """The .mo is committed so that `make run` needs no gettext tools; it must not go stale."""
    assert COMPILED.exists(), f"{COMPILED.relative_to(ROOT)} is missing: run `make messages`"
    with COMPILED.open("rb") as fp:
        compiled = dict(gettext.GNUTranslations(fp)._catalog)
    compiled.pop("", None)  # the header

    expected = {}
    for message in committed.values():
        if not message.translated:
            continue  # msgfmt leaves out fuzzy and empty entries
        msgid = f"{message.msgctxt}\x04{message.msgid}" if message.msgctxt is not None else message.msgid
        if message.msgid_plural:
            expected.update({(msgid, index): text for index, text in message.msgstr.items()})
        else:
            expected[msgid] = message.msgstr[0]
    stale = sorted(
        repr(key) for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)
    )
    assert not stale, (
        f"{COMPILED.relative_to(ROOT)} differs from the .po (run `make messages`):\n" + "\n".join(stale[:50])
    )


# --- Pages ------------------------------------------------------------------------------------


@dataclass
class World:
    team: object
    organizer: object
    draft: Entry
    incomplete: Entry
    ineligible: Entry


@pytest.fixture
def world(db) -> World:
    """A team with three entries, all its data in ASCII so that any Chinese on an English page
    is wording that is not translated."""
    county = factories.CountyFactory(name="Luzhou District", short_name="Luzhou")
    organization = factories.OrganizationFactory(name="Riverside Practice Station", county=county)
    team = factories.TeamFactory(
        user=factories.UserFactory(username="redvest", email="redvest@example.org"),
        name="Red Vest Team",
        organization=organization,
        contact_name="Zhang Jianguo",
    )
    factories.TeamMemberFactory(team=team, name="Li Xiuying", role="Leader")
    contest = factories.ContestFactory(title="2026 Volunteer Project Contest")
    now = timezone.now()
    factories.ContestFactory(
        title="2027 Volunteer Project Contest",
        submission_opens=now + timedelta(days=30),
        submission_closes=now + timedelta(days=60),
    )
    texts = {
        "summary": "After-school tutoring for children whose parents work far away.",
        "need": "Many children have nobody to help with homework.",
        "approach": "Volunteers tutor three afternoons a week.",
        "innovation": "Students pair up with retired teachers.",
        "outcomes": "More than 300 tutoring sessions.",
    }
    draft = factories.EntryFactory(contest=contest, team=team, title="Rainbow Classroom", **texts)
    factories.add_photo(draft, caption="Homework club")
    factories.add_attachment(draft, title="Plan.pdf")
    EntryEvent.objects.create(entry=draft, kind=EntryEvent.Kind.CREATED, actor=team.user)
    EntryEvent.objects.create(entry=draft, kind=EntryEvent.Kind.SAVED, actor=team.user)

    incomplete = factories.EntryFactory(
        contest=contest,
        team=team,
        title="Reading Corner",
        **{**texts, "need": ""},
        volunteers=None,
        consent_guardians=False,
    )

    organizer = factories.organizer(username="organizer")
    ineligible = factories.EntryFactory(
        contest=contest,
        team=team,
        title="Park Clean-up",
        submitted=True,
        eligibility=Entry.Eligibility.INELIGIBLE,
        eligibility_reason="Not a volunteer service project.",
        **texts,
    )
    factories.add_photo(ineligible, caption="")
    factories.add_photo(ineligible, caption="")
    EntryEvent.objects.create(entry=ineligible, kind=EntryEvent.Kind.SUBMITTED, actor=team.user)
    EntryEvent.objects.create(
        entry=ineligible,
        kind=EntryEvent.Kind.ELIGIBILITY,
        actor=organizer,
        note="Not a volunteer service project.",
    )
    return World(team=team, organizer=organizer, draft=draft, incomplete=incomplete, ineligible=ineligible)


def entry_form_data(entry: Entry, **overrides) -> dict:
    data = {
        "version": str(entry.version),
        "category": str(entry.category_id),
        "title": entry.title,
        "summary": entry.summary,
        "need": entry.need,
        "approach": entry.approach,
        "innovation": entry.innovation,
        "outcomes": entry.outcomes,
        "volunteers": "25",
        "beneficiaries": "300",
        "service_hours": "1200",
        "activities": "80",
        "started_on": "2019-03-01",
        "consent_publish": "on",
        "consent_guardians": "on",
        "save": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def client_for(language: str | None, user=None) -> Client:
    client = Client()
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def rendered_pages(world: World, language: str | None) -> dict[str, str]:
    """Every team-facing page, plus the e-mail and the back-office review, by a short name."""
    pages: dict[str, str] = {}

    def get(name, client, url, status=200, **kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code == status, (name, response.status_code)
        pages[name] = response.content.decode()

    def post(name, client, url, data, status=200):
        response = client.post(url, data, follow=True)
        assert response.status_code == status, (name, response.status_code)
        pages[name] = response.content.decode()

    anonymous = client_for(language)
    get("login", anonymous, "/accounts/login/")
    get("signup", anonymous, "/accounts/signup/")
    post("signup with errors", anonymous, "/accounts/signup/", {"username": "x", "password1": "short"})
    post("login failed", anonymous, "/accounts/login/", {"username": "redvest", "password": "wrong"})
    get("password reset", anonymous, "/accounts/password/reset/")
    mail.outbox.clear()
    post("password reset sent", anonymous, "/accounts/password/reset/", {"email": "redvest@example.org"})
    assert len(mail.outbox) == 1
    pages["password reset e-mail"] = f"{mail.outbox[0].subject}\n{mail.outbox[0].body}"

    team = client_for(language, world.team.user)
    draft, incomplete, ineligible = (
        str(e.public_id) for e in (world.draft, world.incomplete, world.ineligible)
    )
    get("dashboard", team, "/my/")
    get("team", team, "/my/team/")
    get("password change", team, "/accounts/password/change/")
    get("draft", team, f"/my/entries/{draft}/")
    get("draft edit", team, f"/my/entries/{draft}/edit/")
    get("incomplete draft", team, f"/my/entries/{incomplete}/")
    get("ineligible entry", team, f"/my/entries/{ineligible}/")
    get("submitted entry edit", team, f"/my/entries/{ineligible}/edit/")
    get("new entry", team, f"/my/contests/{world.draft.contest.slug}/entries/new/")
    post("edit with errors", team, f"/my/entries/{draft}/edit/", entry_form_data(world.draft, title=""))
    post("edit conflict", team, f"/my/entries/{draft}/edit/", entry_form_data(world.draft, version="0"))
    post("draft saved", team, f"/my/entries/{draft}/edit/", entry_form_data(world.draft))
    incomplete_submit = entry_form_data(
        world.incomplete, need="", volunteers="", consent_guardians=None, save=None, submit="1"
    )
    post("incomplete submit", team, f"/my/entries/{incomplete}/edit/", incomplete_submit)
    get("not found", team, f"/my/entries/{uuid.uuid4()}/", status=404)

    staff = client_for(language, world.organizer)
    get("staff dashboard", staff, "/my/")
    get("back office entries", staff, "/admin/competition/entries/")
    get("back office review", staff, f"/admin/competition/entries/review/{ineligible}/")
    return pages


def test_english_pages_show_no_chinese(world):
    leftovers = {}
    for name, html in rendered_pages(world, "en").items():
        found = sorted(
            set(re.findall(r".{0,30}[\u4e00-\u9fff]+.{0,30}", html.replace(LANGUAGE_SWITCHER_LABEL, "")))
        )
        if found:
            leftovers[name] = found
    assert not leftovers, (
        "Chinese on English pages (mark the wording for translation and translate it):\n"
        + "\n".join(f"{name}: {found}" for name, found in leftovers.items())
    )


def test_english_pages_are_in_english(world):
    pages = rendered_pages(world, "en")
    assert '<html lang="en">' in pages["login"]
    assert "Log in" in pages["login"]
    assert "Red Vest Team" in pages["dashboard"]
    assert "Save draft" in pages["draft edit"]
    assert "2 photos" in pages["ineligible entry"]
    assert re.search(r"\b1 photo\b(?!s)", pages["dashboard"])
    assert "Draft saved." in pages["draft saved"]
    assert "Please fill in &quot;Need addressed&quot;." in pages["incomplete draft"]
    assert "Hello redvest," in pages["password reset e-mail"]


# Django's own English for fields and errors; its zh_Hans catalogue translates every one of them.
ENGLISH_UI_WORDS = re.compile(
    r"\b(Password|Username|Email address|This field is required|Enter a valid|Log in|Log out"
    r"|Sign up|Submit|Save|Delete|Draft|Optional|Required|characters|Forgot|Your password)\b"
)


def test_chinese_pages_show_no_untranslated_english(world):
    leftovers = {}
    for name, html in rendered_pages(world, None).items():
        if name.startswith("back office"):
            continue  # Wagtail's own zh_Hans catalogue leaves a few of its strings in English
        found = sorted(set(ENGLISH_UI_WORDS.findall(html)))
        if found:
            leftovers[name] = found
    assert not leftovers, "English words on Chinese pages:\n" + "\n".join(
        f"{name}: {found}" for name, found in leftovers.items()
    )


def test_chinese_is_the_default(world):
    pages = rendered_pages(world, None)
    assert '<html lang="zh-Hans">' in pages["login"]
    assert "保存草稿" in pages["draft edit"]
    with translation.override("zh-hans"):
        required = translation.gettext("This field is required.")
    assert CJK.search(required), "Django's zh_Hans catalogue is missing"
    assert required in pages["edit with errors"]
