"""Locust users for the load test (bench/load.py, part "load" of `make bench`).

Three kinds of user against one app server on 127.0.0.1:

- ``Reader`` (the rest of -u): anonymous, browses the public site (home, showcase with and
  without filters, project pages, stories, search); 1–3 s between pages.
- ``JudgeUser`` (BENCH_LOAD_JUDGES, default 60): logs in once as its own judgeNNN, opens the
  dashboard and its assigned sheets in the scoring round, saves valid scores through the real
  form (CSRF token, hidden version), submits some.
- ``TeamUser`` (BENCH_LOAD_TEAMS, default 50): logs in once as its own teamNNNN, opens its
  draft entry's edit form, changes the text, saves (multipart, like a browser), submits some.

Requests are named by page type, so locust's statistics are per page type. Every write the
user believes succeeded (the form answered with its redirect) is recorded and written, when
the test stops, to the JSON file named by LOAD_WRITES; bench/load.py then looks for each of
them in the database. The accounts and pages come from the JSON file named by LOAD_FIXTURE
(written by ``bench/load.py prepare``).
"""

import itertools
import json
import os
import random
import re
import secrets
import sys
import time
import uuid
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, between, events, task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from htmlforms import multipart, parse_form  # noqa: E402

FIXTURE = json.loads(open(os.environ["LOAD_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
WRITES_PATH = os.environ.get("LOAD_WRITES", "")
N_JUDGES = int(os.environ.get("BENCH_LOAD_JUDGES", "60"))
N_TEAMS = int(os.environ.get("BENCH_LOAD_TEAMS", "50"))
# Signed-in users do not all log in in the same second (each log-in costs a PBKDF2 hash).
LOGIN_SPREAD = float(os.environ.get("BENCH_LOAD_LOGIN_SPREAD", "20"))
PASSWORD = FIXTURE["password"]
WRITES: list[dict] = []
SAMPLES_PATH = os.environ.get("LOAD_SAMPLES", "")
# (start time, request name, response time in ms, failed) of every request.
SAMPLES: list[tuple[float, str, float, bool]] = []
_judges = itertools.cycle(FIXTURE["judges"][:N_JUDGES])
_teams = itertools.cycle(FIXTURE["teams"][:N_TEAMS])


def location_path(response) -> str:
    return urlsplit(response.headers.get("Location", "") or "").path


# --- Users -----------------------------------------------------------------------------------


class Reader(FastHttpUser):
    """An anonymous reader of the public site (the page cache serves most of it)."""

    wait_time = between(1, 3)
    weight = 1

    def page(self, path: str, name: str):
        self.client.get(path, name=name, headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    @task(3)
    def home(self):
        self.page("/", "public: home")

    @task(2)
    def showcase(self):
        self.page(FIXTURE["showcase"], "public: showcase")

    @task(2)
    def showcase_filtered(self):
        filters = [
            f"category={random.choice(FIXTURE['categories'])}",
            f"county={random.choice(FIXTURE['counties'])}",
            f"year={random.choice(FIXTURE['years'])}",
        ]
        query = "&".join(random.sample(filters, k=random.randint(1, 2)))
        self.page(f"{FIXTURE['showcase']}?{query}", "public: showcase (filtered)")

    @task(5)
    def project(self):
        self.page(random.choice(FIXTURE["projects"]), "public: project page")

    @task(1)
    def stories(self):
        self.page(FIXTURE["story_index"], "public: story index")

    @task(2)
    def story(self):
        self.page(random.choice(FIXTURE["stories"]), "public: story page")

    @task(1)
    def search(self):
        self.page(f"/search/?q={random.choice(FIXTURE['search_terms'])}", "public: search")

    @task(1)
    def contest(self):
        self.page(FIXTURE["contest_page"], "public: contest page")


class SignedIn(FastHttpUser):
    abstract = True

    def origin(self) -> dict:
        return {"Origin": self.host.rstrip("/"), "Referer": self.host.rstrip("/") + "/"}

    def login(self, username: str, role: str) -> bool:
        gevent.sleep(random.uniform(0, LOGIN_SPREAD))
        page = self.client.get("/accounts/login/", name="login page")
        token = dict(parse_form(page.text or "").fields).get("csrfmiddlewaretoken", "")
        with self.client.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": ""},
            headers=self.origin(),
            name="login (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{role} {username}: log-in answered {response.status_code}")
                return False
        return True

    def post_form(self, path: str, body: bytes | dict, name: str, content_type: str | None = None):
        headers = self.origin()
        if content_type:
            headers["Content-Type"] = content_type
        return self.client.post(
            path, data=body, headers=headers, name=name, allow_redirects=False, catch_response=True
        )


class JudgeUser(SignedIn):
    """A judge scoring the sheets assigned in the scoring round."""

    fixed_count = N_JUDGES
    wait_time = between(2, 5)

    def on_start(self):
        self.username = next(_judges)
        self.sheets: list[str] = []
        self.ready = self.login(self.username, "judge")
        if self.ready:
            self.dashboard()

    def dashboard(self):
        """The dashboard, then its "not started" and "saved" tabs (the first page of the plain
        list may hold only the previous round's sheets): the scoring round's sheets."""
        pattern = rf'href="(/judging/{re.escape(FIXTURE["round"])}/[A-Za-z0-9]+/)"'
        found = set(self.sheets)
        for query, name in [
            ("", "judge: dashboard"),
            ("?status=todo", "judge: dashboard (filtered)"),
            ("?status=draft", "judge: dashboard (filtered)"),
        ]:
            response = self.client.get(f"/judging/{query}", name=name)
            found.update(re.findall(pattern, response.text or ""))
        self.sheets = sorted(found)

    @task
    def score(self):
        if not self.ready or not self.sheets:
            return
        if random.random() < 0.2:
            self.dashboard()
        path = random.choice(self.sheets)
        page = self.client.get(path, name="judge: score sheet")
        form = parse_form(page.text or "", "score-form")
        fields = dict(form.fields)
        if "csrfmiddlewaretoken" not in fields or not form.maxima:
            return  # read-only sheet (should not happen in a scoring round)
        gevent.sleep(random.uniform(1, 3))  # reading the entry, typing the scores
        points = {}
        for name, maximum in form.maxima.items():
            value = random.randint(0, 2 * int(maximum)) / 2
            fields[name] = f"{value:g}"
            points[name.removeprefix("score-")] = f"{value:g}"
        fields["comment_to_organizers"] = f"负载测试 {self.username} {secrets.token_hex(3)}"
        submit = random.random() < 0.3
        fields["submit" if submit else "save"] = "1"
        version = int(fields.get("version") or 0)
        label = "judge: sheet submit (POST)" if submit else "judge: sheet save (POST)"
        with self.post_form(path, fields, label) as response:
            if response.status_code != 302:
                response.failure(f"sheet {path} not saved: HTTP {response.status_code}")
                return
        blind = path.rstrip("/").rsplit("/", 1)[1]
        WRITES.append(
            {
                "kind": "sheet",
                "judge": self.username,
                "round": FIXTURE["round"],
                "blind": blind,
                "version": version + 1,
                "points": points,
                "comment": fields["comment_to_organizers"],
                "submit": submit,
            }
        )
        following = response.headers.get("Location")
        if following:
            target = location_path(response)
            name = "judge: dashboard" if target.rstrip("/") == "/judging" else "judge: score sheet"
            self.client.get(target, name=name)


class TeamUser(SignedIn):
    """A team editing (and sometimes submitting) its draft entry."""

    fixed_count = N_TEAMS
    wait_time = between(3, 8)

    def on_start(self):
        team = next(_teams)
        self.username, self.entry = team["username"], team["entry"]
        self.saves = 0
        self.ready = self.login(self.username, "team")
        if self.ready:
            self.client.get("/my/", name="team: dashboard")

    @task(4)
    def edit(self):
        if not self.ready:
            return
        path = f"/my/entries/{self.entry}/edit/"
        page = self.client.get(path, name="team: entry edit form")
        form = parse_form(page.text or "", "entry-form")
        fields = dict(form.fields)
        if "csrfmiddlewaretoken" not in fields or "outcomes" not in fields:
            return
        gevent.sleep(random.uniform(2, 6))  # typing
        self.saves += 1
        marker = f"【负载测试 {self.username} #{self.saves} {uuid.uuid4().hex[:10]}】"
        text = fields["outcomes"].split("\n【负载测试 ")[0].rstrip()
        fields["outcomes"] = f"{text}\n{marker}"
        submit = random.random() < 0.25
        fields["submit" if submit else "save"] = "1"
        version = int(fields.get("version") or 0)
        body, content_type = multipart(list(fields.items()), ["new_photos", "new_attachments"])
        label = "team: entry submit (POST)" if submit else "team: entry save (POST)"
        with self.post_form(path, body, label, content_type) as response:
            target = location_path(response)
            if response.status_code != 302 or "/accounts/login" in target:
                response.failure(f"entry {self.entry} not saved: HTTP {response.status_code} {target}")
                return
        WRITES.append(
            {
                "kind": "entry",
                "team": self.username,
                "entry": self.entry,
                "version": version + 1,
                "marker": marker,
                "submit": submit,
            }
        )
        name = "team: entry detail" if target.endswith(f"/{self.entry}/") else "team: entry edit form"
        self.client.get(target, name=name)

    @task(1)
    def detail(self):
        if self.ready:
            self.client.get(f"/my/entries/{self.entry}/", name="team: entry detail")


@events.request.add_listener
def sample(request_type, name, response_time, response_length, exception=None, start_time=None, **_kw):
    SAMPLES.append((start_time or time.time(), name, response_time, exception is not None))


@events.test_stop.add_listener
def save_writes(**_kwargs):
    if WRITES_PATH:
        with open(WRITES_PATH, "w", encoding="utf-8") as out:
            json.dump(WRITES, out, ensure_ascii=False)
    if SAMPLES_PATH:
        with open(SAMPLES_PATH, "w", encoding="utf-8") as out:
            json.dump(SAMPLES, out, ensure_ascii=False)
