"""judging.masking.text: what is hidden in entry texts for blind review, and what is left alone."""

import pytest

from judging.masking.text import (
    MASK,
    compile_terms,
    identifying_spans,
    identifying_terms,
    mask_text,
    matched_terms,
)

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
        "王村新时代文明实践站",
        "潞州区东和镇王村",
        "王村文明实践站",
        "东和镇王村",
        "王村实践站",
        "东和镇",
        "潞州区",
        "王村站",
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
        # Not the log-in name, and not the pinyin of 王村 either (a letter before it).
        "XWANGCUN_HMJ 不是账号",
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


# --- Names a reader would recognise (issue 10) -------------------------------------------------

NUANYANG = dict(
    team_names=["沁县西井镇东关村暖阳志愿服务队"],
    organization_names=["沁县西井镇东关村新时代文明实践站", "东关站"],
    county_names=["沁县", "沁县"],
    people=["王建国", "欧阳晓梅"],
    handles=["team0042"],
)
QIN = terms_for(**NUANYANG)


def test_identifying_terms_team_name_without_its_places_and_suffix():
    terms = identifying_terms(**NUANYANG)

    assert {"暖阳志愿服务队", "暖阳", "西井镇东关村", "东关村", "东关", "西井镇", "西井", "沁县"} <= set(
        terms
    )


def test_identifying_terms_organization_short_forms_and_county_with_and_without_suffix():
    terms = identifying_terms(
        organization_names=["襄垣县古韩镇侯堡村新时代文明实践站", "潞州区新时代文明实践中心"],
        county_names=["襄垣县", "潞州区"],
    )

    assert {"侯堡村实践站", "侯堡实践站", "侯堡站", "侯堡村文明实践站", "潞州中心", "潞州区实践中心"} <= set(
        terms
    )
    assert {"襄垣县", "襄垣", "潞州区", "潞州"} <= set(terms)


def test_identifying_terms_town_named_like_a_village_splits_at_the_town():
    terms = identifying_terms(
        organization_names=["沁源县郭村镇柳林村新时代文明实践站"], county_names=["沁源县"]
    )

    assert {"郭村镇", "郭村", "柳林村", "柳林"} <= set(terms)


@pytest.mark.parametrize(
    ("team", "generic"),
    [
        ("沁县西井镇光明村青年志愿服务队", {"青年", "青年志愿服务队", "光明"}),
        ("沁县西井镇东关村爱心妈妈志愿服务队", {"爱心妈妈", "爱心", "妈妈", "爱心妈妈志愿服务队"}),
        ("沁县西井镇东关村党员先锋志愿服务队", {"党员先锋", "党员", "先锋"}),
        ("乡村振兴志愿服务队", {"乡村", "乡村振兴"}),
    ],
)
def test_identifying_terms_a_generic_core_is_no_term_of_its_own(team, generic):
    terms = identifying_terms(team_names=[team], county_names=["沁县"])

    assert team in terms
    assert generic.isdisjoint(terms)


def test_identifying_terms_a_one_character_county_core_is_no_term():
    terms = identifying_terms(county_names=["沁县"], organization_names=["沁县新时代文明实践中心"])

    assert "沁" not in terms
    assert {"沁县", "沁县中心"} <= set(terms)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("暖阳志愿服务队成立于2018年", f"{M}成立于2018年"),
        ("我们暖阳的队员", f"我们{M}的队员"),
        ("东关村实践站和东关站", f"{M}和{M}"),
        ("西井镇东关村暖阳的故事", f"{M}的故事"),
        # spaced, zero-width joined, full-width, traditional
        ("暖 阳 志 愿 服 务 队", M),
        ("王　建　国老师", f"{M}老师"),
        ("暖\u200b阳\u200d的孩子", f"{M}的孩子"),
        ("欧\ufeff阳\u2060晓\u200c梅", M),
        ("账号ｔｅａｍ００４２登录", f"账号{M}登录"),
        ("暖陽志願服務隊的歐陽曉梅", f"{M}的{M}"),
        ("王建國和東關村", f"{M}和{M}"),
        # pinyin with and without tones and spaces, any case
        ("Wang Jianguo 老师", f"{M} 老师"),
        ("wáng jiàn guó 老师", f"{M} 老师"),
        ("wa\u0301ng jia\u0300n guo\u0301", M),
        ("OUYANG XIAOMEI", M),
        ("Ouyang Xiaomei and Nuanyang team", f"{M} and {M} team"),
        ("nuǎn yáng volunteers", f"{M} volunteers"),
        ("ｗａｎｇｊｉａｎｇｕｏ", M),
    ],
)
def test_mask_text_names_in_every_spelling(text, expected):
    assert mask_text(text, QIN) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # phones with dots, slashes, full-width digits, Chinese numerals
        ("电话139.1234.5678", f"电话{M}"),
        ("手机 139/1234/5678 。", f"手机 {M} 。"),
        ("手机１３９１２３４５６７８", f"手机{M}"),
        ("手机１３９－１２３４－５６７８", f"手机{M}"),
        ("手机一三八一二三四五六七八", f"手机{M}"),
        ("手机幺三八 一二三四 五六七八", f"手机{M}"),
        ("座机〇三五五-二〇二一二三四", f"座机{M}"),
        ("座机0355.2021234", f"座机{M}"),
        ("座机０３５５／２０２１２３４", f"座机{M}"),
        ("座机（０３５５）５０１２３４５", f"座机{M}"),
        ("手机13\u200b912345678", f"手机{M}"),
        # WeChat and QQ
        ("VX: wangcun2020", f"VX: {M}"),
        ("vx：wangcun2020", f"vx：{M}"),
        ("加wx kz_yinfa2026 报名", f"加wx {M} 报名"),
        ("微信号是 kz_yinfa2026", f"微信号是 {M}"),
        ("V信：kz-yinfa-2026", f"V信：{M}"),
        ("微信号为kzyinfa", f"微信号为{M}"),
        ("扫码或搜索 wxid_ab12cd34ef", f"扫码或搜索 {M}"),
        ("QQ号码：123456789", f"QQ号码：{M}"),
        ("ＱＱ：１２３４５６７８９", f"ＱＱ：{M}"),
        # e-mail written with "at", "#", "(at)", "dot"
        ("邮箱 wangcun at 163.com 欢迎来信", f"邮箱 {M} 欢迎来信"),
        ("邮箱wangcun#163.com。", f"邮箱{M}。"),
        ("邮箱 wangcun(at)163.com", f"邮箱 {M}"),
        ("邮箱 wangcun [at] 163 dot com", f"邮箱 {M}"),
        ("邮箱ｗａｎｇｃｕｎ＠１６３．ｃｏｍ", f"邮箱{M}"),
        ("邮箱 wangcun @ 163.com", f"邮箱 {M}"),
        # spaced ID numbers
        ("身份证 1404 0219 8001 0112 3X", f"身份证 {M}"),
        ("身份证140402 19800101 1234号", f"身份证{M}号"),
        ("身份证 140402-19800101-123x", f"身份证 {M}"),
    ],
)
def test_mask_text_contact_data_in_every_spelling(text, expected):
    assert mask_text(text, None) == expected


