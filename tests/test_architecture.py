"""The layout ARCHITECTURE.md promises, held by tests: what may happen now is compared in the
phase objects only (and in migrations and models, which define the values)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("common", "accounts", "competition", "judging", "awards", "voting", "cms", "tasking", "config")
# Status values of rounds, shortlists and contests as code and as template text.
LITERALS = [
    re.compile(r"\b(Round|Shortlist|VotingWindow)\.Status\.[A-Z]+"),
    re.compile(r"Contest\.Stage\.[A-Z]+"),
    re.compile(r"""(round|shortlist)\.status\s*[!=]=\s*["']"""),
    re.compile(
        r"""(round__|contest__)?(status|stage)(__in)?=\[?["'](setup|scoring|closed|published|committed|notice|finalized|judging|results|final)["']"""
    ),
]
# Where the values are defined: the phase objects, the models, the migrations.
ALLOWED = re.compile(r"(^|/)(phases\.py|models\.py|migrations/)")


def test_no_round_shortlist_or_contest_status_is_compared_outside_the_phase_objects():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt") or ALLOWED.search(str(path.relative_to(ROOT))):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if any(pattern.search(line) for pattern in LITERALS):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")

    assert found == []


def test_the_literal_check_finds_what_it_looks_for():
    """The patterns above do match the comparisons they are meant to keep out."""
    samples = [
        "if round.status == Round.Status.SCORING:",
        'if round.status == "scoring":',
        "{% if shortlist.status == 'notice' %}",
        ".filter(status__in=[Round.Status.SCORING, Round.Status.CLOSED])",
        'Round.objects.filter(status="closed")',
        "contest.stage == Contest.Stage.FINAL",
    ]

    assert [any(p.search(s) for p in LITERALS) for s in samples] == [True] * len(samples)
