"""Demo data for the public vote, at the end of the ``results`` stage (the first round's scoring
is closed, so its teams and texts may be public): a window on the demo contest over the round's
entries, open now, so that ``make run`` shows a live gallery at /vote/<demo contest>/; verified
voters, a few hundred votes spread over the entries and the days the window has been open, and
one small burst from one network and one number block that ``voting.flags`` flags (the 可疑投票
page has something to show).

The numbers are made up, from blocks no operator hands out to subscribers in this form
(``1999990…1999998``), and, as for real voters, only their keyed hashes are stored. The
addresses come from the shared address space of carrier-grade NAT (100.64.0.0/10) and, for the
burst, from a documentation network (203.0.113.0/24). Everything follows from the demo's seed
(an own generator: the later stages draw the same values as without this one)."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from competition import demo as competition_demo
from judging.models import Round

from .ballots.services import subnet_of
from .flags import flags_compute
from .models import Vote, VoteEntry, Voter, VotingWindow
from .tallies.services import counts_reconcile
from .voters import keys
from .windows.services import window_save

VOTERS = 150
BURST_VOTERS = 12
NUMBER_BLOCKS = [f"199999{n}" for n in range(8)]
BURST_BLOCK = "1999998"
BURST_NETWORK = "203.0.113"


def _number(block: str, n: int) -> str:
    return f"{block}{n:04d}"


def _voter(window: VotingWindow, number: str, verified_at) -> Voter:
    return Voter(
        contest_id=window.contest_id,
        number_hash=keys.number_hash(number),
        prefix_hash=keys.prefix_hash(number),
        created_at=verified_at - timedelta(minutes=1),
        verified_at=verified_at,
    )


def _nonce(rng: random.Random) -> str:
    return f"demo{rng.getrandbits(128):032x}"


def _vote(window, item_id, voter, at, address, device, rng) -> Vote:
    return Vote(
        window=window,
        vote_entry_id=item_id,
        voter=voter,
        day=timezone.localdate(at),
        nonce=_nonce(rng),
        address=address,
        subnet=subnet_of(address),
        device_id=device,
        created_at=at,
    )


def build_voting(context: competition_demo.DemoContext) -> None:
    rng = random.Random(f"{context.seed}:voting")
    contest = context.contest
    round = context.extra.get("round") or Round.objects.filter(contest=contest).order_by("order").first()
    now = timezone.now()
    # Opened at 08:00 (Beijing) two days ago, open for another week.
    first_day = timezone.localdate(now) - timedelta(days=2)
    opens = timezone.make_aware(datetime.combine(first_day, time(8)))
    window = VotingWindow(
        contest=contest,
        round=round,
        title="网络投票（群众评议）",
        opens_at=opens,
        closes_at=opens + timedelta(days=9),
        max_votes_per_day=5,
    )
    # Saved by the organizer before it opened: the round's entries whose teams consented.
    window_save(window=window, now=opens - timedelta(days=1))
    items = list(VoteEntry.objects.filter(window=window, included=True).order_by("pk"))
    if not items:
        context.log("  vote window open, no entries in it")
        return
    # Some projects are much more popular than others.
    popularity = [rng.paretovariate(1.2) for _ in items]
    span = (now - opens).total_seconds()

    # Ordinary voters: verified when they first came, voting on one to three days, one to
    # four projects a day, from many networks.
    voters, plans = [], []
    for n in range(VOTERS):
        first = opens + timedelta(seconds=rng.uniform(0, span * 0.8))
        voters.append(_voter(window, _number(NUMBER_BLOCKS[n % len(NUMBER_BLOCKS)], n), first))
        plans.append(first)
    voters = Voter.objects.bulk_create(voters)
    votes = []
    for voter, first in zip(voters, plans, strict=True):
        address = f"100.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        device = f"{rng.getrandbits(64):016x}"
        day_starts = [first]
        for _ in range(rng.choice([0, 0, 1, 2])):
            later = first + timedelta(days=len(day_starts), hours=rng.uniform(-3, 3))
            if later < now:
                day_starts.append(later)
        seen_days = set()
        for start in day_starts:
            day = timezone.localdate(start)
            if day in seen_days:
                continue
            seen_days.add(day)
            chosen = set()
            for _ in range(min(rng.randint(1, 4), len(items), window.max_votes_per_day)):
                chosen.add(rng.choices(range(len(items)), weights=popularity)[0])
            at = start
            for index in sorted(chosen):
                at += timedelta(seconds=rng.uniform(20, 240))
                if at >= now or timezone.localdate(at) != day:
                    break
                votes.append(_vote(window, items[index].pk, voter, at, address, device, rng))

    # The burst: yesterday evening, numbers of one block verified one after another, all for
    # one project from one network within a few minutes.
    target = items[rng.randrange(len(items))]
    start = timezone.make_aware(datetime.combine(timezone.localdate(now) - timedelta(days=1), time(21, 7)))
    burst_voters = Voter.objects.bulk_create(
        _voter(window, _number(BURST_BLOCK, n), start + timedelta(seconds=40 * n))
        for n in range(BURST_VOTERS)
    )
    for n, voter in enumerate(burst_voters):
        at = voter.verified_at + timedelta(seconds=rng.uniform(10, 30))
        votes.append(_vote(window, target.pk, voter, at, f"{BURST_NETWORK}.{10 + n}", f"{n:016x}", rng))
    Vote.objects.bulk_create(votes, batch_size=1000)

    # Page views: people look at a project before voting for it, and many look without voting.
    counts = counts_reconcile(window=window)
    for item in items:
        item.page_views = int(counts.get(item.pk, 0) * rng.uniform(2, 5)) + rng.randint(15, 120)
    VoteEntry.objects.bulk_update(items, ["page_views"])
    flagged = flags_compute(window=window, now=now)
    context.extra["voting_window"] = window
    context.log(
        f"  vote window open: {len(items)} entries, {len(voters) + BURST_VOTERS} voters, "
        f"{len(votes)} votes, flagged {', '.join(f'{k} {v}' for k, v in flagged.items())}"
    )


def register() -> None:
    """Called from ``VotingConfig.ready()``: the vote opens once the first round's scoring has
    closed (its results are in), in the ``results`` stage."""
    competition_demo.extend_stage("results", build_voting)
