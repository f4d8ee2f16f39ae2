"""Places where other apps add to awards' back-office pages without awards importing them
(awards knows no pages: cms registers here, in its ``AppConfig.ready()``).

A finalized shortlist's page shows every registered outcome panel (each returns "" when it has
nothing to show): cms shows the project pages drafted from the featured projects, and the
action that publishes them.
"""

from collections.abc import Callable

OutcomePanel = Callable[..., str]  # (request, contest, can_change) -> html

_outcome_panels: list[OutcomePanel] = []


def register_outcome_panel(panel: OutcomePanel) -> None:
    if panel not in _outcome_panels:
        _outcome_panels.append(panel)


def outcome_panels(request, contest, *, can_change: bool) -> list[str]:
    return [html for html in (panel(request, contest, can_change) for panel in _outcome_panels) if html]
