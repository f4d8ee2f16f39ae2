"""Anomaly flags on the votes of a window: reasons to doubt a vote, for the organizer to judge
(``voting.reviews``). A flag never changes the vote row; the flags of a window are computed
again from all its votes each time (``flags_compute``, run by the task ``flag_votes``).

Four reasons, each a pure function of the votes (``VoteRow``) returning the ids it flags:

* ``burst`` — one entry gets many votes from one network (≥ ``BURST_SUBNET`` within
  ``BURST_SECONDS``) or from one address (≥ ``BURST_ADDRESS``): a block of votes from an office,
  a script or a farm of phones behind one router.
* ``sequence`` — numbers registered in sequence. The numbers themselves are never stored, only
  keyed hashes of the whole number and of its block (first 7 digits), so "consecutive numbers"
  cannot be seen directly. What can be seen is their trace: numbers bought in bulk come from
  one block and are verified one after another. So: per block, the voters sorted by the time
  their number was verified; ≥ ``SEQUENCE_MIN`` verifications of one block within
  ``SEQUENCE_SECONDS`` flag the votes of those voters. (Blocks of 10,000 numbers are shared by
  a city's subscribers, so the threshold is a count in a short time, not a count at all.)
* ``regular`` — votes at machine-regular intervals: per device and per (network, entry), any
  ``REGULAR_RUN`` consecutive votes whose gaps have a coefficient of variation (standard
  deviation / mean) below ``REGULAR_CV``. People arrive at random (gaps close to exponential,
  coefficient near 1); a script's timer gives nearly equal gaps, even with a little jitter.
* ``views`` — an entry's votes far above its page views (``VoteEntry.page_views``; a vote is
  cast from the entry's page, so people view before they vote): when votes exceed
  ``VIEWS_RATIO`` × views + ``VIEWS_SLACK``, the excess is attributed to the networks that gave
  the entry the most votes (at least ``VIEWS_MIN_PER_SUBNET`` each), whose votes are flagged
  until the excess is covered.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .ballots import counters
from .models import Vote, VoteEntry, VoteFlag, VotingWindow

BURST_SECONDS = 600
BURST_SUBNET = 10
BURST_ADDRESS = 5
SEQUENCE_SECONDS = 1800
SEQUENCE_MIN = 8
REGULAR_RUN = 6
REGULAR_CV = 0.15
REGULAR_MAX_MEAN = 3600
VIEWS_RATIO = 1.5
VIEWS_SLACK = 20
VIEWS_MIN_PER_SUBNET = 3

Reason = VoteFlag.Reason


@dataclass(frozen=True)
class VoteRow:
    pk: int
    entry_id: int
    at: float  # seconds (epoch)
    subnet: str = ""
    address: str = ""
    device: str = ""
    voter_id: int | None = None
    prefix: str = ""
    verified_at: float | None = None


def _groups(rows: Iterable[VoteRow], key) -> dict:
    found = defaultdict(list)
    for row in rows:
        k = key(row)
        if k:
            found[k].append(row)
    for group in found.values():
        group.sort(key=lambda r: (r.at, r.pk))
    return found


def _dense(group: list[VoteRow], *, seconds: float, least: int, at=lambda r: r.at) -> set[int]:
    """The rows of ``group`` (sorted by ``at``) that lie in some span of ``seconds`` holding at
    least ``least`` rows."""
    flagged: set[int] = set()
    start = 0
    for end in range(len(group)):
        while at(group[end]) - at(group[start]) > seconds:
            start += 1
        if end - start + 1 >= least:
            flagged.update(r.pk for r in group[start : end + 1])
    return flagged


def burst(rows: list[VoteRow]) -> set[int]:
    flagged: set[int] = set()
    for group in _groups(rows, lambda r: r.subnet and (r.entry_id, r.subnet)).values():
        flagged |= _dense(group, seconds=BURST_SECONDS, least=BURST_SUBNET)
    for group in _groups(rows, lambda r: r.address and (r.entry_id, r.address)).values():
        flagged |= _dense(group, seconds=BURST_SECONDS, least=BURST_ADDRESS)
    return flagged


def sequence(rows: list[VoteRow]) -> set[int]:
    voters: dict[str, dict[int, float]] = defaultdict(dict)
    for row in rows:
        if row.prefix and row.voter_id is not None and row.verified_at is not None:
            voters[row.prefix][row.voter_id] = row.verified_at
    suspects: set[int] = set()
    for block in voters.values():
        ordered = sorted(block.items(), key=lambda item: (item[1], item[0]))
        flagged = _dense(
            [VoteRow(pk=voter, entry_id=0, at=when) for voter, when in ordered],
            seconds=SEQUENCE_SECONDS,
            least=SEQUENCE_MIN,
        )
        suspects |= flagged
    return {row.pk for row in rows if row.voter_id in suspects}


def _regular_runs(group: list[VoteRow]) -> set[int]:
    flagged: set[int] = set()
    for start in range(len(group) - REGULAR_RUN + 1):
        run = group[start : start + REGULAR_RUN]
        gaps = [b.at - a.at for a, b in zip(run, run[1:], strict=False)]
        mean = statistics.fmean(gaps)
        if mean <= REGULAR_MAX_MEAN and statistics.pstdev(gaps) <= REGULAR_CV * mean:
            flagged.update(r.pk for r in run)
    return flagged


def regular(rows: list[VoteRow]) -> set[int]:
    flagged: set[int] = set()
    for group in _groups(rows, lambda r: r.device).values():
        flagged |= _regular_runs(group)
    for group in _groups(rows, lambda r: r.subnet and (r.entry_id, r.subnet)).values():
        flagged |= _regular_runs(group)
    return flagged


def views(rows: list[VoteRow], page_views: dict[int, int]) -> set[int]:
    flagged: set[int] = set()
    for entry_id, group in _groups(rows, lambda r: r.entry_id).items():
        excess = len(group) - (VIEWS_RATIO * page_views.get(entry_id, 0) + VIEWS_SLACK)
        if excess <= 0:
            continue
        by_subnet = _groups(group, lambda r: r.subnet)
        for subnet_rows in sorted(by_subnet.values(), key=len, reverse=True):
            if excess <= 0 or len(subnet_rows) < VIEWS_MIN_PER_SUBNET:
                break
            flagged.update(r.pk for r in subnet_rows)
            excess -= len(subnet_rows)
    return flagged


def flags_of(rows: list[VoteRow], page_views: dict[int, int]) -> dict[str, set[int]]:
    """Every reason with the ids of the votes it flags (pure)."""
    return {
        Reason.BURST: burst(rows),
        Reason.SEQUENCE: sequence(rows),
        Reason.REGULAR: regular(rows),
        Reason.VIEWS: views(rows, page_views),
    }


def _seconds(value) -> float | None:
    return value.timestamp() if value else None


def vote_rows(*, window: VotingWindow) -> list[VoteRow]:
    """The window's votes as ``VoteRow`` (one query)."""
    fields = (
        "pk",
        "vote_entry_id",
        "created_at",
        "subnet",
        "address",
        "device_id",
        "voter_id",
        "voter__prefix_hash",
        "voter__verified_at",
    )
    return [
        VoteRow(pk, entry, at.timestamp(), subnet or "", address or "", device or "", voter, prefix or "",
                _seconds(verified))
        for pk, entry, at, subnet, address, device, voter, prefix, verified in Vote.objects.filter(
            window=window
        ).values_list(*fields)
    ]  # fmt: skip


def views_reconcile(*, window: VotingWindow) -> dict[int, int]:
    """Add the page views counted in the cache to ``VoteEntry.page_views``; the totals."""
    from django.db.models import F

    ids = list(VoteEntry.objects.filter(window=window).values_list("pk", flat=True))
    for pk, n in counters.views_take(window_id=window.pk, vote_entry_ids=ids).items():
        VoteEntry.objects.filter(pk=pk).update(page_views=F("page_views") + n)
    return dict(VoteEntry.objects.filter(window=window).values_list("pk", "page_views"))


def flags_compute(*, window: VotingWindow, now=None) -> dict[str, int]:
    """Compute the window's flags again and store them (the votes are not touched); how many
    votes each reason flags."""
    now = now or timezone.now()
    page_views = views_reconcile(window=window)
    found = flags_of(vote_rows(window=window), page_views)
    with transaction.atomic():
        VoteFlag.objects.filter(vote__window=window).delete()
        VoteFlag.objects.bulk_create(
            [
                VoteFlag(vote_id=pk, reason=reason, computed_at=now)
                for reason, ids in found.items()
                for pk in sorted(ids)
            ],
            batch_size=2000,
        )
    return {str(reason): len(ids) for reason, ids in found.items()}
