"""Reactions to other apps' events (filled in by the finalize → draft project pages work)."""
