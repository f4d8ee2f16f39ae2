"""Blind judging: rounds, rubrics, judges, assignments and score sheets (built in issue 3)."""
