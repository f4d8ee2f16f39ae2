"""Factories and helpers for judging tests. Everything goes through the services:
rounds get the default rubric, entries join with ``round_sync_entries``, judges are assigned
with ``assignment_add`` (or ``assign_round``), statuses change with ``round_set_status``."""

from datetime import timedelta

import factory
from django.test import Client
from django.utils import timezone

from competition.models import Entry, EntryPhoto
from competition.uploads import clean_photo
from judging.assignment.services import assign_round, assignment_add
from judging.judges.services import judge_create
from judging.masking.copies import copies_request, copy_make
from judging.models import Assignment, BlindFile, Judge, Round, RoundEntry
from judging.phases import CLOSED, PUBLISHED, SCORING, SETUP, RoundPhase, round_phase
from judging.rounds.services import round_add_default_rubric, round_set_status, round_sync_entries
from tests import factories
from tests.files import upload

# The forward path of a round's phases (round_set_status allows one step at a time).
PHASE_PATH = [SETUP, SCORING, CLOSED, PUBLISHED]


class JudgeFactory(factory.django.DjangoModelFactory):
    """A judge made by ``judge_create`` (profile plus the judges' group)."""

    class Meta:
        model = Judge

    user = factory.SubFactory(factories.UserFactory, username=factory.Sequence(lambda n: f"judge{n:04d}"))
    name = factory.Sequence(lambda n: f"评委{n:03d}")
    county = None
    organization = None
    capacity = None

    @classmethod
    def _create(cls, model_class, *args, expertise=(), **kwargs):
        return judge_create(expertise=expertise, **kwargs)


def set_status(round: Round, phase: RoundPhase, by=None) -> Round:
    """Walk the round forward to ``phase`` through the service, one allowed step at a time.
    A round opens for scoring only once submission has closed: if the contest is still taking
    entries, its deadline is moved to just now first (as an organizer closing early would)."""
    round.refresh_from_db()
    start = PHASE_PATH.index(round_phase(round))
    for step in PHASE_PATH[start + 1 : PHASE_PATH.index(phase) + 1]:
        if step is SCORING:
            factories.close_submission(round.contest)
            make_judge_copies(round)
        round_set_status(round=round, to=step, by=by)
    round.refresh_from_db()
    return round


def make_judge_copies(round: Round) -> None:
    """Make every judge copy of the round's PDFs now (the background task's work, in-process)."""
    copies_request(round_entry_ids=list(RoundEntry.objects.filter(round=round).values_list("pk", flat=True)))
    for pk in BlindFile.objects.filter(round_entry__round=round, status=BlindFile.Status.PENDING).values_list(
        "pk", flat=True
    ):
        copy_make(blind_file_id=pk)


class RoundFactory(factory.django.DjangoModelFactory):
    """A round with the default rubric; ``status`` other than setup is reached through the
    service (so the round needs its entries and assignments first: see ``open_round``)."""

    class Meta:
        model = Round

    contest = factory.SubFactory(factories.ContestFactory)
    name = "初评"
    order = factory.Sequence(lambda n: n + 1)
    scoring_opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    scoring_closes = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    judges_per_entry = 1

    @classmethod
    def _create(cls, model_class, *args, status=SETUP, **kwargs):
        round = super()._create(model_class, *args, **kwargs)
        round_add_default_rubric(round=round)
        if status is not SETUP:
            set_status(round, status)
        return round


def eligible_entry(contest, *, photo_bytes=(), **kwargs) -> Entry:
    """A submitted entry that passed the eligibility review (so it takes part in rounds),
    with one stored photo per item of ``photo_bytes`` (cleaned as an upload would be)."""
    entry = factories.EntryFactory(
        contest=contest, submitted=True, eligibility=Entry.Eligibility.ELIGIBLE, **kwargs
    )
    for n, content in enumerate(photo_bytes, start=1):
        clean = clean_photo(upload(f"photo-{n}.jpg", content, "image/jpeg"))
        photo = factories.add_photo(entry, clean.content)
        EntryPhoto.objects.filter(pk=photo.pk).update(width=clean.width, height=clean.height, sort_order=n)
    return entry


def sync(round: Round) -> list[RoundEntry]:
    """Let the round's eligible entries join it; returns its round entries by entry id."""
    round_sync_entries(round=round)
    return list(RoundEntry.objects.filter(round=round).order_by("entry_id"))


def assign(round_entry: RoundEntry, judge: Judge, by=None) -> Assignment:
    return assignment_add(round_entry=round_entry, judge=judge, by=by)


def open_round(*, entries: int = 1, judge: Judge | None = None, contest=None, status=SCORING, files=False):
    """A round with ``entries`` fresh eligible entries (with a photo and a PDF each when
    ``files``), all assigned to ``judge``, then moved to ``status``. Returns (round, judge,
    round entries in entry-id order)."""
    round = RoundFactory(**({"contest": contest} if contest else {}))
    judge = judge or JudgeFactory()
    for _ in range(entries):
        entry = eligible_entry(round.contest)
        if files:
            factories.add_photo(entry, caption="课后辅导现场")
            factories.add_attachment(entry)
    round_entries = sync(round)
    for round_entry in round_entries:
        assign(round_entry, judge)
    set_status(round, status)
    return round, judge, round_entries


def make_judge(*, name: str, username: str | None = None, **kwargs) -> Judge:
    """A judge with the given name (and log-in name, when given)."""
    if username is not None:
        kwargs["user"] = factories.UserFactory(username=username)
    return JudgeFactory(name=name, **kwargs)


def scoring_round(*, contest, by=None, judges_per_entry: int = 1, **kwargs) -> tuple[Round, dict]:
    """A round open for scoring whose eligible entries the real assigner gave to the active
    judges. Returns the round and the assigner's report."""
    round = RoundFactory(contest=contest, judges_per_entry=judges_per_entry, **kwargs)
    report = assign_round(round=round, by=by)
    set_status(round, SCORING, by=by)
    return round, report


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
