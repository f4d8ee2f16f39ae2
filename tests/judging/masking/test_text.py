"""judging.masking.text: what is hidden in entry texts for blind review, and what is left alone."""

import pytest

from judging.masking.text import MASK, compile_terms, identifying_spans, identifying_terms, mask_text

M = MASK


def terms_for(**kwargs):
    return compile_terms(identifying_terms(**kwargs))


STATION = terms_for(
    team_names=["王村红马甲志愿服务队"],
    organization_names=["潞州区东和镇王村新时代文明实践站", "王村实践站"],
    county_names=["潞州区", "潞州"],
    people=["欧阳晓梅", "司马振华"],
    handles=["wangcun_hmj"],
)


def test_identifying_terms_organization_yields_place_pieces_without_county():
    terms = identifying_terms(
        organization_names=["潞州区东和镇王村新时代文明实践站"], county_names=["潞州区"]
    )

    assert terms == [
        "潞州区东和镇王村新时代文明实践站",
        "潞州区东和镇王村",
        "东和镇王村",
        "东和镇",
        "潞州区",
        "东和",
        "潞州",
        "王村",
    ]


def test_identifying_terms_county_in_organization_name_after_the_city():
    terms = identifying_terms(
        organization_names=["长治市襄垣县古韩镇侯堡村新时代文明实践站"], county_names=["襄垣县"]
    )

    assert {"古韩镇", "古韩", "侯堡村", "侯堡", "襄垣县", "襄垣"} <= set(terms)


def test_identifying_terms_drops_single_characters():
    terms = identifying_terms(people=["王", " "], county_names=["区"])

    assert terms == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王村红马甲志愿服务队成立于2018年", f"{M}成立于2018年"),
        ("王村红马甲的队员", f"{M}的队员"),
        ("潞州区东和镇王村新时代文明实践站发起", f"{M}发起"),
        ("地处东和镇，服务王村村民", f"地处{M}，服务{M}村民"),
        ("东和的孩子们", f"{M}的孩子们"),
        ("潞州的留守儿童", f"{M}的留守儿童"),
        ("王村实践站提供场地", f"{M}提供场地"),
        ("由欧阳晓梅负责", f"由{M}负责"),
        ("欧阳晓梅和司马振华一起上课", f"{M}和{M}一起上课"),
    ],
)
def test_mask_text_names_and_short_forms(text, expected):
    assert mask_text(text, STATION) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13912345678。", f"电话{M}。"),
        ("电话 139 1234 5678，欢迎", f"电话 {M}，欢迎"),
        ("手机：139-1234-5678", f"手机：{M}"),
        ("热线+86 139 1234 5678", f"热线{M}"),
        ("热线 +8613912345678", f"热线 {M}"),
        ("+86-139-1234-5678 全天", f"{M} 全天"),
        ("座机0355-2021234转8", f"座机{M}转8"),
        ("座机 0355 2021234", f"座机 {M}"),
        ("座机（0355）5012345", f"座机{M}"),
        ("座机(0355)5012345", f"座机{M}"),
        ("咨询电话：2021234", f"咨询电话：{M}"),
        ("邮箱 wangcun.hmj@163.com 欢迎来信", f"邮箱 {M} 欢迎来信"),
        ("邮箱wang_cun+news@mail.example.cn。", f"邮箱{M}。"),
        ("身份证号14040219800101123X，", f"身份证号{M}，"),
        ("身份证140402198001011234", f"身份证{M}"),
        ("身份证14040219800101123x号", f"身份证{M}号"),
        ("QQ：123456789", f"QQ：{M}"),
        ("微信 kz_yinfa2026 报名", f"微信 {M} 报名"),
        ("公众号 wangcun_hmj 了解详情", f"公众号 {M} 了解详情"),
    ],
)
def test_mask_text_phones_emails_id_numbers_and_handles(text, expected):
    assert mask_text(text, STATION) == expected


@pytest.mark.parametrize(
    "text",
    [
        "服务儿童300余人次，志愿者25人，累计1200小时。",
        "2019年3月启动，每周三次，2023年获评优秀项目。",
        "村里留守儿童多，课后无人辅导。",
        "微信群里有200多位家长。",
        "项目经费12000元，服务半径5公里。",
        "WANGCUN_HMJX 不是账号",
    ],
)
def test_mask_text_leaves_ordinary_text_and_numbers(text):
    assert mask_text(text, STATION) == text


def test_mask_text_does_not_swallow_neighbouring_words():
    text = "联系欧阳晓梅或发邮件到a@b.cn后等待回复，电话13912345678以外勿扰"

    assert mask_text(text, STATION) == f"联系{M}或发邮件到{M}后等待回复，电话{M}以外勿扰"


def test_mask_text_consecutive_masks_collapse_into_one():
    text = "王村红马甲欧阳晓梅13912345678wangcun.hmj@163.com"

    assert mask_text(text, STATION) == M


def test_mask_text_handles_match_whole_words_in_any_case():
    assert mask_text("账号 WangCun_HMJ 与 xwangcun_hmj", STATION) == f"账号 {M} 与 xwangcun_hmj"


def test_mask_text_without_terms_still_hides_contact_data():
    assert mask_text("王村 13912345678", None) == f"王村 {M}"


def test_mask_text_empty_stays_empty():
    assert [mask_text("", STATION), mask_text(None, STATION)] == ["", ""]


def test_identifying_spans_are_in_the_original_text_merged_and_sorted():
    text = "暖阳志愿服务队（电话13812341234）联系人王小明，邮箱 a@b.cn"
    terms = compile_terms(identifying_terms(team_names=["暖阳志愿服务队"], people=["王小明"]))

    spans = identifying_spans(text, terms)

    assert [text[start:end] for start, end in spans] == ["暖阳志愿服务队", "13812341234", "王小明", "a@b.cn"]


def test_mask_text_is_the_spans_replaced_by_one_mask_each():
    text = "王小明13812341234在暖阳志愿服务队"
    terms = compile_terms(identifying_terms(team_names=["暖阳志愿服务队"], people=["王小明"]))

    assert mask_text(text, terms) == "【已隐去】在【已隐去】"
    assert identifying_spans(text, terms) == [(0, 14), (15, 22)]
