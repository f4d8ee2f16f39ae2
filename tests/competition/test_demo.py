import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.roles import group_names, is_organizer, is_supervisor
from common.storage import private_storage
from competition import rules
from competition.models import Category, Contest, Coordinator, County, Entry, EntryPhoto, Team
from competition.phases import SUBMISSION, contest_phase
from judging.roles import JUDGES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True  # the test runner turns DEBUG off; seed_demo is for development


def test_seed_demo_builds_counties_teams_entries_and_accounts():
    call_command("seed_demo", entries=12, judges=3, stdout=io.StringIO())

    assert County.objects.count() == 13
    assert contest_phase(Contest.objects.get()) is SUBMISSION
    assert Entry.objects.count() == 12
    assert set(Entry.objects.values_list("category__code", flat=True)) == set(
        Category.objects.values_list("code", flat=True)
    )
    assert Team.objects.count() == 8
    assert Coordinator.objects.count() == 13
    photo = EntryPhoto.objects.first()
    assert private_storage().exists(photo.file.name)


@pytest.mark.parametrize("username", ["organizer", "supervisor", "coordinator01", "judge003", "team0001"])
def test_seed_demo_accounts_log_in_with_the_documented_password(username):
    call_command("seed_demo", entries=3, judges=3, stdout=io.StringIO())

    assert authenticate(username=username, password="demo-2021") is not None


def test_seed_demo_gives_roles_to_demo_accounts():
    call_command("seed_demo", entries=3, judges=3, stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    assert is_organizer(users.get(username="organizer"))
    assert is_supervisor(users.get(username="supervisor"))
    assert (
        rules.coordinator_county_id(users.get(username="coordinator01"))
        == County.objects.get(name="潞州区").pk
    )
    assert JUDGES in group_names(users.get(username="judge001"))


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG=false"):
        call_command("seed_demo", entries=3, judges=1)

    assert not Contest.objects.exists()


def test_seed_demo_if_empty_leaves_an_existing_database_alone():
    call_command("seed_demo", entries=3, judges=1, stdout=io.StringIO())

    call_command("seed_demo", "--if-empty", entries=5, judges=1, stdout=io.StringIO())

    assert Entry.objects.count() == 3


def test_seed_demo_twice_is_refused_with_a_clear_message():
    call_command("seed_demo", entries=3, judges=1, stdout=io.StringIO())

    with pytest.raises(CommandError, match="already loaded"):
        call_command("seed_demo", entries=3, judges=1)


def test_seed_demo_unknown_stage_names_the_known_ones():
    with pytest.raises(CommandError, match="submission"):
        call_command("seed_demo", stage="nonsense")
