"""Places where other apps add to judging's pages without judging importing them.

An app registers in its ``AppConfig.ready()``. The judge's dashboard (``judging:dashboard``,
where logging in takes a judge) renders every registered home panel's HTML; each returns ""
when it has nothing to show. Awards shows there the letters of thanks (评审专家感谢状) the
judge may download once a contest's list is final. This keeps the import direction one-way:
awards reads judging, judging never reads awards.
"""

from collections.abc import Callable

JudgeHomePanel = Callable[..., str]  # (request, judge) -> html

_judge_home_panels: list[JudgeHomePanel] = []


def register_judge_home_panel(panel: JudgeHomePanel) -> None:
    if panel not in _judge_home_panels:
        _judge_home_panels.append(panel)


def judge_home_panels(request, judge) -> list[str]:
    return [html for html in (panel(request, judge) for panel in _judge_home_panels) if html]
