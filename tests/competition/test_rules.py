"""Unit tests: role predicates, role groups, the back-office entry policy, the log-in lock-out
counter and phone masking."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from accounts.models import LoginThrottle
from accounts.roles import COORDINATORS, ORGANIZERS, SUPERVISORS, is_organizer
from accounts.throttle import clear_login_failures, login_locked_until, record_login_failure
from competition import roles, rules
from competition.admin_views import EntryPermissionPolicy
from competition.models import Entry
from competition.templatetags.competition_tags import mask_phone
from judging.roles import JUDGES
from tests import factories

# --- Phone masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("13812341234", "138****1234"),
        (13812341234, "138****1234"),
        ("123456", "******"),
        ("3551234", "35***34"),
        ("03552123456", "035****3456"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_hides_the_middle_digits(value, shown):
    assert mask_phone(value) == shown


@pytest.mark.parametrize("number", ["13812341234", "3551234", "03552123456"])
def test_mask_phone_never_returns_the_whole_number(number):
    assert number not in mask_phone(number)


# --- Role predicates -----------------------------------------------------------------------------


@pytest.fixture
def world(db):
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    team = factories.TeamFactory(organization__county=luzhou)
    return {
        "team": team,
        "submitted": factories.EntryFactory(team=team, submitted=True),
        "draft": factories.EntryFactory(team=team),
        "coordinator_here": factories.coordinator_for(luzhou),
        "coordinator_elsewhere": factories.coordinator_for(shangdang),
        "organizer": factories.organizer(),
        "supervisor": factories.supervisor(),
        "judge": factories.judge(),
        "other_team": factories.TeamFactory(organization__county=luzhou).user,
    }


def test_is_organizer_group_member_and_superuser_only(world):
    superuser = factories.UserFactory(is_superuser=True)

    verdicts = {name: is_organizer(world[name]) for name in ("organizer", "supervisor", "judge")}

    assert verdicts == {"organizer": True, "supervisor": False, "judge": False}
    assert is_organizer(superuser) is True
    assert is_organizer(world["team"].user) is False


def test_is_organizer_inactive_user_is_not(db):
    user = factories.organizer(is_active=False)

    assert is_organizer(user) is False


def test_coordinator_county_id_names_their_county(world):
    assert rules.coordinator_county_id(world["coordinator_here"]) == world["team"].organization.county_id
    assert rules.coordinator_county_id(world["organizer"]) is None


def test_can_view_entry_by_role(world):
    entry = world["submitted"]
    names = [
        "organizer",
        "supervisor",
        "coordinator_here",
        "coordinator_elsewhere",
        "judge",
        "other_team",
    ]

    verdicts = {name: rules.can_view_entry(world[name], entry) for name in names}

    assert verdicts == {
        "organizer": True,
        "supervisor": True,
        "coordinator_here": True,
        "coordinator_elsewhere": False,
        "judge": False,
        "other_team": False,
    }
    assert rules.can_view_entry(world["team"].user, entry) is True


def test_can_review_eligibility_submitted_entry_by_role(world):
    entry = world["submitted"]
    names = ["organizer", "coordinator_here", "coordinator_elsewhere", "supervisor", "judge", "other_team"]

    verdicts = {name: rules.can_review_eligibility(world[name], entry) for name in names}

    assert verdicts == {
        "organizer": True,
        "coordinator_here": True,
        "coordinator_elsewhere": False,
        "supervisor": False,
        "judge": False,
        "other_team": False,
    }
    assert rules.can_review_eligibility(world["team"].user, entry) is False


def test_can_review_eligibility_draft_is_refused_even_to_organizer(world):
    assert rules.can_review_eligibility(world["organizer"], world["draft"]) is False


# --- The entry policy of the back office -------------------------------------------------------


def test_entry_policy_nobody_adds_changes_or_deletes_entries(world):
    policy = EntryPermissionPolicy(Entry)

    allowed = {
        (name, action)
        for name in ("organizer", "coordinator_here", "supervisor")
        for action in ("add", "change", "delete")
        if policy.user_has_permission(world[name], action)
    }

    assert allowed == set()


def test_entry_policy_view_and_review_by_role(world):
    policy = EntryPermissionPolicy(Entry)
    names = ["organizer", "coordinator_here", "supervisor", "judge"]

    verdicts = {
        name: (
            policy.user_has_permission(world[name], "view"),
            policy.user_has_permission(world[name], "review"),
        )
        for name in names
    }

    assert verdicts == {
        "organizer": (True, True),
        "coordinator_here": (True, True),
        "supervisor": (True, False),
        "judge": (False, False),
    }


def test_entry_policy_instances_coordinator_gets_own_county_submitted_only(world):
    factories.EntryFactory(team=world["other_team"].team, submitted=True)
    factories.EntryFactory(team__organization__county=factories.CountyFactory(name="屯留区"), submitted=True)
    policy = EntryPermissionPolicy(Entry)

    visible = set(policy.instances_user_has_any_permission_for(world["coordinator_here"], ["view"]))

    expected = set(Entry.objects.filter(team__organization__county__name="潞州区", status="submitted"))
    assert visible == expected
    assert len(visible) == 2


# --- Role groups -----------------------------------------------------------------------------------


def group_permissions(name: str) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


MODELS = ("county", "organization", "category", "team", "teammember", "coordinator", "contest")


@pytest.mark.django_db
def test_role_groups_after_migrate_hold_their_permissions():
    # Each app adds its own models' permissions to the same groups; these are the data core's.
    held = {
        name: {p for p in group_permissions(name) if p.startswith(("competition.", "wagtailadmin.", "auth."))}
        for name in (ORGANIZERS, COORDINATORS, SUPERVISORS, JUDGES)
    }

    assert held == {
        ORGANIZERS: {"wagtailadmin.access_admin", "auth.add_user", "auth.change_user", "auth.view_user"}
        | {
            f"competition.{action}_{model}"
            for model in MODELS
            for action in ("add", "change", "delete", "view")
        }
        | {"competition.view_entry", "competition.review_entry"},
        COORDINATORS: {"wagtailadmin.access_admin", "competition.view_entry", "competition.review_entry"},
        SUPERVISORS: {"wagtailadmin.access_admin", "competition.view_entry"}
        | {f"competition.view_{model}" for model in MODELS},
        JUDGES: set(),
    }


@pytest.mark.django_db
def test_role_groups_supervisors_change_nothing():
    changing = {
        p for p in group_permissions(SUPERVISORS) if not p.split(".")[1].startswith(("view_", "access_"))
    }

    assert changing == set()


@pytest.mark.django_db
def test_ensure_role_groups_is_idempotent_and_restores_missing_permissions():
    organizers = Group.objects.get(name=ORGANIZERS)
    before = group_permissions(ORGANIZERS)
    organizers.permissions.remove(Permission.objects.get(codename="add_contest"))

    roles.ensure_role_permissions()
    roles.ensure_role_permissions()

    assert group_permissions(ORGANIZERS) == before
    assert Group.objects.filter(name=ORGANIZERS).count() == 1


@pytest.mark.django_db
def test_organizer_user_has_model_permissions():
    user = factories.organizer()

    assert user.has_perm("competition.add_contest") is True
    assert user.has_perm("competition.change_team") is True
    assert user.has_perm("wagtailadmin.access_admin") is True


# --- Log-in lock-out counter --------------------------------------------------------------------


NOW = datetime(2026, 4, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def fail(times: int, *, username="alice", address="10.0.0.1", at=NOW, step=timedelta(seconds=1)) -> None:
    for i in range(times):
        record_login_failure(username=username, address=address, now=at + i * step)


@pytest.mark.django_db
def test_throttle_below_limit_is_not_locked():
    fail(settings.LOGIN_FAILURE_LIMIT - 1)

    assert login_locked_until(username="alice", address="10.0.0.1", now=NOW + timedelta(minutes=1)) is None


@pytest.mark.django_db
def test_throttle_at_limit_locks_for_lockout_seconds():
    fail(settings.LOGIN_FAILURE_LIMIT)
    last = NOW + (settings.LOGIN_FAILURE_LIMIT - 1) * timedelta(seconds=1)

    locked_until = login_locked_until(username="alice", address="10.0.0.1", now=last)

    assert locked_until == last + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


@pytest.mark.django_db
def test_throttle_lock_expires():
    fail(settings.LOGIN_FAILURE_LIMIT)
    later = NOW + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + settings.LOGIN_FAILURE_LIMIT)

    assert login_locked_until(username="alice", address="10.0.0.1", now=later) is None


@pytest.mark.django_db
def test_throttle_lock_is_per_pair():
    fail(settings.LOGIN_FAILURE_LIMIT)
    soon = NOW + timedelta(minutes=1)

    locks = {
        pair: login_locked_until(username=pair[0], address=pair[1], now=soon) is not None
        for pair in [("alice", "10.0.0.1"), ("Alice", "10.0.0.1"), ("alice", "10.0.0.2"), ("bob", "10.0.0.1")]
    }

    assert locks == {
        ("alice", "10.0.0.1"): True,
        ("Alice", "10.0.0.1"): True,
        ("alice", "10.0.0.2"): False,
        ("bob", "10.0.0.1"): False,
    }


@pytest.mark.django_db
def test_throttle_failures_spread_beyond_the_window_do_not_lock():
    spread = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS // 2 + 1)
    fail(settings.LOGIN_FAILURE_LIMIT * 2, step=spread)
    last = NOW + (settings.LOGIN_FAILURE_LIMIT * 2 - 1) * spread

    assert login_locked_until(username="alice", address="10.0.0.1", now=last) is None


@pytest.mark.django_db
def test_throttle_failure_after_expired_lock_starts_a_new_count():
    fail(settings.LOGIN_FAILURE_LIMIT)
    later = NOW + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 60)

    fail(1, at=later)

    row = LoginThrottle.objects.get(username="alice")
    assert (row.failures, row.first_failure_at, row.locked_until) == (1, later, None)


@pytest.mark.django_db
def test_throttle_clear_forgets_only_that_pair():
    fail(2)
    fail(2, address="10.0.0.2")

    clear_login_failures(username="ALICE", address="10.0.0.1")

    assert list(LoginThrottle.objects.values_list("username", "address")) == [("alice", "10.0.0.2")]


def test_record_login_failure_forgets_old_bursts_of_other_pairs(db):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import LoginThrottle

    long_ago = timezone.now() - timedelta(days=3)
    record_login_failure(username="typo-user", address="10.0.0.1", now=long_ago)

    record_login_failure(username="judge001", address="10.0.0.2")

    assert list(LoginThrottle.objects.values_list("username", flat=True)) == ["judge001"]
