"""Anomaly flags: each reason on small hand-made cases (pure), stored without touching the vote
rows, the command; and the attack simulation: normal voters alongside scripts from 20
networks voting for one entry, ≥ 90 % of the attack flagged, ≤ 1 % of normal votes."""

import random
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from voting import flags
from voting.ballots import counters
from voting.ballots.services import vote_cast
from voting.flags import VoteRow
from voting.models import Vote, VoteEntry, VoteFlag, Voter
from voting.voters import keys

from .factories import make_window, nonce

pytestmark = pytest.mark.django_db


def rows(times, **fields):
    return [VoteRow(pk=i, entry_id=fields.pop("entry_id", 1), at=t, **fields) for i, t in enumerate(times)]


def test_a_burst_from_one_network_for_one_entry():
    burst = rows([i * 30 for i in range(10)], subnet="203.0.113.0/24")
    spread = rows([i * 900 for i in range(10)], subnet="198.51.100.0/24")
    assert flags.burst(burst) == set(range(10))
    assert flags.burst(spread) == set()


def test_machine_regular_gaps_and_human_ones():
    rng = random.Random(1)
    machine = rows([i * 20 + rng.uniform(-0.5, 0.5) for i in range(8)], device="bot")
    t, human = 0.0, []
    for _ in range(8):
        t += rng.expovariate(1 / 60)
        human.append(t)
    assert flags.regular(machine) == set(range(8))
    assert flags.regular(rows(human, device="person")) == set()


def test_numbers_of_one_block_verified_one_after_another():
    bought = [
        VoteRow(pk=i, entry_id=1, at=i * 60 + 5, voter_id=i, prefix="blockA", verified_at=i * 60.0)
        for i in range(8)
    ]
    city = [
        VoteRow(
            pk=100 + i, entry_id=1, at=i * 900 + 5, voter_id=100 + i, prefix="blockB", verified_at=i * 900
        )
        for i in range(8)
    ]
    assert flags.sequence(bought + city) == set(range(8))


def test_votes_far_above_page_views_are_put_on_the_most_concentrated_networks():
    script = rows([i for i in range(40)], subnet="203.0.113.0/24")
    people = [VoteRow(pk=1000 + i, entry_id=1, at=i, subnet=f"10.{i}.0.0/24") for i in range(10)]
    assert flags.views(script + people, {1: 12}) == set(range(40))
    assert flags.views(script + people, {1: 60}) == set()


def make_voter(window, number, verified_at):
    return Voter(
        contest=window.contest,
        number_hash=keys.number_hash(number),
        prefix_hash=keys.prefix_hash(number),
        created_at=verified_at,
        verified_at=verified_at,
    )


def test_flags_are_stored_apart_and_the_votes_stay_as_they_were(window_of_three):
    window = window_of_three
    code = VoteEntry.objects.filter(window=window).first().code
    start = window.opens_at + timedelta(hours=1)
    voters = Voter.objects.bulk_create(
        [make_voter(window, f"1370000{i:04d}", start + timedelta(seconds=i)) for i in range(12)]
    )
    for i, voter in enumerate(voters):
        vote_cast(
            window=window,
            code=code,
            voter_id=voter.pk,
            nonce=nonce(),
            address=f"203.0.113.{i + 1}",
            now=start + timedelta(seconds=20 * i + 30),
        )
    before = list(Vote.objects.values())
    call_command("flag_votes", "--window", str(window.pk))
    call_command("flag_votes", "--window", str(window.pk))  # again: the same flags, not twice
    reasons = set(VoteFlag.objects.values_list("reason", flat=True))
    assert reasons == {"burst", "sequence", "regular"}
    assert VoteFlag.objects.filter(reason="burst").count() == 12
    assert list(Vote.objects.values()) == before


