"""Places where other apps add to competition's pages without competition importing them.

An app registers a panel in its ``AppConfig.ready()``; the entry status page renders every
registered panel's HTML (each returns "" when it has nothing to show). This keeps the import
direction one-way: judging and cms read competition, competition never reads them.
"""

from collections.abc import Callable

EntryPanel = Callable[..., str]  # (request, entry) -> html

_entry_panels: list[EntryPanel] = []


def register_entry_panel(panel: EntryPanel) -> None:
    if panel not in _entry_panels:
        _entry_panels.append(panel)


def entry_panels(request, entry) -> list[str]:
    return [html for html in (panel(request, entry) for panel in _entry_panels) if html]
