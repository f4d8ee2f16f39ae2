"""Anomaly flags on the votes of a window: reasons to doubt a vote, for the organizer to judge
(``voting.reviews``). A flag never changes the vote row; the flags of a window are computed
again from all its votes each time (``flags_compute``, run by the task ``flag_votes``).

Four reasons, each a pure function of the votes (``VoteRow``) returning the ids it flags:

* ``burst`` — one entry gets many votes from one network (≥ ``burst_subnet`` within
  ``burst_seconds``) or from one address (≥ ``burst_address``): a block of votes from an office,
  a script or a farm of phones behind one router.
* ``sequence`` — numbers registered in sequence. The numbers themselves are never stored, only
  keyed hashes of the whole number and of its block (first 7 digits), so "consecutive numbers"
  cannot be seen directly. What can be seen is their trace: numbers bought in bulk come from
  one block and are verified one after another. So: per block, the voters sorted by the time
  their number was verified; ≥ ``sequence_min`` verifications of one block within
  ``sequence_seconds`` flag the votes of those voters. (Blocks of 10,000 numbers are shared by
  a city's subscribers, so the threshold is a count in a short time, not a count at all.)
* ``regular`` — votes at machine-regular intervals: per device and per (network, entry), any
  ``regular_run`` consecutive votes whose gaps have a coefficient of variation (standard
  deviation / mean) below ``regular_cv``. People arrive at random (gaps close to exponential,
  coefficient near 1); a script's timer gives nearly equal gaps, even with a little jitter.
* ``views`` — an entry's votes far above its page views (``VoteEntry.page_views``; a vote is
  cast from the entry's page, so people view before they vote): when votes exceed
  ``views_ratio`` × views + ``views_slack``, the excess is attributed to the networks that gave
  the entry the most votes (at least ``views_min_per_subnet`` each), whose votes are flagged
  until the excess is covered.

The thresholds (names in lower case above, and ``regular_max_mean``: the longest mean gap, in
seconds, that still counts as a timer) are ``DEFAULT_THRESHOLDS`` overridden by the setting
``VOTING_FLAG_THRESHOLDS`` (a dict of some of them), read each time the flags are computed.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .ballots import counters
from .models import Vote, VoteEntry, VoteFlag, VotingWindow

Reason = VoteFlag.Reason


@dataclass(frozen=True)
class Thresholds:
    burst_seconds: float = 600
    burst_subnet: int = 10
    burst_address: int = 5
    sequence_seconds: float = 1800
    sequence_min: int = 8
    regular_run: int = 6
    regular_cv: float = 0.15
    regular_max_mean: float = 3600
    views_ratio: float = 1.5
    views_slack: float = 20
    views_min_per_subnet: int = 3


DEFAULT_THRESHOLDS = Thresholds()


def thresholds() -> Thresholds:
    """The defaults with ``settings.VOTING_FLAG_THRESHOLDS`` over them (read now)."""
    configured = getattr(settings, "VOTING_FLAG_THRESHOLDS", None) or {}
    unknown = set(configured) - {f.name for f in fields(Thresholds)}
    if unknown:
        raise ImproperlyConfigured(f"VOTING_FLAG_THRESHOLDS: unknown {', '.join(sorted(unknown))}")
    return replace(DEFAULT_THRESHOLDS, **configured)


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


def burst(rows: list[VoteRow], limits: Thresholds | None = None) -> set[int]:
    t = limits or thresholds()
    flagged: set[int] = set()
    for group in _groups(rows, lambda r: r.subnet and (r.entry_id, r.subnet)).values():
        flagged |= _dense(group, seconds=t.burst_seconds, least=t.burst_subnet)
    for group in _groups(rows, lambda r: r.address and (r.entry_id, r.address)).values():
        flagged |= _dense(group, seconds=t.burst_seconds, least=t.burst_address)
    return flagged


def sequence(rows: list[VoteRow], limits: Thresholds | None = None) -> set[int]:
    t = limits or thresholds()
    voters: dict[str, dict[int, float]] = defaultdict(dict)
    for row in rows:
        if row.prefix and row.voter_id is not None and row.verified_at is not None:
            voters[row.prefix][row.voter_id] = row.verified_at
    suspects: set[int] = set()
    for block in voters.values():
        ordered = sorted(block.items(), key=lambda item: (item[1], item[0]))
        flagged = _dense(
            [VoteRow(pk=voter, entry_id=0, at=when) for voter, when in ordered],
            seconds=t.sequence_seconds,
            least=t.sequence_min,
        )
        suspects |= flagged
    return {row.pk for row in rows if row.voter_id in suspects}


def _regular_runs(group: list[VoteRow], t: Thresholds) -> set[int]:
    flagged: set[int] = set()
    size = max(2, t.regular_run)
    for start in range(len(group) - size + 1):
        run = group[start : start + size]
        gaps = [b.at - a.at for a, b in zip(run, run[1:], strict=False)]
        mean = statistics.fmean(gaps)
        if mean <= t.regular_max_mean and statistics.pstdev(gaps) <= t.regular_cv * mean:
            flagged.update(r.pk for r in run)
    return flagged


def regular(rows: list[VoteRow], limits: Thresholds | None = None) -> set[int]:
    t = limits or thresholds()
    flagged: set[int] = set()
    for group in _groups(rows, lambda r: r.device).values():
        flagged |= _regular_runs(group, t)
    for group in _groups(rows, lambda r: r.subnet and (r.entry_id, r.subnet)).values():
        flagged |= _regular_runs(group, t)
    return flagged


def views(rows: list[VoteRow], page_views: dict[int, int], limits: Thresholds | None = None) -> set[int]:
    t = limits or thresholds()
    flagged: set[int] = set()
    for entry_id, group in _groups(rows, lambda r: r.entry_id).items():
        excess = len(group) - (t.views_ratio * page_views.get(entry_id, 0) + t.views_slack)
        if excess <= 0:
            continue
        by_subnet = _groups(group, lambda r: r.subnet)
        for subnet_rows in sorted(by_subnet.values(), key=len, reverse=True):
            if excess <= 0 or len(subnet_rows) < t.views_min_per_subnet:
                break
            flagged.update(r.pk for r in subnet_rows)
            excess -= len(subnet_rows)
    return flagged


def flags_of(
    rows: list[VoteRow], page_views: dict[int, int], limits: Thresholds | None = None
) -> dict[str, set[int]]:
    """Every reason with the ids of the votes it flags (pure given ``limits``; by default the
    thresholds configured now)."""
    t = limits or thresholds()
    return {
        Reason.BURST: burst(rows, t),
        Reason.SEQUENCE: sequence(rows, t),
        Reason.REGULAR: regular(rows, t),
        Reason.VIEWS: views(rows, page_views, t),
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
