"""Anonymity (DESIGN §4.1): nothing a judge can request reveals who an entry comes from.

The round is seeded through the real submission path (``competition.services.entry_create``
with photos and PDFs cleaned by ``competition.uploads``) by teams whose names, places, people,
phone numbers, e-mail addresses and ID numbers also appear in their own texts, captions, photo
EXIF and PDF metadata. A judge then requests every page and file they can reach.
"""

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from competition import services as competition_services
from competition.models import (
    Contest,
    County,
    Entry,
    EntryAttachment,
    EntryPhoto,
    Organization,
    Team,
    TeamMember,
)
from competition.uploads import clean_pdf, clean_photo, display_name
from judging.models import Assignment, Criterion, Judge, Round, RoundEntry, ScoreSheet
from judging.phases import SCORING
from tests import factories
from tests.files import gps_exif, jpeg_bytes, pdf_bytes, upload
from tests.judging.factories import JudgeFactory, RoundFactory, assign, client_for, set_status, sync

pytestmark = pytest.mark.django_db

# Each team names itself, its station, its place and its people inside its own texts.
TEAMS = [
    {
        "county": ("潞州区", "潞州"),
        "organization": ("潞州区东和镇王村新时代文明实践站", "王村实践站"),
        "places": ["东和镇", "东和", "王村"],
        "team": ("王村红马甲志愿服务队", "王村红马甲"),
        "username": "wangcun_hmj",
        "email": "wangcun.hmj@163.com",
        "contact": ("欧阳晓梅", "13912345678"),
        "members": ["司马振华", "上官婉清"],
        "entry": {
            "title": "王村红马甲志愿服务队：东和镇留守儿童七彩课堂",
            "summary": "由潞州区东和镇王村新时代文明实践站发起，负责人欧阳晓梅（电话 139-1234-5678）。",
            "need": "王村实践站所在的潞州东和镇王村留守儿童多，课后无人辅导。",
            "approach": "司马振华、上官婉清每周三次辅导，报名请发邮件至 wangcun.hmj@163.com。",
            "innovation": "王村红马甲与大学生结对，关注我们的公众号 wangcun_hmj 了解详情。",
            "outcomes": "服务儿童三百余人次。负责人身份证号 14040219800101123X，座机 (0355)5012345。",
        },
        "captions": ["王村红马甲在东和镇王村开展课后辅导", "欧阳晓梅与孩子们"],
        "photo_names": ["IMG_20250815_wangcun.jpg", "DSC_hongmajia_0042.jpg"],
        "pdf_names": ["王村红马甲申报书-终稿.pdf"],
    },
    {
        "county": ("襄垣县", "襄垣"),
        "organization": ("襄垣县古韩镇侯堡村新时代文明实践站", "侯堡站"),
        "places": ["古韩镇", "古韩", "侯堡村", "侯堡"],
        "team": ("侯堡巾帼志愿服务队", "侯堡巾帼"),
        "username": "houbao_jinguo",
        "email": "houbao_jg@example.cn",
        "contact": ("慕容秋雨", "15887654321"),
        "members": ["皇甫建业"],
        "entry": {
            "title": "侯堡巾帼志愿服务队：古韩镇独居老人每日问安",
            "summary": "襄垣县古韩镇侯堡村的侯堡巾帼志愿服务队每天上门问候独居老人。",
            "need": "侯堡村独居老人四十余人，子女多在外地务工。",
            "approach": "慕容秋雨统筹，皇甫建业负责排班，热线 +86 158 8765 4321。",
            "innovation": "与襄垣县卫健部门合作建立健康档案，侯堡站提供场地。",
            "outcomes": "联系人电话 0355-2021234，邮箱 houbao_jg@example.cn，身份证 140423198512120019。",
        },
        "captions": ["侯堡巾帼志愿服务队上门问安"],
        "photo_names": ["houbao_visit.jpeg"],
        "pdf_names": ["houbao-jinguo-report.pdf", "侯堡站活动照片.pdf"],
    },
    {
        "county": ("屯留区", "屯留"),
        "organization": ("屯留区麟绛街道康庄社区新时代文明实践站", "康庄站"),
        "places": ["麟绛街道", "麟绛", "康庄社区", "康庄"],
        "team": ("康庄银发志愿服务队", "康庄银发"),
        "username": "kangzhuang_yinfa",
        "email": "kz_yinfa@qq.com",
        "contact": ("端木青松", "18603551234"),
        "members": ["独孤长风", "令狐婉儿"],
        "entry": {
            "title": "康庄银发志愿服务队：社区老年人智能手机帮学",
            "summary": "屯留区麟绛街道康庄社区的退休教师端木青松带领银发志愿者教老人用手机。",
            "need": "康庄社区老年人多，不会用手机挂号、视频通话。",
            "approach": "独孤长风、令狐婉儿每周两次上课，咨询电话 186 0355 1234。",
            "innovation": "屯留首个由老年人教老年人的项目，康庄站提供教室。",
            "outcomes": "学员四百余人。报名邮箱 kz_yinfa@qq.com，微信 kangzhuang_yinfa。",
        },
        "captions": ["端木青松在康庄社区授课", "麟绛街道老年学员合影"],
        "photo_names": ["kangzhuang-class.jpg", "端木青松授课.jpg"],
        "pdf_names": ["kz_yinfa_2026.pdf"],
    },
]