PARAGRAPH = (
    "我们是一支由青年志愿者和爱心妈妈组成的志愿服务队伍。2019年3月起，每周三次开展服务，"
    "累计服务1200人次，服务时长3600小时，项目经费12000元，服务半径5公里。"
    "2023.10.12 获评优秀项目，2023-10-12 又组织了“光明行动”白内障筛查和乡村振兴宣讲。"
    "党员先锋队、巾帼志愿者、红马甲们在微信群里点单，共有200多位家长参与。"
    "第一是建立需求清单，第二是固定服务时间，第三是规范队伍管理。"
    "The alliance meets online on Monday; see 1.3.5 of the plan, page 12 of 30."
)


@pytest.mark.parametrize(
    ("team", "organization"),
    [
        ("沁县西井镇光明村青年志愿服务队", "沁县西井镇光明村新时代文明实践站"),
        ("沁县西井镇东关村爱心妈妈志愿服务队", "沁县西井镇东关村新时代文明实践站"),
        ("沁县西井镇东关村党员先锋志愿服务队", "沁县西井镇东关村新时代文明实践站"),
        ("沁县西井镇东关村红马甲志愿服务队", "沁县西井镇东关村新时代文明实践站"),
    ],
)
def test_mask_text_leaves_a_normal_paragraph_intact(team, organization):
    """Generic words of team and village names (青年, 爱心妈妈, 光明) stay in ordinary prose."""
    terms = terms_for(
        team_names=[team],
        organization_names=[organization],
        county_names=["沁县"],
        people=["李安", "王一鸣"],  # pinyin "lian" is inside "alliance", "online" is no name
    )

    assert mask_text(PARAGRAPH, terms) == PARAGRAPH


def test_mask_text_pinyin_only_as_a_word_of_its_own():
    assert mask_text("Wangjianguoli and xwangjianguo", QIN) == "Wangjianguoli and xwangjianguo"
    assert mask_text("wangjianguo_2020 wangjianguo2020", QIN) == f"{M}_2020 {M}2020"


def test_identifying_spans_map_back_to_the_original_characters():
    text = "由暖\u200b 陽志愿服务队的 Wáng Jiàn-guo（ＷＡＮＧ ＪＩＡＮＧＵＯ）和 139 1234 5678 负责"

    spans = identifying_spans(text, QIN)

    assert [text[start:end] for start, end in spans] == [
        "暖\u200b 陽志愿服务队",
        "ＷＡＮＧ ＪＩＡＮＧＵＯ",
        "139 1234 5678",
    ]


def test_identifying_spans_are_merged_and_sorted():
    text = "暖阳欧阳晓梅 13912345678王建国"

    assert identifying_spans(text, QIN) == [(0, 6), (7, 21)]


def test_identifying_spans_take_terms_as_a_list_or_compiled_or_none():
    text = "暖阳队员王建国，电话13912345678"
    terms = identifying_terms(**NUANYANG)

    assert (
        identifying_spans(text, terms)
        == identifying_spans(text, compile_terms(terms))
        == [(0, 2), (4, 7), (10, 21)]
    )
    assert identifying_spans(text, None) == [(10, 21)]
    assert identifying_spans("", terms) == []


def test_mask_text_replaces_the_joiners_inside_a_name_too():
    assert mask_text("欢迎暖\u200b阳！", QIN) == f"欢迎{M}！"


def test_matched_terms_names_the_terms_a_text_still_contains_in_any_spelling():
    text = "歐陽曉梅 and wang jianguo, 暖阳"

    assert matched_terms(text, QIN) == ["欧阳晓梅", "王建国", "暖阳"]
