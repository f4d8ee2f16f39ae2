"""Where judges land: logging in takes a judge to the judging dashboard (the team dashboard
sends the judges' group on), and a group member without an active profile is told why."""

import pytest
from django.test import Client

from judging.models import Judge
from tests import factories
from tests.judging.factories import make_judge

pytestmark = pytest.mark.django_db


def log_in(username: str):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": username, "password": factories.PASSWORD}, follow=True
    )
    return client, response


def test_judge_logging_in_lands_on_the_judging_dashboard():
    make_judge(name="王建华", username="judge_wang")

    _client, response = log_in("judge_wang")

    assert response.redirect_chain == [("/my/", 302), ("/judging/", 302)]
    assert response.status_code == 200
    assert response.templates[0].name == "judging/dashboard.html"
    assert "王建华，您好" in response.content.decode()


def test_team_logging_in_still_lands_on_the_team_dashboard():
    team = factories.TeamFactory()

    _client, response = log_in(team.user.username)

    assert response.redirect_chain == [("/my/", 302)]
    assert response.templates[0].name == "competition/dashboard.html"


def test_organizer_without_team_still_gets_the_back_office_pointer():
    organizer = factories.organizer()

    _client, response = log_in(organizer.username)

    assert response.redirect_chain == [("/my/", 302)]
    assert response.templates[0].name == "competition/dashboard_staff.html"


@pytest.mark.parametrize("case", ["no profile", "inactive profile"])
def test_judges_group_member_without_active_profile_is_told_not_404(case):
    if case == "no profile":
        user = factories.judge(username="judge_new")
    else:
        user = make_judge(name="李老师", username="judge_old").user
        Judge.objects.filter(user=user).update(active=False)

    _client, response = log_in(user.username)

    assert response.redirect_chain[-1] == ("/judging/", 302)
    assert response.status_code == 200
    assert "您的评委账号尚未启用" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_other_judge_pages_stay_404_for_a_group_member_without_profile():
    client = Client()
    client.force_login(factories.judge())

    assert client.get("/judging/ABCDEFGH/ABC234/").status_code == 404
