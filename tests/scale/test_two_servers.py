"""Two app servers against one PostgreSQL + Redis + S3 stack (issue 6, "Two app servers").

Two gunicorn processes (config/gunicorn.conf.py, production settings from environment
variables only) on two ports share a fresh PostgreSQL database, a Redis database and a bucket
of moto's S3-compatible server (tests/scale/servers.py builds and removes it all). The tests
talk real HTTP to them, as browsers would, and prove that nothing ties a user to one server:

- a session started on one server is valid on the other (it is in the shared Redis);
- a photo uploaded through one is shown, byte for byte, through the other, from the bucket's
  private tree, and never touches the local disk;
- two judges saving their own sheets at the same moment through different servers both land;
- one sheet saved at the same moment through both servers (both forms loaded first, so both
  carry the same version) gives one save and one clear conflict message: never a silent
  overwrite.
"""

import io
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from .servers import OPEN_CONTEST_SLUG, Browser, field_value, jpeg, page_fields, text_of, two_server_stack

# Real servers in other processes: the real clock, and out of `make test-fast`. With pytest-xdist
# the module's tests stay on one worker, so the stack (module-scoped) is built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("two-servers")]

CONFLICT = "这份评分表已在其他窗口保存过"
CONFLICT_ADVICE = "为避免覆盖，本次没有保存。请刷新页面核对后再保存。"
# Scores within the default rubric's maxima (15, 15, 20, 25, 10, 15).
SCORES_A = [12, 11.5, 17, 20, 8, 13]
SCORES_B = [5, 6, 7, 8, 9, 10.5]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with two_server_stack(tmp_path_factory.mktemp("two-servers")) as stack:
        yield stack


@pytest.fixture(scope="module")
def servers(stack):
    return stack.servers


# --- helpers -----------------------------------------------------------------------------------


def open_assignment(stack, username: str) -> tuple[str, str]:
    """(round code, blind code) of one of the judge's assignments without a sheet yet."""
    rows = stack.sql(
        """
        SELECT r.code, re.blind_code
        FROM judging_assignment a
        JOIN judging_judge j ON j.id = a.judge_id
        JOIN auth_user u ON u.id = j.user_id
        JOIN judging_round r ON r.id = a.round_id
        JOIN judging_roundentry re ON re.id = a.round_entry_id
        LEFT JOIN judging_scoresheet s ON s.assignment_id = a.id
        WHERE u.username = %s AND s.id IS NULL AND r.status = 'scoring'
        ORDER BY a.id
        """,
        (username,),
    )
    assert rows, f"the demo left {username} nothing to score"
    return rows[0]


def stored_sheet(stack, round_code: str, blind_code: str, username: str) -> tuple[int, list[float]] | None:
    """(version, points in rubric order) of the judge's sheet, from the database."""
    rows = stack.sql(
        """
        SELECT s.id, s.version FROM judging_scoresheet s
        JOIN judging_assignment a ON a.id = s.assignment_id
        JOIN judging_judge j ON j.id = a.judge_id
        JOIN auth_user u ON u.id = j.user_id
        JOIN judging_round r ON r.id = a.round_id
        JOIN judging_roundentry re ON re.id = a.round_entry_id
        WHERE u.username = %s AND r.code = %s AND re.blind_code = %s
        """,
        (username, round_code, blind_code),
    )
    if not rows:
        return None
    sheet_id, version = rows[0]
    points = stack.sql(
        """
        SELECT sc.points FROM judging_score sc JOIN judging_criterion c ON c.id = sc.criterion_id
        WHERE sc.sheet_id = %s ORDER BY c.sort_order, c.id
        """,
        (sheet_id,),
    )
    return version, [float(p) for (p,) in points]


def score_path(round_code: str, blind_code: str) -> str:
    return f"/judging/{round_code}/{blind_code}/"


