"""The hostile team (issue 10, DESIGN §4.1): a team plants its identity in every carrier it can
(tests/hostile.py), enters the contest through the real web pages, and the contest moves on
through its services until the round opens for scoring. Then every judge assigned to the entry
crawls every judge page and file, and the scan reports, per carrier, each identity form or
active PDF content found and where.

One case per carrier, so each leak is seen on its own.
"""

import re
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from competition import services as competition_services
from competition.models import County, Entry, Organization
from judging.phases import SCORING
from tests import factories, hostile
from tests.conftest import for_one_test, kept_for_the_module
from tests.files import upload
from tests.judging.factories import RoundFactory, assign, client_for, make_judge, set_status, sync
from tests.judging.test_blindness import ID_MODELS, body_of, database_ids, start_ids_at

pytestmark = pytest.mark.django_db


class _Inputs(HTMLParser):
    """The named inputs of a page's forms (name → value), in page order."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("file", "submit", "checkbox"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def inputs_of(response) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(response.content.decode())
    return parser.values


def _entry_fields() -> dict:
    return {
        "category": factories.category("relief").pk,
        "volunteers": 18,
        "beneficiaries": 120,
        "service_hours": 900,
        "activities": 60,
        "started_on": "2019-05-01",
        "consent_publish": "on",
        "consent_guardians": "on",
        **hostile.entry_texts(),
    }


def team_enters(contest) -> Entry:
    """Sign up, fill in the team profile, write the entry with its photos and PDF, then caption
    the photos and submit: every step through the team's own pages."""
    county = County.objects.create(name=hostile.COUNTY, short_name="沁")
    organization = Organization.objects.create(
        name=hostile.ORGANIZATION,
        short_name=hostile.ORGANIZATION_SHORT,
        kind=Organization.Kind.STATION,
        county=county,
    )
    client = Client()
    password = "Warm-Sun-2019!x"
    response = client.post(
        reverse("signup"),
        {
            "username": hostile.USERNAME,
            "email": hostile.EMAIL,
            "password1": password,
            "password2": password,
            "phone": hostile.PHONE,
            "team_name": hostile.TEAM,
            "organization": organization.pk,
            "contact_name": hostile.CONTACT,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # The account opens with the link the sign-up e-mail carries.
    link = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", mail.outbox[-1].body).group(1)
    assert client.post(link).status_code == 302
    response = client.post(
        reverse("competition:team"),
        {
            "name": hostile.TEAM,
            "organization": organization.pk,
            "contact_name": hostile.CONTACT,
            "contact_phone": hostile.PHONE,
            "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
            "members-0-name": hostile.MEMBERS[0],
            "members-0-role": "队长",
            "members-1-name": hostile.MEMBERS[1],
            "members-1-role": "队员",
        },
    )
    assert response.status_code == 302
    create_url = reverse("competition:entry_create", args=[contest.slug])
    form = inputs_of(client.get(create_url))
    response = client.post(
        create_url,
        {
            **form,
            **_entry_fields(),
            "new_photos": [upload(name, data, kind) for name, data, kind in hostile.photo_files()],
            "new_attachments": [upload(hostile.PDF_NAME, hostile.pdf_file(), "application/pdf")],
            "save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    edit_url = response["Location"]
    form = inputs_of(client.get(edit_url))
    captions = [name for name in form if re.fullmatch(r"photo-.+-caption", name)]
    assert len(captions) == 2
    response = client.post(
        edit_url,
        {
            **form,
            **_entry_fields(),
            **dict(zip(captions, hostile.CAPTIONS, strict=True)),
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Entry.objects.get(team__user__username=hostile.USERNAME)


@dataclass
class Visit:
    judge: str
    method: str
    url: str
    status: int
    headers: dict
    body: bytes


@dataclass
class World:
    entry: Entry
    round_code: str
    blind_code: str
    judges: list[str]
    visits: list[Visit] = field(default_factory=list)
    findings: list[hostile.Finding] = field(default_factory=list)
    database_ids: set[int] = field(default_factory=set)


def crawl(client, judge_name: str, start: list[str]) -> list[Visit]:
    """Every page, image and file under /judging/ that a judge's pages link to (href, src,
    form actions, redirects), requested with GET."""
    visits, seen, queue = [], set(), list(start)
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        visit = Visit(judge_name, "GET", url, response.status_code, dict(response.items()), body_of(response))
        visits.append(visit)
        links = [visit.headers.get("Location", "")]
        if visit.headers.get("Content-Type", "").startswith("text/html"):
            links += hostile.parse_html(visit.body.decode()).links
        for link in filter(None, links):
            absolute = urllib.parse.urlsplit(urllib.parse.urljoin("http://testserver" + url, link))
            if absolute.netloc == "testserver" and absolute.path.startswith("/judging/"):
                queue.append(absolute.path + (f"?{absolute.query}" if absolute.query else ""))
    return visits


def post(client, judge_name: str, url: str, data: dict) -> list[Visit]:
    response = client.post(url, data)
    visits = [Visit(judge_name, "POST", url, response.status_code, dict(response.items()), body_of(response))]
    if response.status_code == 302:
        visits += crawl(client, judge_name, [response["Location"]])
    return visits


def build_world() -> World:
    start_ids_at(ID_MODELS, 810000)
    organizer = factories.organizer()
    contest = factories.ContestFactory(title="2026年志愿服务项目大赛")
    entry = team_enters(contest)
    factories.close_submission(contest)
    entry = competition_services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    round = RoundFactory(contest=contest, judges_per_entry=2)
    (round_entry,) = sync(round)
    judges = [make_judge(name="评委甲"), make_judge(name="评委乙")]
    for judge in judges:
        assign(round_entry, judge, by=organizer)
    set_status(round, SCORING, by=organizer)
    world = World(entry, round.code, round_entry.blind_code, [j.name for j in judges])
    score_url = reverse("judging:score", args=[round.code, round_entry.blind_code])
    # The team's own file addresses, as a judge might guess or be sent them.
    team_files = [reverse("competition:photo_file", args=[p.public_id]) for p in entry.photos.all()]
    team_files += [
        reverse("competition:attachment_file", args=[a.public_id]) for a in entry.attachments.all()
    ]
    for judge in judges:
        client = client_for(judge.user)
        world.visits += crawl(client, judge.name, [reverse("judging:dashboard"), score_url])
        world.visits += post(client, judge.name, score_url, {"version": 0, "save": "1", "score-1": "10"})
        world.visits += post(client, judge.name, score_url, {"version": 0, "submit": "1", "score-1": "abc"})
        world.visits += post(client, judge.name, reverse("judging:next", args=[round.code]), {})
        for url in team_files:
            response = client.get(url)
            world.visits.append(
                Visit(judge.name, "GET", url, response.status_code, dict(response.items()), body_of(response))
            )
    for visit in world.visits:
        world.findings += hostile.scan_response(visit.url, visit.headers, visit.body)
    world.database_ids = database_ids()
    return world


@pytest.fixture(scope="module")
def _hostile_world_for_the_module(pinned_clock_for_module, django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(_hostile_world_for_the_module, db) -> World:
    return for_one_test(_hostile_world_for_the_module)


def _carriers_in(findings) -> set[str]:
    return {hostile.carrier_of(f) for f in findings}


def test_generator_plants_every_carrier_the_scan_can_find():
    """The planted files and texts carry every carrier (and the scan sees each one), so a
    carrier that is clean at the judge's end is clean because it was removed."""
    found = []
    for name, data, _kind in hostile.photo_files():
        found += hostile.scan_image(name, "image", data)
    found += hostile.scan_pdf(hostile.PDF_NAME, hostile.pdf_file())
    for name, text in hostile.entry_texts().items():
        found += hostile.find_forms(name, f"html text <{name}>", text)
    for caption in hostile.CAPTIONS:
        found += hostile.find_forms("caption", "html text <figcaption>", caption)
    found += hostile.find_forms(hostile.PDF_NAME, "header Content-Disposition", hostile.PDF_NAME)

    assert sorted(set(hostile.CARRIERS) - _carriers_in(found)) == []


def test_hostile_entry_went_in_through_the_team_pages(world):
    entry = world.entry

    assert (entry.status, entry.eligibility) == (Entry.Status.SUBMITTED, Entry.Eligibility.ELIGIBLE)
    assert sorted(p.caption for p in entry.photos.all()) == sorted(hostile.CAPTIONS)
    assert [a.title for a in entry.attachments.all()] == [hostile.PDF_NAME]
    assert sorted(m.name for m in entry.team.members.all()) == sorted(hostile.MEMBERS)
    assert entry.summary == hostile.entry_texts()["summary"]


def test_every_judge_reaches_the_entry_its_photos_and_its_pdf(world):
    score_url = reverse("judging:score", args=[world.round_code, world.blind_code])
    reached = {
        (v.judge, v.url)
        for v in world.visits
        if v.status == 200 and v.method == "GET" and v.url.startswith(score_url)
    }
    prefix = score_url
    # Photos as thumbnails (src) and at screen size (the tap's link), both from the blind copy.
    photos = {f"{prefix}photos/{n}/{width}/" for n in (1, 2) for width in (320, 1280)}
    expected = {prefix, *photos, f"{prefix}files/1/", f"{prefix}conflict/"}

    assert reached == {(judge, url) for judge in world.judges for url in expected}


def test_judges_get_404_for_the_teams_own_file_addresses(world):
    team_files = [v for v in world.visits if v.url.startswith("/my/files/")]

    assert [v.status for v in team_files] == [404] * 3 * len(world.judges)


@pytest.mark.parametrize("carrier", hostile.CARRIERS)
def test_judge_receives_no_identity_or_active_content_through(world, carrier):
    found = sorted({str(f) for f in world.findings if hostile.carrier_of(f) == carrier})

    assert found == []


def test_every_finding_belongs_to_a_known_carrier(world):
    assert sorted(_carriers_in(world.findings) - set(hostile.CARRIERS)) == []


def test_judge_urls_carry_no_database_id_or_file_name(world):
    numbers = []
    for visit in world.visits:
        for url in (visit.url, visit.headers.get("Location", "")):
            numbers += [(url, int(n)) for n in re.findall(r"\d+", url)]
    file_names = [f for f in world.findings if f.where == "url" or f.where.startswith("header Location")]

    assert [(url, n) for url, n in numbers if n in world.database_ids] == []
    assert file_names == []
    assert min(world.database_ids) > 810000


def test_judge_pages_show_no_time_of_submission(world):
    submitted = timezone.localtime(world.entry.submitted_at)
    shown = {
        submitted.strftime(f)
        for f in ("%Y年%-m月%-d日 %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y年%-m月%-d日")
    }
    shown.add(str(int(world.entry.submitted_at.timestamp())))
    pages = [v for v in world.visits if v.headers.get("Content-Type", "").startswith("text/html")]

    assert [(v.url, s) for v in pages for s in sorted(shown) if s in v.body.decode()] == []
