"""The vote beside the judges' results (DESIGN §5): by default a reference only; with a window
weight w (0–20 %) a combined score

    combined = (1 − w) × judges' score + w × vote points,   vote points = 100 × votes / most votes

where the judges' score is the round's combined score (0–100, earlier rounds included) and the
votes are the valid ones (voided votes never count; the frozen tallies once frozen). Ties keep
the judges' order, so a weight of 0 gives exactly the judges' ranking. ``combine`` is pure."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from judging.extensions import ScoreShare
from judging.models import Round
from judging.results.selectors import ranked_entries

from ..models import VoteEntry, VotingWindow
from ..phases import phase_by_time, window_phase
from .services import database_counts


@dataclass(frozen=True)
class CombinedRow:
    entry_id: int
    judges: float
    judges_rank: int
    votes: int
    vote_points: float
    combined: float
    rank: int


def combine(
    judged: list[tuple[int, float, int]], votes: dict[int, int], weight_percent: int
) -> list[CombinedRow]:
    """``judged``: (entry id, judges' score, judges' rank); ``votes``: valid votes per entry id."""
    w = max(0, min(20, weight_percent)) / 100
    most = max((votes.get(entry_id, 0) for entry_id, _, _ in judged), default=0)
    rows = []
    for entry_id, score, judges_rank in judged:
        n = votes.get(entry_id, 0)
        points = 100 * n / most if most else 0.0
        combined = score if w == 0 else (1 - w) * score + w * points
        rows.append((entry_id, score, judges_rank, n, points, combined))
    rows.sort(key=lambda row: (-row[5], row[2], row[0]))
    return [CombinedRow(*row, rank=rank) for rank, row in enumerate(rows, start=1)]


def window_votes_by_entry(*, window: VotingWindow) -> dict[int, int]:
    """Valid votes per entry id (the frozen tallies once frozen)."""
    if window_phase(window).frozen:
        pairs = VoteEntry.objects.filter(window=window).values_list("entry_id", "final_votes")
        return {entry_id: n or 0 for entry_id, n in pairs}
    by_vote_entry = database_counts(window=window)
    ids = dict(VoteEntry.objects.filter(window=window).values_list("pk", "entry_id"))
    return {ids[pk]: n for pk, n in by_vote_entry.items()}


def combined_results(*, window: VotingWindow) -> list[CombinedRow]:
    """The window's round ranked with the vote at the window's weight ([] without a round or
    before the judges' results exist)."""
    if not window.round_id:
        return []
    judged = [(entry_id, score, rank) for entry_id, score, rank, _, _ in ranked_entries(round=window.round)]
    if not judged:
        return []
    return combine(judged, window_votes_by_entry(window=window), window.weight_percent)


def vote_score_share(round: Round) -> ScoreShare | None:
    """The vote's part of the round's final score (registered with judging in ``ready()``, so
    the shortlist ranks by it and the notice says so): None when no window of the round has a
    weight; not ready until that window's tallies are frozen."""
    window = VotingWindow.objects.filter(round=round, weight_percent__gt=0).select_related("round").first()
    if window is None:
        return None
    w = window.weight_percent
    note = _(
        "综合得分中网络投票占 %(w)s%%：综合得分 =（1 − %(w)s%%）× 评审得分 + %(w)s%% × 投票得分"
        "（有效票数 ÷ 最高票数 × 100），未参加投票的项目投票得分为 0。"
    ) % {"w": w}
    if not phase_by_time(window).frozen:
        return ScoreShare(
            note,
            not_ready=_("网络投票“%(title)s”计入总成绩 %(w)s%%：请在投票截止并锁定结果后再生成入围名单。")
            % {"title": window.title, "w": w},
        )
    return ScoreShare(note, {row.entry_id: row.combined for row in combined_results(window=window)})