def test_the_thresholds_come_from_the_setting_read_at_each_run(window_of_three, settings):
    window = window_of_three
    code = VoteEntry.objects.filter(window=window).first().code
    start = window.opens_at + timedelta(hours=1)
    voters = Voter.objects.bulk_create(
        [make_voter(window, f"1370000{i:04d}", start + timedelta(minutes=10 * i)) for i in range(6)]
    )
    for i, voter in enumerate(voters):  # six votes of one network, a minute or two apart
        vote_cast(
            window=window,
            code=code,
            voter_id=voter.pk,
            nonce=nonce(),
            address=f"203.0.113.{i + 1}",
            now=start + timedelta(seconds=47 * i + 13 * (i % 2) + 30),
        )
    flagged = lambda: set(VoteFlag.objects.values_list("reason", flat=True))  # noqa: E731

    flags.flags_compute(window=window)
    assert flagged() == set()  # below every default threshold

    settings.VOTING_FLAG_THRESHOLDS = {"burst_subnet": 6, "sequence_min": 6, "sequence_seconds": 3600}
    flags.flags_compute(window=window)
    assert flagged() == {"burst", "sequence"}
    assert VoteFlag.objects.filter(reason="burst").count() == 6

    settings.VOTING_FLAG_THRESHOLDS = {"burst_subnet": 6, "burst_seconds": 60}
    flags.flags_compute(window=window)
    assert flagged() == set()

    settings.VOTING_FLAG_THRESHOLDS = {"views_slack": 2, "views_min_per_subnet": 6}
    flags.flags_compute(window=window)
    assert flagged() == {"views"}


def test_an_unknown_threshold_is_a_configuration_error(settings):
    settings.VOTING_FLAG_THRESHOLDS = {"burst_subnets": 3}

    with pytest.raises(ImproperlyConfigured, match="burst_subnets"):
        flags.flags_of([], {})


@pytest.fixture
def window_of_three():
    return make_window(entries=3, max_votes_per_day=5)


def test_attack_simulation_flags_the_scripts_and_spares_the_people():
    rng = random.Random(20261204)
    window = make_window(entries=8, max_votes_per_day=3)
    entries = list(VoteEntry.objects.filter(window=window).order_by("pk"))
    target = entries[0]
    start = window.opens_at + timedelta(hours=2)
    span = 3 * 3600
    normal, attack = set(), set()
    page_views = dict.fromkeys((e.pk for e in entries), 0)

    # People: numbers from many blocks, verified at random times, 1–3 entries each after human
    # pauses, each from their own address (a fifth behind 30 shared mobile networks).
    people = []
    for _ in range(500):
        block = f"13{rng.randrange(10**5):05d}"
        verified = start + timedelta(seconds=rng.uniform(0, span))
        people.append(make_voter(window, f"{block}{rng.randrange(10**4):04d}", verified))
    people = Voter.objects.bulk_create(people)
    for person in people:
        if rng.random() < 0.2:
            address = f"100.64.{rng.randrange(30)}.{rng.randrange(1, 255)}"
        else:
            address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        device = f"person{person.pk}"
        at = person.verified_at
        for entry in rng.sample(entries, rng.randint(1, 3)):
            at += timedelta(seconds=rng.expovariate(1 / 45))
            page_views[entry.pk] += 1 + (rng.random() < 0.4)
            ballot = vote_cast(
                window=window,
                code=entry.code,
                voter_id=person.pk,
                nonce=nonce(),
                address=address,
                device_id=device,
                now=at,
            )
            normal.add(ballot.vote.pk)

    # Scripts: 20 networks, 30 votes each for one entry every ~15 s, bought numbers in sequence
    # from 4 blocks verified just before each vote, a new address and cookie every request.
    serial = 0
    for net in range(20):
        at = start + timedelta(seconds=rng.uniform(0, span - 600))
        for k in range(30):
            at += timedelta(seconds=15 + rng.uniform(-0.5, 0.5))
            number = f"170{net % 4:04d}{serial:04d}"
            serial += 1
            voter = Voter.objects.create(**vars_of(make_voter(window, number, at - timedelta(seconds=5))))
            ballot = vote_cast(
                window=window,
                code=target.code,
                voter_id=voter.pk,
                nonce=nonce(),
                address=f"203.0.{net}.{k + 1}",
                device_id=f"bot{net}-{k}",
                now=at,
            )
            attack.add(ballot.vote.pk)

    for entry_id, n in page_views.items():
        VoteEntry.objects.filter(pk=entry_id).update(page_views=n)
    counters.views_take(window_id=window.pk, vote_entry_ids=page_views)
    found = flags.flags_compute(window=window)
    flagged = set(VoteFlag.objects.values_list("vote_id", flat=True))

    attack_share = len(flagged & attack) / len(attack)
    normal_share = len(flagged & normal) / len(normal)
    assert len(attack) == 600 and len(normal) > 800
    assert attack_share >= 0.90, found
    assert normal_share <= 0.01, found


def vars_of(voter: Voter) -> dict:
    return {
        "contest": voter.contest,
        "number_hash": voter.number_hash,
        "prefix_hash": voter.prefix_hash,
        "created_at": voter.created_at,
        "verified_at": voter.verified_at,
    }
