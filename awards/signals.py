"""Signals other apps listen to (judging never imports them)."""

from django.dispatch import Signal

# Sent once a shortlist is finalized and the transaction has committed; kwargs: contest_id.
# cms listens to create a draft project page per featured project.
shortlist_finalized = Signal()
