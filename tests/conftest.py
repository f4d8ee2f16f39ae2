import pytest
from django.test import Client
from django.utils import translation

from tests import factories


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: a public page cached by one test must not be
    served to the next, whose data differs."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_media(settings, tmp_path):
    """Every test writes its files to its own folder, so file assertions see only its own."""
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """A request through the test client leaves its language active in this thread (English
    after a request with the language cookie); every test starts from the default language."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def contest(db):
    return factories.ContestFactory()


@pytest.fixture
def team(db):
    return factories.TeamFactory()


@pytest.fixture
def team_client(team) -> Client:
    client = Client()
    client.force_login(team.user)
    return client


@pytest.fixture
def other_team(db):
    return factories.TeamFactory()


@pytest.fixture
def organizer(db):
    return factories.organizer()


@pytest.fixture
def organizer_client(organizer) -> Client:
    client = Client()
    client.force_login(organizer)
    return client
