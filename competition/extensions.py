"""Places where other apps add to competition's pages without competition importing them.

An app registers in its ``AppConfig.ready()``. The entry status page renders every registered
panel's HTML (each returns "" when it has nothing to show); the dashboard of a signed-in user
without a team asks every registered home in turn where that user works (judges: the judging
pages). This keeps the import direction one-way: judging, awards and cms read competition,
competition never reads them.
"""

from collections.abc import Callable

EntryPanel = Callable[..., str]  # (request, entry) -> html

_entry_panels: list[EntryPanel] = []


def register_entry_panel(panel: EntryPanel) -> None:
    if panel not in _entry_panels:
        _entry_panels.append(panel)


def entry_panels(request, entry) -> list[str]:
    return [html for html in (panel(request, entry) for panel in _entry_panels) if html]


StaffHome = Callable[..., str | None]  # (user) -> URL of the user's own pages, or None

_staff_homes: list[StaffHome] = []


def register_staff_home(home: StaffHome) -> None:
    if home not in _staff_homes:
        _staff_homes.append(home)


def staff_home(user) -> str | None:
    """Where a signed-in user without a team works, if another app claims them."""
    return next((url for url in (home(user) for home in _staff_homes) if url), None)


# (source contest, its copy, whole years between them, shift, by) -> None; runs inside the
# copy's transaction. ``shift`` moves a date or time by those years (Feb 29 → Feb 28).
ContestCopier = Callable[..., None]

_contest_copiers: list[ContestCopier] = []


def register_contest_copier(copier: ContestCopier) -> None:
    """Judging copies the rounds and rubrics, cms the contest's pages: each app copies its own
    part of a contest duplicated for a new year (``competition.services.contest_duplicate``)."""
    if copier not in _contest_copiers:
        _contest_copiers.append(copier)


def contest_copiers() -> list[ContestCopier]:
    return list(_contest_copiers)
