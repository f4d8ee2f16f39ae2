"""Places where other apps add to judging's pages without judging importing them.

An app registers in its ``AppConfig.ready()``. The judge's dashboard (``judging:dashboard``,
where logging in takes a judge) renders every registered home panel's HTML; each returns ""
when it has nothing to show. Awards shows there the letters of thanks (评审专家感谢状) the
judge may download once a contest's list is final. This keeps the import direction one-way:
awards reads judging, judging never reads awards.

A round's final score may include a share that is not the judges' (``register_score_share``):
voting registers the public vote's weight; awards ranks the shortlist by it and prints its note
in the notice. Voting and awards never import each other.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

JudgeHomePanel = Callable[..., str]  # (request, judge) -> html

_judge_home_panels: list[JudgeHomePanel] = []


def register_judge_home_panel(panel: JudgeHomePanel) -> None:
    if panel not in _judge_home_panels:
        _judge_home_panels.append(panel)


def judge_home_panels(request, judge) -> list[str]:
    return [html for html in (panel(request, judge) for panel in _judge_home_panels) if html]


# --- parts of a round's final score that are not the judges' ---------------------------------


@dataclass(frozen=True)
class ScoreShare:
    """A part of a round's final score from outside judging (the public vote with a weight):
    what the shortlist ranks by instead of the judges' combined score, and the sentence the
    notice prints about it. ``not_ready`` says why it cannot be used yet (the list waits)."""

    note: str
    scores: dict[int, float] = field(default_factory=dict)  # entry id -> final score (0–100)
    not_ready: str = ""


ScoreShareSource = Callable[..., "ScoreShare | None"]  # (round) -> ScoreShare | None

_score_share_sources: list[ScoreShareSource] = []


def register_score_share(source: ScoreShareSource) -> None:
    if source not in _score_share_sources:
        _score_share_sources.append(source)


def score_share(round) -> ScoreShare | None:
    """The registered share that applies to ``round`` (the first that answers), or None: the
    judges' combined score is the final score."""
    for source in _score_share_sources:
        share = source(round)
        if share is not None:
            return share
    return None
