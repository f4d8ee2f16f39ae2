"""Writes of masking: the masked texts and photo captions an entry takes into a round,
organizers' corrections before scoring, and freezing what judges receive when the round opens.

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
# The round entry's snapshot: the texts and the photos' captions (by photo public id).
SNAPSHOT_FIELDS = (*MASKED_FIELDS, "captions")
CAPTION_LENGTH = BlindFile._meta.get_field("caption").max_length
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


def masked_texts(entry: Entry, terms=None) -> dict:
    """The entry's texts and photo captions with everything that identifies it hidden: the
    round entry's snapshot (``SNAPSHOT_FIELDS``)."""
    terms = terms if terms is not None else compile_terms(entry_masking_terms(entry))
    texts: dict = {name: mask_text(getattr(entry, name), terms) for name in MASKED_FIELDS}
    texts["captions"] = {
        photo.public_id.hex: mask_text(photo.caption, terms)[:CAPTION_LENGTH] for photo in entry.photos.all()
    }
    return texts


def photo_captions(round_entry: RoundEntry, entry: Entry, terms) -> list[dict]:
    """Each photo of the entry with its caption and the masked caption judges read (the
    snapshot's, else masked now: a photo the snapshot does not know yet)."""
    return [
        {
            "key": photo.public_id.hex,
            "position": n,
            "original": photo.caption,
            "masked": round_entry.captions.get(
                photo.public_id.hex, mask_text(photo.caption, terms)[:CAPTION_LENGTH]
            ),
        }
        for n, photo in enumerate(entry.photos.all(), start=1)
    ]


def blind_files(entry: Entry, terms, captions: dict | None = None) -> list[BlindFile]:
    """The entry's photos as judges receive them, unsaved, with masked captions (``captions``:
    the round entry's snapshot by photo public id, where it has one). Photos are stored
    re-encoded without metadata under random names at upload and can no longer change once
    submission has closed (before any round opens), so the frozen copy refers to the same
    stored bytes. PDFs are never passed on: judges get their judge copies
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
            caption=(captions or {}).get(photo.public_id.hex, mask_text(photo.caption, terms))[
                :CAPTION_LENGTH
            ],
        )
        for n, photo in enumerate(entry.photos.all(), start=1)
    ]


def freeze_for_judges(*, round_entry_ids: list[int]) -> int:
    """Fix what judges receive for these round entries: masked texts and captions (an
    organizer's correction is kept), photos, and the PDFs' judge copies. Set-based: a constant
    number of queries per batch of entries. Returns how many were frozen."""
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
                for blind in blind_files(entry, terms, round_entry.captions):
                    blind.round_entry = round_entry
                    files.append(blind)
            RoundEntry.objects.bulk_update(round_entries, SNAPSHOT_FIELDS)
            BlindFile.objects.bulk_create(files)
            frozen += len(round_entries)
        # Copies already made in setup are kept; any still missing are made in the background.
        from judging.masking.copies import copies_request

        copies_request(round_entry_ids=round_entry_ids)
    return frozen


def round_entry_edit_masked(*, round_entry: RoundEntry, data: dict, by) -> RoundEntry:
    """Organizers correct the masked texts and captions before scoring starts. ``data`` holds
    the texts that changed and, under "captions", captions by photo public id; the log records
    before and after (captions by photo number)."""
    if not round_phase(round_entry.round).can_edit_masked:
        raise JudgingError(_("评分开始后不能再修改匿名文本。"))
    before = {name: getattr(round_entry, name) for name in MASKED_FIELDS if name in data}
    after = {name: data[name] for name in before}
    captions = dict(round_entry.captions)
    if data.get("captions"):
        entry = entries_with_identity(ids=[round_entry.entry_id]).get()
        photos = photo_captions(round_entry, entry, compile_terms(entry_masking_terms(entry)))
        captions.update({photo["key"]: photo["masked"] for photo in photos})
        numbers = {photo["key"]: str(photo["position"]) for photo in photos}
        if set(data["captions"]) - set(numbers):
            raise JudgingError(_("照片已有变化，请刷新页面后再修改图片说明。"))
        if any(len(value) > CAPTION_LENGTH for value in data["captions"].values()):
            raise JudgingError(_("图片说明不能超过 %(n)s 个字。") % {"n": CAPTION_LENGTH})
        changed = {key: value for key, value in data["captions"].items() if value != captions[key]}
        if changed:
            before["captions"] = {numbers[key]: captions[key] for key in changed}
            after["captions"] = {numbers[key]: value for key, value in changed.items()}
            captions.update(changed)
    if before == after:
        return round_entry
    with transaction.atomic():
        for name in MASKED_FIELDS:
            if name in after:
                setattr(round_entry, name, after[name])
        round_entry.captions = captions
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
