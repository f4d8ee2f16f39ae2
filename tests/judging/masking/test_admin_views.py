"""The organizers' masked-text review page: photo captions next to the texts, corrected the
same way before scoring, read-only after; a constant number of queries."""

import pytest

from judging.models import BlindFile, JudgingEvent
from judging.phases import SCORING
from tests import factories
from tests.judging.factories import RoundFactory, eligible_entry, set_status, sync

pytestmark = pytest.mark.django_db

M = "【已隐去】"


def page(round, round_entry) -> str:
    return f"/admin/judging/rounds/{round.pk}/masked/{round_entry.blind_code}/"


def review_round(captions=("暖陽隊員在東關村", "孩子们的合影"), members=1):
    team = factories.TeamFactory(name="沁县西井镇东关村暖阳志愿服务队", contact_name="欧阳晓梅")
    for n in range(members):
        factories.TeamMemberFactory(team=team, name=f"队员{n}号")
    round = RoundFactory()
    entry = eligible_entry(round.contest, team=team, summary="暖阳志愿服务队的故事")
    photos = [factories.add_photo(entry, caption=caption) for caption in captions]
    (round_entry,) = sync(round)
    return round, round_entry, photos


def form_data(response, **changes) -> dict:
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    return data


def test_review_page_shows_each_caption_original_and_masked(organizer_client):
    round, round_entry, photos = review_round()

    response = organizer_client.get(page(round, round_entry))

    assert [(row["label"], row["original"], row["masked"]) for row in response.context["captions"]] == [
        ("照片1的说明", "暖陽隊員在東關村", f"{M}隊員在{M}"),
        ("照片2的说明", "孩子们的合影", "孩子们的合影"),
    ]
    body = response.content.decode()
    assert 'name="caption_1"' in body and f'value="{M}隊員在{M}"' in body
    assert response.context["form"]["caption_2"].value() == "孩子们的合影"


def test_review_page_corrects_a_caption_and_logs_it(organizer, organizer_client):
    round, round_entry, photos = review_round()
    response = organizer_client.get(page(round, round_entry))

    saved = organizer_client.post(
        page(round, round_entry), form_data(response, caption_2=f"{M}的孩子们"), follow=True
    )

    round_entry.refresh_from_db()
    event = JudgingEvent.objects.get(kind=JudgingEvent.Kind.MASK_EDITED)
    assert f"已保存 {round_entry.blind_code} 的匿名文本。" in saved.content.decode()
    assert round_entry.captions[photos[1].public_id.hex] == f"{M}的孩子们"
    assert (round_entry.masked_edited_by, event.before, event.after) == (
        organizer,
        {"captions": {"2": "孩子们的合影"}},
        {"captions": {"2": f"{M}的孩子们"}},
    )
    set_status(round, SCORING)
    assert list(
        BlindFile.objects.filter(round_entry=round_entry)
        .order_by("position")
        .values_list("caption", flat=True)
    ) == [f"{M}隊員在{M}", f"{M}的孩子们"]


def test_review_page_keeps_what_was_typed_when_a_caption_is_too_long(organizer_client):
    round, round_entry, photos = review_round()
    response = organizer_client.get(page(round, round_entry))
    typed = "说" * 201

    refused = organizer_client.post(
        page(round, round_entry), form_data(response, caption_1=typed, title="新标题")
    )

    round_entry.refresh_from_db()
    assert refused.status_code == 200
    assert refused.context["form"]["caption_1"].value() == typed
    assert refused.context["form"]["title"].value() == "新标题"
    assert round_entry.masked_edited_at is None


def test_review_page_warns_of_a_name_left_in_a_caption_in_any_spelling(organizer_client):
    round, round_entry, photos = review_round()
    response = organizer_client.get(page(round, round_entry))
    organizer_client.post(page(round, round_entry), form_data(response, caption_2="歐陽曉梅和孩子们"))

    response = organizer_client.get(page(round, round_entry))

    assert response.context["leftovers"] == ["欧阳晓梅"]
    assert "匿名文本中仍出现" in response.content.decode()


def test_review_page_after_scoring_started_shows_the_frozen_captions_read_only(organizer_client):
    round, round_entry, photos = review_round()
    set_status(round, SCORING)

    response = organizer_client.get(page(round, round_entry))
    refused = organizer_client.post(
        page(round, round_entry), form_data(response, caption_2="改过的说明"), follow=True
    )

    round_entry.refresh_from_db()
    body = response.content.decode()
    assert response.context["editable"] is False
    assert 'name="caption_2"' not in body and f"{M}隊員在{M}" in body
    assert "评分开始后不能再修改匿名文本。" in refused.content.decode()
    assert BlindFile.objects.get(round_entry=round_entry, position=2).caption == "孩子们的合影"


@pytest.mark.parametrize("n", [1, 3])
def test_review_page_query_count_is_constant(n, organizer_client, django_assert_num_queries):
    round, round_entry, photos = review_round(captions=[f"活动照片{i}" for i in range(n)], members=n)
    organizer_client.get(page(round, round_entry))  # warm the session and the site

    with django_assert_num_queries(15):
        response = organizer_client.get(page(round, round_entry))

    assert len(response.context["captions"]) == n