ID_MODELS = [Contest, County, Organization, Team, TeamMember, Entry, EntryPhoto, EntryAttachment]
ID_MODELS += [Round, Criterion, RoundEntry, Judge, Assignment, ScoreSheet, get_user_model()]


def start_ids_at(models: list, base: int) -> None:
    """Make every new row of these tables get a long, distinctive id (base, base + 1000, …),
    so that an id showing up in a page cannot be confused with a position or a count."""
    with connection.cursor() as cursor:
        for n, model in enumerate(models):
            table, start = model._meta.db_table, base + 1000 * n
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start])
            else:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                    [table, model._meta.pk.column, start + 1],
                )


def photo_with_metadata(person: str, n: int) -> bytes:
    exif = gps_exif()
    exif[0x013B] = person  # Artist: the team's contact person
    return jpeg_bytes(width=320, height=240, color=(40 * n, 90, 160), exif=exif)


@dataclass
class Seed:
    round: Round
    judge: Judge
    entries: list[Entry]
    secrets: list[str]
    round_entries: list[RoundEntry] = field(default_factory=list)


def seed_round() -> Seed:
    start_ids_at(ID_MODELS, 730000)
    organizer = factories.organizer()
    contest = factories.ContestFactory(title="2026年志愿服务项目大赛")
    entries, secrets = [], []
    for spec in TEAMS:
        county = County.objects.create(name=spec["county"][0], short_name=spec["county"][1])
        organization = Organization.objects.create(
            name=spec["organization"][0],
            short_name=spec["organization"][1],
            kind=Organization.Kind.STATION,
            county=county,
        )
        user = factories.UserFactory(username=spec["username"], email=spec["email"])
        team = Team.objects.create(
            user=user,
            name=spec["team"][0],
            organization=organization,
            contact_name=spec["contact"][0],
            contact_phone=spec["contact"][1],
        )
        for i, name in enumerate(spec["members"]):
            TeamMember.objects.create(team=team, name=name, role="队员", sort_order=i)
        photos = [
            (clean_photo(upload(name, photo_with_metadata(spec["contact"][0], n), "image/jpeg")), caption)
            for n, (name, caption) in enumerate(zip(spec["photo_names"], spec["captions"], strict=False))
        ]
        pdfs = [
            (
                clean_pdf(
                    upload(name, pdf_bytes(title=f"{spec['team'][0]}申报材料", author=spec["contact"][0]))
                ),
                display_name(name),
            )
            for name in spec["pdf_names"]
        ]
        data = {
            "category": factories.category("education"),
            **spec["entry"],
            "volunteers": 25,
            "beneficiaries": 300,
            "service_hours": 1200,
            "activities": 80,
            "started_on": "2019-03-01",
            "consent_publish": True,
            "consent_guardians": True,
        }
        entry = competition_services.entry_create(
            team=team,
            contest=contest,
            data=data,
            files=competition_services.EntryFileChanges(new_photos=photos[:1], new_attachments=pdfs),
            creation_token=None,
            submit=False,
            by=user,
        )
        # A second save (with the remaining photos) runs entry_update and submits.
        entry = competition_services.entry_update(
            entry=entry,
            data=data,
            files=competition_services.EntryFileChanges(new_photos=photos[1:]),
            expected_version=entry.version,
            submit=True,
            by=user,
        )
        competition_services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
        entries.append(entry)
        secrets += [*spec["county"], *spec["organization"], *spec["places"], *spec["team"]]
        secrets += [spec["username"], spec["email"], spec["contact"][0], spec["contact"][1], *spec["members"]]
        secrets += spec["photo_names"] + spec["pdf_names"]
        secrets += [n.rsplit(".", 1)[0] for n in spec["photo_names"] + spec["pdf_names"]]
    # Phone numbers, e-mail addresses and ID numbers as they were written in the texts.
    secrets += ["139-1234-5678", "1234-5678", "+86 158 8765 4321", "8765 4321", "0355-2021234", "2021234"]
    secrets += ["(0355)5012345", "5012345", "186 0355 1234", "14040219800101123X", "140423198512120019"]
    secrets += ["DemoCam", "WPS Office"]

    judge = JudgeFactory(name="评委甲")
    round = RoundFactory(contest=contest, judges_per_entry=1)
    round_entries = sync(round)
    for round_entry in round_entries:
        assign(round_entry, judge, by=organizer)
    set_status(round, SCORING, by=organizer)
    return Seed(round=round, judge=judge, entries=entries, secrets=secrets, round_entries=round_entries)