def sheet_post(page: str, values: list) -> dict:
    """The score form as the page gave it (CSRF token, the version it was loaded at), with
    these scores typed in and 暂存 (save) pressed."""
    return {
        "csrfmiddlewaretoken": field_value(page, "csrfmiddlewaretoken"),
        "version": field_value(page, "version"),
        **{f"score-{n}": str(v) for n, v in enumerate(values, start=1)},
        "comment_to_organizers": "",
        "feedback_to_team": "",
        "save": "1",
    }


def shown_scores(page: str) -> list[float]:
    values = page_fields(page).inputs
    return [float(values[f"score-{n}"][0]) for n in range(1, 7)]


def saved_together(stack, *posts):
    """Send the sheet saves from threads, hold each one back in the database when it reaches the
    sheets table until all of them are there, then let them go at once: their transactions
    overlap for certain. The responses, in order."""
    with ThreadPoolExecutor(len(posts)) as pool:
        with stack.holding("judging_scoresheet") as hold:
            futures = [pool.submit(post) for post in posts]
            hold.wait_for(len(posts))
        return [future.result(timeout=60) for future in futures]


# --- a. sessions -------------------------------------------------------------------------------


def test_a_session_started_on_one_server_is_valid_on_the_other(stack, servers):
    a, b = servers
    judge_name = stack.sql(
        "SELECT j.name FROM judging_judge j JOIN auth_user u ON u.id = j.user_id WHERE u.username = %s",
        ("judge001",),
    )[0][0]
    # Not signed in, B sends the reader to log in.
    stranger = Browser().get(b, "/judging/")
    assert stranger.status_code == 302 and stranger.headers["Location"].startswith("/accounts/login/")

    browser = Browser()
    browser.login(a, "judge001")
    # Only the cookies the log-in on A set, in a browser that has never been to B.
    cookies = browser.cookies()
    assert set(cookies) >= {"sessionid", "csrftoken"}
    on_b = Browser({"sessionid": cookies["sessionid"]}).get(b, "/judging/")

    assert on_b.status_code == 200, f"{on_b.status_code} {on_b.headers.get('Location')}"
    assert f"{judge_name}，您好" in on_b.text
    assert on_b.headers["Cache-Control"] == "private, no-store"
    # The session lives in the shared Redis (cached_db sessions), not in a server's memory. A
    # server that found Redis slow leaves it alone for a few seconds (common/cache.py) and reads
    # the session from the database: its next read after that puts the session back in Redis.
    key = f"*django.contrib.sessions.cached_db{cookies['sessionid']}"
    deadline = time.monotonic() + 15
    while not stack.redis().keys(key) and time.monotonic() < deadline:
        time.sleep(1)
        Browser({"sessionid": cookies["sessionid"]}).get(b, "/judging/")
    assert stack.redis().keys(key), stack.logs()
    # Logging out on B ends it on A too.
    page = browser.form_page(b, "/judging/")
    logout = browser.post(
        b, "/accounts/logout/", {"csrfmiddlewaretoken": field_value(page, "csrfmiddlewaretoken")}
    )
    assert logout.status_code == 302
    again_on_a = Browser({"sessionid": cookies["sessionid"]}).get(a, "/judging/")
    assert again_on_a.status_code == 302 and again_on_a.headers["Location"].startswith("/accounts/login/")


# --- b. uploads ----------------------------------------------------------------------------------


