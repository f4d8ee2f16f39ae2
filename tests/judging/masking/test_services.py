"""judging.masking.services: the masked captions in a round entry's snapshot, organizers'
corrections of them before scoring, and what the freeze gives judges."""

import pytest

from judging.errors import JudgingError
from judging.masking.services import entry_masking_terms, masked_texts, round_entry_edit_masked
from judging.models import BlindFile, JudgingEvent
from judging.phases import SCORING
from tests import factories
from tests.judging.factories import RoundFactory, eligible_entry, set_status, sync

pytestmark = pytest.mark.django_db

M = "【已隐去】"


def captioned_round(*captions: str):
    """A round in setup with one entry of the team 暖阳 (leader 欧阳晓梅) and one photo per caption."""
    team = factories.TeamFactory(name="沁县西井镇东关村暖阳志愿服务队", contact_name="欧阳晓梅")
    round = RoundFactory()
    entry = eligible_entry(round.contest, team=team)
    photos = [factories.add_photo(entry, caption=caption) for caption in captions]
    (round_entry,) = sync(round)
    return round, round_entry, photos


def test_an_entry_joins_with_its_captions_masked():
    round, round_entry, photos = captioned_round("暖陽志願服務隊在活动现场", "孩子们的合影")

    assert round_entry.captions == {
        photos[0].public_id.hex: f"{M}在活动现场",
        photos[1].public_id.hex: "孩子们的合影",
    }


def test_masked_texts_hide_the_team_short_name_in_every_field():
    team = factories.TeamFactory(name="沁县西井镇东关村暖阳志愿服务队")
    entry = eligible_entry(
        factories.ContestFactory(), team=team, summary="暖阳志愿服务队成立于2018年，暖 阳在行动。"
    )

    assert masked_texts(entry)["summary"] == f"{M}成立于2018年，{M}在行动。"
    assert {"暖阳志愿服务队", "暖阳"} <= set(entry_masking_terms(entry))


def test_an_organizer_corrects_a_caption_before_scoring_and_the_log_says_which(organizer):
    round, round_entry, photos = captioned_round("活动现场", "小欧老师带孩子们读书")
    key = photos[1].public_id.hex

    round_entry_edit_masked(
        round_entry=round_entry, data={"captions": {key: f"{M}带孩子们读书"}}, by=organizer
    )
    round_entry.refresh_from_db()
    round_entry_edit_masked(
        round_entry=round_entry, data={"captions": {key: f"{M}带孩子们读书"}}, by=organizer
    )

    event = JudgingEvent.objects.get(kind=JudgingEvent.Kind.MASK_EDITED)  # the same again: no event
    assert round_entry.captions[key] == f"{M}带孩子们读书"
    assert (round_entry.masked_edited_by, round_entry.masked_edited_at is not None) == (organizer, True)
    assert (event.before, event.after) == (
        {"captions": {"2": "小欧老师带孩子们读书"}},
        {"captions": {"2": f"{M}带孩子们读书"}},
    )


def test_a_caption_correction_survives_the_freeze_and_is_closed_after_it(organizer):
    round, round_entry, photos = captioned_round("小欧老师带孩子们读书", "欧阳晓梅在社区")
    round_entry_edit_masked(
        round_entry=round_entry,
        data={"captions": {photos[0].public_id.hex: f"{M}带孩子们读书"}},
        by=organizer,
    )

    set_status(round, SCORING)
    round_entry.refresh_from_db()
    with pytest.raises(JudgingError) as refused:
        round_entry_edit_masked(
            round_entry=round_entry, data={"captions": {photos[0].public_id.hex: "太晚了"}}, by=organizer
        )

    captions = list(
        BlindFile.objects.filter(round_entry=round_entry, kind=BlindFile.Kind.PHOTO)
        .order_by("position")
        .values_list("caption", flat=True)
    )
    assert captions == [f"{M}带孩子们读书", f"{M}在社区"]
    assert refused.value.message == "评分开始后不能再修改匿名文本。"


def test_without_a_correction_the_freeze_masks_the_captions_anew():
    round, round_entry, photos = captioned_round("李秀英在社区")
    # A member added to the team profile after the entry joined: hidden at the freeze.
    factories.TeamMemberFactory(team=round_entry.entry.team, name="李秀英")

    set_status(round, SCORING)

    round_entry.refresh_from_db()
    blind = BlindFile.objects.get(round_entry=round_entry, kind=BlindFile.Kind.PHOTO)
    assert (blind.caption, round_entry.captions[photos[0].public_id.hex]) == (f"{M}在社区", f"{M}在社区")


@pytest.mark.parametrize(
    ("captions", "message"),
    [
        ({"0" * 32: "别的照片"}, "照片已有变化，请刷新页面后再修改图片说明。"),
        (None, "图片说明不能超过 200 个字。"),
    ],
)
def test_a_caption_of_another_photo_or_too_long_is_refused(organizer, captions, message):
    round, round_entry, photos = captioned_round("活动现场")
    captions = captions or {photos[0].public_id.hex: "长" * 201}

    with pytest.raises(JudgingError) as refused:
        round_entry_edit_masked(round_entry=round_entry, data={"captions": captions}, by=organizer)

    round_entry.refresh_from_db()
    assert refused.value.message == message
    assert round_entry.masked_edited_at is None