def database_ids() -> set[int]:
    ids = set()
    for model in ID_MODELS:
        ids |= set(model.objects.values_list("pk", flat=True))
    return ids


class Attributes(HTMLParser):
    """Every (tag, attribute, value) of a page."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.forms: list[tuple[str, str]] = []  # (method, action)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.found.append((tag, name, value or ""))
        if tag == "form":
            attrs = dict(attrs)
            self.forms.append(((attrs.get("method") or "get").lower(), attrs.get("action") or ""))


def attributes(html: str) -> Attributes:
    parser = Attributes()
    parser.feed(html)
    return parser


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@dataclass
class Visit:
    method: str
    url: str
    status: int
    headers: dict
    body: bytes


class JudgeCrawl:
    """Requests pages as the judge, following every judging link, image, file and form."""

    def __init__(self, client):
        self.client = client
        self.visits: list[Visit] = []
        self.seen: set[str] = set()

    def record(self, method, url, response) -> Visit:
        visit = Visit(method, url, response.status_code, dict(response.items()), body_of(response))
        self.visits.append(visit)
        return visit

    def get(self, url, data=None) -> Visit:
        return self.record("GET", url, self.client.get(url, data or {}))

    def post(self, url, data=None) -> Visit:
        visit = self.record("POST", url, self.client.post(url, data or {}))
        if visit.status == 302:
            self.get(visit.headers["Location"])
        return visit

    def follow(self, start: list[str]) -> None:
        queue = list(start)
        while queue:
            url = queue.pop(0)
            if url in self.seen:
                continue
            self.seen.add(url)
            visit = self.get(url)
            if visit.headers.get("Content-Type", "").startswith("text/html"):
                page = attributes(visit.body.decode())
                links = [v for _t, name, v in page.found if name in ("href", "src")]
                queue += [link for link in links if link.startswith("/judging/")]
                for method, action in page.forms:
                    if method == "post" and action.startswith("/judging/") and action not in self.seen:
                        self.seen.add(action)
                        self.post(action)


def scores(values: list) -> dict:
    return {f"score-{n}": str(v) for n, v in enumerate(values, start=1)}


def crawl_everything(seed: Seed) -> JudgeCrawl:
    crawl = JudgeCrawl(client_for(seed.judge.user))
    first, second, third = seed.round_entries
    score_url = reverse("judging:score", args=[seed.round.code, first.blind_code])
    # A draft on one entry and a submitted sheet on another, so every state shows somewhere.
    crawl.post(score_url, {"version": 0, "save": "1", **scores([10, 11])})
    submit_url = reverse("judging:score", args=[seed.round.code, second.blind_code])
    crawl.post(submit_url, {"version": 0, "submit": "1", **scores([12, 13, 17, 21, 8, 12])})
    dashboard = reverse("judging:dashboard")
    crawl.follow([dashboard])
    for status in ("todo", "draft", "submitted"):
        crawl.get(dashboard, {"status": status})
    crawl.get(dashboard, {"q": third.blind_code})
    crawl.get(dashboard, {"q": "七彩课堂", "status": "draft"})
    crawl.get(dashboard, {"q": "没有这个词"})
    for round_entry in seed.round_entries:
        crawl.follow([reverse("judging:declare_conflict", args=[seed.round.code, round_entry.blind_code])])
    crawl.post(reverse("judging:next", args=[seed.round.code]))
    # A refused save (bad input) renders the page with the entry again.
    crawl.post(score_url, {"version": 0, "submit": "1", **scores(["abc"])})
    return crawl


@pytest.fixture
def seeded():
    return seed_round()


@pytest.fixture
def crawl(seeded):
    return crawl_everything(seeded)


def test_seed_entries_carry_identifying_data_before_masking(seeded):
    photo = EntryPhoto.objects.filter(entry=seeded.entries[0]).first()
    stored_texts = " ".join(getattr(e, name) for e in seeded.entries for name in TEAMS[0]["entry"])

    assert [name in stored_texts for name in ("王村红马甲志愿服务队", "欧阳晓梅", "14040219800101123X")] == [
        True,
        True,
        True,
    ]
    assert photo.caption == "王村红马甲在东和镇王村开展课后辅导"
    assert (
        EntryAttachment.objects.filter(entry=seeded.entries[0]).first().title == "王村红马甲申报书-终稿.pdf"
    )


def test_judge_crawl_reaches_every_page_and_file(seeded, crawl):
    ok = [(v.method, v.url) for v in crawl.visits if v.status == 200]
    photos = [v for v in crawl.visits if "/photos/" in v.url and v.status == 200]
    pdfs = [v for v in crawl.visits if "/files/" in v.url and v.status == 200]
    score_pages = {v.url for v in crawl.visits if v.status == 200 and v.url.count("/") == 4}

    # Each photo reached as its thumbnail (the page's src) and its screen size (the tap's link).
    reached = {re.match(r"(.*/photos/\d+/)(\d+)/$", v.url).groups() for v in photos}
    assert len({photo for photo, _width in reached}) == sum(len(t["photo_names"]) for t in TEAMS)
    assert {width for _photo, width in reached} == {"320", "1280"}
    assert len(pdfs) == sum(len(t["pdf_names"]) for t in TEAMS)
    assert score_pages == {
        reverse("judging:score", args=[seeded.round.code, r.blind_code]) for r in seeded.round_entries
    }
    conflict_pages = [v for v in crawl.visits if v.url.endswith("/conflict/") and v.status == 200]
    next_redirects = [v for v in crawl.visits if v.url.endswith("/next/") and v.method == "POST"]
    assert len(conflict_pages) == len(TEAMS)
    unscored = sorted([seeded.round_entries[0].blind_code, seeded.round_entries[2].blind_code])
    assert {(v.status, v.headers["Location"]) for v in next_redirects} == {
        (302, reverse("judging:score", args=[seeded.round.code, unscored[0]]))
    }
    assert [v.status for v in crawl.visits if v.status not in (200, 302)] == []
    assert len(ok) > 15


def test_judge_pages_and_files_contain_no_identifying_string(seeded, crawl):
    leaks = []
    for visit in crawl.visits:
        body = visit.body
        texts = [body, *(f"{k}: {v}".encode() for k, v in visit.headers.items())]
        for secret in seeded.secrets:
            encodings = [secret.encode(), secret.encode("utf-16-be"), secret.encode("utf-16-le")]
            if any(e in text for e in encodings for text in texts):
                leaks.append((visit.url, secret))

    assert sorted(set(leaks)) == []


def test_judge_photos_have_no_exif_or_other_metadata(crawl):
    photos = [v for v in crawl.visits if "/photos/" in v.url and v.status == 200]

    metadata = []
    for visit in photos:
        image = Image.open(io.BytesIO(visit.body))
        metadata.append(
            (dict(image.getexif()), sorted(set(image.info) & {"exif", "xmp", "icc_profile", "comment"}))
        )

    assert metadata == [({}, [])] * len(photos)
    assert [b"Exif" in v.body for v in photos] == [False] * len(photos)
    assert {v.headers["Content-Disposition"] for v in photos} == {"inline"}


def test_judge_pdfs_have_no_document_metadata(crawl):
    pdfs = [v for v in crawl.visits if "/files/" in v.url and v.status == 200]

    found = []
    for visit in pdfs:
        reader = PdfReader(io.BytesIO(visit.body))
        info = reader.metadata or {}
        found.append(
            (
                sorted(set(info) & {"/Title", "/Author", "/Creator", "/Subject", "/Keywords"}),
                reader.xmp_metadata,
            )
        )

    assert found == [([], None)] * len(pdfs)
    assert [v.headers["Content-Disposition"] for v in pdfs] == [
        f'inline; filename="attachment-{v.url.rstrip("/").rsplit("/", 1)[1]}.pdf"' for v in pdfs
    ]


def test_judge_urls_and_attributes_contain_no_database_id(crawl):
    ids = database_ids()  # including the sheets the crawl saved
    numbers = []
    for visit in crawl.visits:
        location = visit.headers.get("Location", "")
        numbers += [
            (visit.url, "Location", n) for n in re.findall(r"\d+", location) + re.findall(r"\d+", visit.url)
        ]
        if visit.headers.get("Content-Type", "").startswith("text/html"):
            html = CSRF.sub("", visit.body.decode())
            for tag, name, value in attributes(html).found:
                numbers += [(visit.url, f"{tag}.{name}", n) for n in re.findall(r"\d+", value)]
            numbers += [(visit.url, "text", n) for n in re.findall(r"\d+", html)]

    assert [(url, where, n) for url, where, n in numbers if int(n) in ids] == []
    assert min(ids) > 730000
    assert ScoreSheet.objects.count() == 2


def test_judge_pages_are_private_and_not_stored(crawl):
    cache_headers = {(v.method, v.url): v.headers.get("Cache-Control") for v in crawl.visits}

    # Pages and files are not kept; photo renditions are kept by the judge's browser but
    # checked with the server at every use (need to know holds for cached copies too).
    assert {value for (_m, url), value in cache_headers.items() if "/photos/" not in url} == {
        "private, no-store"
    }
    assert {value for (_m, url), value in cache_headers.items() if "/photos/" in url} == {"private, no-cache"}


def test_blind_codes_are_not_ordered_like_entry_ids():
    round = RoundFactory()
    for _ in range(20):
        factories.EntryFactory(contest=round.contest, submitted=True, eligibility=Entry.Eligibility.ELIGIBLE)

    codes = [r.blind_code for r in sync(round)]  # in entry-id order

    assert codes != sorted(codes)
    assert codes != sorted(codes, reverse=True)
    assert len(set(codes)) == 20


def test_blind_codes_differ_between_rounds_of_the_same_entries():
    first = RoundFactory()
    second = RoundFactory(contest=first.contest)
    for _ in range(10):
        factories.EntryFactory(contest=first.contest, submitted=True, eligibility=Entry.Eligibility.ELIGIBLE)

    codes_first = [r.blind_code for r in sync(first)]
    codes_second = [r.blind_code for r in sync(second)]

    assert codes_first != codes_second
    assert [len(code) for code in codes_first] == [6] * 10