def test_b_photo_uploaded_through_one_server_is_served_by_the_other_from_private_s3(stack, servers):
    a, b = servers
    team = Browser()
    team.login(a, "team0005")
    form_path = f"/my/contests/{OPEN_CONTEST_SLUG}/entries/new/"
    page = team.form_page(a, form_path)
    fields = page_fields(page)
    category = next(value for value in fields.options["category"] if value)
    photo = jpeg()
    before = stack.s3_keys("private/")

    created = team.post(
        a,
        form_path,
        {
            "csrfmiddlewaretoken": fields.inputs["csrfmiddlewaretoken"][0],
            "creation_token": fields.inputs["creation_token"][0],
            "owner": fields.inputs["owner"][0],
            "category": category,
            "title": "“银龄课堂”社区老年人智能手机帮学",
            "summary": "组织大学生志愿者每周两次进社区，手把手教老人用智能手机。",
            "need": "社区老人不会用手机挂号、缴费。",
            "approach": "每周二、周四下午在社区活动室开课，一对一辅导。",
            "innovation": "编写大字版图文教程，老人带回家可反复看。",
            "outcomes": "累计服务老年人一千二百余人次。",
            "volunteers": "18",
            "beneficiaries": "1200",
            "service_hours": "960",
            "activities": "96",
            "started_on": "2021-04-01",
            "consent_publish": "on",
            "consent_guardians": "on",
            "save": "1",
        },
        files=[("new_photos", ("活动现场.jpg", photo, "image/jpeg"))],
    )
    assert created.status_code == 302, text_of(created)[:2000]
    match = re.fullmatch(r"/my/entries/([0-9a-f-]{36})/edit/", created.headers["Location"])
    assert match, created.headers["Location"]
    entry_id = match.group(1)

    # On B: the team's entry page shows the photo, at our permission-checked address.
    detail = team.get(b, f"/my/entries/{entry_id}/")
    assert detail.status_code == 200
    assert "“银龄课堂”社区老年人智能手机帮学" in detail.text
    # The page shows a 320 px copy; the photo itself stays at its own address.
    thumbnails = re.findall(r'src="(/my/files/photos/[0-9a-f-]{36}/)320/"', detail.text)
    assert len(thumbnails) == 1
    photo_paths = thumbnails
    served = team.get(b, photo_paths[0])
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(served.content)).size == (640, 480)

    # The bytes are the object in the bucket's private tree (stored re-encoded, without metadata).
    new_keys = stack.s3_keys("private/") - before
    assert len(new_keys) == 1
    (key,) = new_keys
    assert re.fullmatch(r"private/photos/[0-9a-f]{4}/[0-9a-f]{32}\.jpg", key)
    assert stack.s3_body(key) == served.content
    photo_id = uuid.UUID(photo_paths[0].split("/")[4])
    assert stack.sql("SELECT file FROM competition_entryphoto WHERE public_id = %s", (photo_id,)) == [
        (key.removeprefix("private/"),)
    ]
    # Nothing was written to a server's own disk.
    assert not stack.media_root.exists() or not any(p.is_file() for p in stack.media_root.rglob("*"))
    # The copy is made on one server, stored in the bucket and served by the other.
    made = team.get(a, photo_paths[0] + "320/")
    assert made.status_code == 200
    assert Image.open(io.BytesIO(made.content)).size == (320, 240)
    assert len(stack.s3_keys("private/") - before) == 2
    assert team.get(b, photo_paths[0] + "320/").content == made.content
    assert not stack.media_root.exists() or not any(p.is_file() for p in stack.media_root.rglob("*"))
    # And the addresses give nothing to someone who is not signed in, on either server.
    for server in servers:
        assert Browser().get(server, photo_paths[0]).status_code in (302, 404)
        assert Browser().get(server, photo_paths[0] + "320/").status_code in (302, 404)


# --- c. two judges at once -------------------------------------------------------------------------


