"""The back office in Chinese (issue 11): every admin page an organizer (组委会), a supervisor
(监委) and a county coordinator reach from their menus shows no untranslated English, on an
empty database and on the demo contest at its last stage; and the pieces that make it so (our
zh_Hans catalogue overriding the frameworks', Chinese names for Wagtail's own rows).

The pages are found by walking the menus (tests/admin_crawl.py), so a new page is covered
without being named here. What may stay in English: account names and e-mail addresses (data),
the categories' English names and codes (data), brand names, units and codes (admin_crawl.ALLOWED).
"""

import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation
from wagtail.models import Collection, Workflow

from accounts.roles import COORDINATORS
from competition.models import Category, Coordinator
from tests import factories
from tests.admin_crawl import crawl, english_words, sidebar
from tests.test_translations import catalogue_entries

ROOT = Path(__file__).resolve().parents[2]
OURS = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"

pytestmark = pytest.mark.slow

# Names of methods and statistics, written so in Chinese texts too.
NAMES = {"Kendall", "ICC"}


def data_words() -> set[str]:
    """English that is data: account names and the categories' English names and codes."""
    words = set(NAMES)
    for text in [
        *get_user_model().objects.values_list("username", flat=True),
        *Category.objects.values_list("name_en", flat=True),
        *Category.objects.values_list("code", flat=True),
    ]:
        words.update(re.findall(r"[A-Za-z]+", text))
    return words


def untranslated(user) -> dict[str, list[str]]:
    client = Client()
    client.force_login(user)
    pages = crawl(client)
    assert len(pages) >= 4, f"the crawl found only {sorted(pages)}"
    broken = {url: status for url, (status, _html) in pages.items() if status != 200}
    assert not broken, f"admin pages that do not answer 200: {broken}"
    allowed = data_words()
    found = {url: sorted(english_words(html, allowed)) for url, (_status, html) in pages.items()}
    return {url: words for url, words in found.items() if words}


def report(leftovers: dict[str, list[str]]) -> str:
    return "English left on Chinese admin pages:\n" + "\n".join(
        f"{url}: {words}" for url, words in sorted(leftovers.items())
    )


@pytest.fixture(scope="module")
def demo_for_the_module(pinned_clock_for_module, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo contest up to publication, seeded once for the module (rolled back at its end)."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, MEDIA_ROOT=media / "public", PRIVATE_MEDIA_ROOT=media / "private"),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", entries=16, judges=6, stage="published", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- The catalogue and the names -----------------------------------------------------------------


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_committed_mo_is_our_zh_hans_catalogue_compiled(domain):
    with (OURS / f"{domain}.mo").open("rb") as fp:
        compiled = dict(gettext.GNUTranslations(fp)._catalog)
    compiled.pop("", None)
    expected = {}
    for message in catalogue_entries(OURS / f"{domain}.po").values():
        assert message.translated, f"{message} has no Chinese"
        expected[(message.msgid, 0) if message.msgid_plural else message.msgid] = message.msgstr[0]
    assert compiled == expected, "run `manage.py compilemessages --ignore=.venv`"


def test_make_messages_leaves_our_zh_hans_catalogue_alone(tmp_path):
    """`make messages` runs makemessages -l en: it must not rewrite (or drop entries of) the
    hand-maintained zh_Hans catalogue, whose msgids are nowhere in our sources."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is not installed (Debian package `gettext`)")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    before = (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_bytes()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}

    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_bytes() == before


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("- Select an option -", "- 请选择 -"),
        ("Search all pages…", "搜索所有页面…"),
        ("Exploring", "正在浏览"),
        ("New: %(model_name)s", "新建%(model_name)s"),
    ],
)
def test_our_catalogue_completes_the_frameworks_chinese(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_our_catalogue_overrides_a_string_the_frameworks_leave_in_english_in_plural():
    with translation.override("zh-hans"):
        text = translation.ngettext(
            "%(num_parent_objects)d page has been published",
            "%(num_parent_objects)d pages have been published",
            6,
        ) % {"num_parent_objects": 6}
    assert text == "已发布 6 个页面"


def test_wagtails_own_rows_have_chinese_names(db):
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert set(Group.objects.filter(name__in=["编辑人员", "审核人员"]).values_list("name", flat=True)) == {
        "编辑人员",
        "审核人员",
    }
    assert Workflow.objects.filter(name="审核人员审批").exists()
    assert Collection.get_first_root_node().name == "根目录"


# --- Every page of the menus --------------------------------------------------------------------


def test_organizer_pages_on_an_empty_database_are_chinese(db):
    leftovers = untranslated(factories.organizer(username="zuweihui"))
    assert not leftovers, report(leftovers)


def test_coordinator_pages_on_an_empty_database_are_chinese(db):
    leftovers = untranslated(factories.coordinator_for(factories.CountyFactory(), username="xianqu"))
    assert not leftovers, report(leftovers)


@pytest.mark.parametrize("username", ["organizer", "supervisor", "coordinator"])
def test_back_office_pages_of_the_demo_contest_are_chinese(demo_for_the_module, db, username):
    User = get_user_model()
    if username == "coordinator":
        user = Coordinator.objects.select_related("user").order_by("user__username")[0].user
        assert user.groups.filter(name=COORDINATORS).exists()
    else:
        user = User.objects.get(username=username)
    leftovers = untranslated(user)
    assert not leftovers, report(leftovers)


def test_help_menu_follows_each_readers_language_whoever_came_first(db):
    """Wagtail builds the help menu once, in the first reader's language."""
    organizer = factories.organizer(username="zuweihui")
    english, chinese = Client(), Client()
    for client in (english, chinese):
        client.force_login(organizer)
    english.cookies["django_language"] = "en"

    english_menu = sidebar(english.get("/admin/").content.decode())["labels"]
    chinese_menu = sidebar(chinese.get("/admin/").content.decode())["labels"]

    assert any(label.startswith("What's new in Wagtail") for label in english_menu)
    assert any(label.endswith("的新功能") for label in chinese_menu)
    assert not any("What" in label for label in chinese_menu)
