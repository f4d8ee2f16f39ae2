"""Writes of masking: the masked texts an entry takes into a round, organizers' corrections
before scoring, and freezing what judges receive when the round opens.

The terms to hide are ``entry_masking_terms``: the one rule, used for the snapshot and for the
organizers' checklist alike.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import Entry
from competition.selectors import entries_with_identity
from judging.errors import JudgingError
from judging.masking.text import compile_terms, identifying_terms, mask_text
from judging.models import BlindFile, JudgingEvent, RoundEntry
from judging.phases import round_phase

MASKED_FIELDS = ("title", "summary", "need", "approach", "innovation", "outcomes")
BATCH = 500


def entry_masking_terms(entry: Entry) -> list[str]:
    """Every name that identifies the entry: its team (and the team's log-in name), its
    organization, county and people. ``entry`` comes with its team's user, organization,
    county and members (``competition.selectors.entries_with_identity``)."""
    team = entry.team
    organization = team.organization
    county = organization.county
    return identifying_terms(
        team_names=[team.name],
        organization_names=[organization.name, organization.short_name],
        county_names=[county.name, county.short_name],
        people=[team.contact_name, *(member.name for member in team.members.all())],
        handles=[team.user.get_username()],
    )


def masked_texts(entry: Entry, terms=None) -> dict[str, str]:
    """The entry's texts with everything that identifies it hidden."""
    terms = terms if terms is not None else compile_terms(entry_masking_terms(entry))
    return {name: mask_text(getattr(entry, name), terms) for name in MASKED_FIELDS}


def blind_files(entry: Entry, terms) -> list[BlindFile]:
    """The entry's photos (with masked captions) as judges receive them, unsaved. Photos are
    stored re-encoded without metadata under random names at upload and can no longer change
    once submission has closed (before any round opens), so the frozen copy refers to the
    same stored bytes. PDFs are never passed on: judges get their judge copies
    (``judging.masking.copies``)."""
    return [
        BlindFile(
            kind=BlindFile.Kind.PHOTO,
            position=n,
            file=photo.file.name,
            content_type=photo.content_type,
            size=photo.size,
            width=photo.width,
            height=photo.height,
            caption=mask_text(photo.caption, terms)[:200],
        )
        for n, photo in enumerate(entry.photos.all(), start=1)
    ]


def freeze_for_judges(*, round_entry_ids: list[int]) -> int:
    """Fix what judges receive for these round entries: masked texts (an organizer's
    correction is kept), captions and photos together, and the PDFs' judge copies.
    Set-based: a constant number of queries per batch of entries. Returns how many were frozen."""
    frozen = 0
    with transaction.atomic():
        for start in range(0, len(round_entry_ids), BATCH):
            round_entries = list(
                RoundEntry.objects.filter(pk__in=round_entry_ids[start : start + BATCH]).order_by("pk")
            )
            entries = {
                entry.pk: entry
                for entry in entries_with_identity(ids=[re.entry_id for re in round_entries]).select_related(
                    "team__user"
                )
            }
            BlindFile.objects.filter(round_entry__in=round_entries, kind=BlindFile.Kind.PHOTO).delete()
            files = []
            for round_entry in round_entries:
                entry = entries[round_entry.entry_id]
                terms = compile_terms(entry_masking_terms(entry))
                if round_entry.masked_edited_at is None:
                    for name, value in masked_texts(entry, terms).items():
                        setattr(round_entry, name, value)
                for blind in blind_files(entry, terms):
                    blind.round_entry = round_entry
                    files.append(blind)
            RoundEntry.objects.bulk_update(round_entries, MASKED_FIELDS)
            BlindFile.objects.bulk_create(files)
            frozen += len(round_entries)
        # Copies already made in setup are kept; any still missing are made in the background.
        from judging.masking.copies import copies_request

        copies_request(round_entry_ids=round_entry_ids)
    return frozen


def round_entry_edit_masked(*, round_entry: RoundEntry, data: dict, by) -> RoundEntry:
    """Organizers correct the masked texts before scoring starts."""
    if not round_phase(round_entry.round).can_edit_masked:
        raise JudgingError(_("评分开始后不能再修改匿名文本。"))
    before = {name: getattr(round_entry, name) for name in MASKED_FIELDS if name in data}
    after = {name: data[name] for name in before}
    if before == after:
        return round_entry
    with transaction.atomic():
        for name, value in after.items():
            setattr(round_entry, name, value)
        round_entry.masked_edited_by = by
        round_entry.masked_edited_at = timezone.now()
        round_entry.save()
        JudgingEvent.objects.create(
            round=round_entry.round,
            kind=JudgingEvent.Kind.MASK_EDITED,
            actor=by,
            round_entry=round_entry,
            before=before,
            after=after,
        )
    return round_entry