def test_c_two_judges_saving_at_the_same_moment_through_different_servers_both_land(stack, servers):
    a, b = servers
    first, second = Browser(), Browser()
    first.login(a, "judge002")
    second.login(b, "judge003")
    round_1, blind_1 = open_assignment(stack, "judge002")
    round_2, blind_2 = open_assignment(stack, "judge003")
    page_1 = first.form_page(a, score_path(round_1, blind_1))
    page_2 = second.form_page(b, score_path(round_2, blind_2))

    saved_1, saved_2 = saved_together(
        stack,
        lambda: first.post(a, score_path(round_1, blind_1), sheet_post(page_1, SCORES_A)),
        lambda: second.post(b, score_path(round_2, blind_2), sheet_post(page_2, SCORES_B)),
    )

    assert (saved_1.status_code, saved_2.status_code) == (302, 302), (
        text_of(saved_1)[:500],
        text_of(saved_2)[:500],
    )
    assert stored_sheet(stack, round_1, blind_1, "judge002") == (1, SCORES_A)
    assert stored_sheet(stack, round_2, blind_2, "judge003") == (1, SCORES_B)
    # Each judge sees the saved scores on the other server too.
    assert shown_scores(first.form_page(b, score_path(round_1, blind_1))) == SCORES_A
    assert shown_scores(second.form_page(a, score_path(round_2, blind_2))) == SCORES_B


# --- d. one sheet, both servers ------------------------------------------------------------------


@pytest.mark.parametrize("saved_before", [False, True], ids=["new-sheet", "saved-sheet"])
def test_d_one_sheet_saved_at_once_through_both_servers_gives_one_save_and_one_clear_conflict(
    stack, servers, saved_before
):
    a, b = servers
    username = "judge004"
    tab_a = Browser()
    tab_a.login(a, username)
    tab_b = Browser(tab_a.cookies())  # the same judge, a second window, on the other server
    round_code, blind_code = open_assignment(stack, username)
    path = score_path(round_code, blind_code)
    version = 0
    if saved_before:
        page = tab_a.form_page(a, path)
        assert tab_a.post(a, path, sheet_post(page, [1, 1, 1, 1, 1, 1])).status_code == 302
        version = 1
    assert stored_sheet(stack, round_code, blind_code, username) == ((1, [1.0] * 6) if saved_before else None)

    # Both windows are open, at the same version, before either saves.
    page_a, page_b = tab_a.form_page(a, path), tab_b.form_page(b, path)
    assert field_value(page_a, "version") == field_value(page_b, "version") == str(version)

    on_a, on_b = saved_together(
        stack,
        lambda: tab_a.post(a, path, sheet_post(page_a, SCORES_A)),
        lambda: tab_b.post(b, path, sheet_post(page_b, SCORES_B)),
    )

    statuses = sorted([on_a.status_code, on_b.status_code])
    assert statuses == [200, 302], (statuses, text_of(on_a)[:500], text_of(on_b)[:500], stack.logs())
    tries = [(a, tab_a, on_a, SCORES_A), (b, tab_b, on_b, SCORES_B)]
    ((_, _, won, won_scores),) = [t for t in tries if t[2].status_code == 302]
    ((lost_on, lost_tab, lost, lost_scores),) = [t for t in tries if t[2].status_code == 200]
    # The refused window says so, in Chinese, and keeps what the judge typed.
    refused = text_of(lost)
    assert CONFLICT in refused and CONFLICT_ADVICE in refused
    assert shown_scores(lost.text) == lost_scores
    assert won.headers["Location"] == path
    # The database holds the saved values and one more version: nothing was overwritten.
    assert stored_sheet(stack, round_code, blind_code, username) == (version + 1, won_scores)
    saves = stack.sql(
        """
        SELECT count(*) FROM judging_judgingevent e
        JOIN judging_judge j ON j.id = e.judge_id JOIN auth_user u ON u.id = j.user_id
        JOIN judging_roundentry re ON re.id = e.round_entry_id
        WHERE u.username = %s AND re.blind_code = %s AND e.kind = 'sheet_saved'
        """,
        (username, blind_code),
    )[0][0]
    assert saves == version + 1
    # Reloading the refused window, on its own server, shows the saved values at the new version.
    reloaded = lost_tab.form_page(lost_on, path)
    assert field_value(reloaded, "version") == str(version + 1)
    assert shown_scores(reloaded) == won_scores
