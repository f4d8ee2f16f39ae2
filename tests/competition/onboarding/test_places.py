"""Places from a spreadsheet: the check step's fates and reasons, all-or-nothing import, and the
same file twice changing nothing."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from competition.models import County, Organization, Town
from competition.onboarding.places import places_check, places_import, template
from competition.onboarding.workbook import Fate
from tests.files import upload, xlsx_upload

pytestmark = pytest.mark.django_db

UNREADABLE = (
    "无法读取这个文件：请上传用导入模板填写的 Excel 文件（.xlsx 格式）。"
    "如果是 .xls 或 .et 文件，请先另存为 .xlsx。"
)

COUNTY_HEAD = ["名称", "简称", "排序"]
TOWN_HEAD = ["所属县（市、区）", "名称"]
ORG_HEAD = ["名称", "类型", "所属县（市、区）", "所属乡镇（街道）", "上级阵地", "地址", "联系人", "联系电话"]


def workbook(counties=(), towns=(), organizations=(), *, org_head=ORG_HEAD):
    sheets = {}
    if counties is not None:
        sheets["县（市、区）"] = [COUNTY_HEAD, *counties]
    if towns is not None:
        sheets["乡镇（街道）"] = [TOWN_HEAD, *towns]
    if organizations is not None:
        sheets["文明实践阵地"] = [org_head, *organizations]
    return xlsx_upload(sheets)


def city():
    return workbook(
        counties=[["潞州区", "潞州", 1], ["上党区", "上党", 2]],
        towns=[["潞州区", "西街街道"], ["上党区", "韩店镇"]],
        organizations=[
            ["潞州区新时代文明实践中心", "中心", "潞州区", "", "", "英雄中路 1 号", "王芳", "0355-2021234"],
            ["西街街道新时代文明实践所", "所", "潞州区", "西街街道", "潞州区新时代文明实践中心", "", "", ""],
            [
                "西街社区新时代文明实践站",
                "站",
                "潞州区",
                "西街街道",
                "西街街道新时代文明实践所",
                "",
                "李强",
                "+86 138-1234-1234",
            ],
            ["上党区新时代文明实践中心", "中心", "上党区", "", "", "", "", ""],
        ],
    )


def reasons(plan):
    return [(r.sheet, r.row, message) for r in plan.errors for message in r.messages]


def nothing_written():
    return not County.objects.exists() and not Town.objects.exists() and not Organization.objects.exists()


def test_template_has_the_three_sheets_with_notes_and_reads_back_as_empty():
    book = load_workbook(io.BytesIO(template()))
    assert book.sheetnames == ["县（市、区）", "乡镇（街道）", "文明实践阵地", "填写说明"]
    assert [c.value for c in book["文明实践阵地"][1]][:3] == ["名称", "类型", "所属县（市、区）"]
    assert "中心" in book["文明实践阵地"]["B1"].comment.text
    notes = [row for row in book["填写说明"].iter_rows(values_only=True)]
    assert notes[-1][:3] == ("文明实践阵地", "联系电话", "选填")
    plan = places_check(upload=upload("模板.xlsx", template()))
    assert reasons(plan) == [("", 0, "文件中没有要导入的行：请在列名下面逐行填写。")]


def test_check_writes_nothing_then_import_writes_all_and_the_same_file_again_changes_nothing():
    plan = places_check(upload=city())
    assert plan.ok and plan.counts == {"new": 8, "changed": 0, "unchanged": 0, "error": 0}
    assert nothing_written()

    plan = places_import(upload=city())
    assert plan.applied
    station = Organization.objects.select_related("parent__parent", "town", "county").get(
        name="西街社区新时代文明实践站"
    )
    assert station.kind == Organization.Kind.STATION
    assert station.parent.name == "西街街道新时代文明实践所"
    assert station.parent.parent.name == "潞州区新时代文明实践中心"
    assert (station.county.name, station.town.name) == ("潞州区", "西街街道")
    assert station.contact_phone == "13812341234"
    assert station.search_key.endswith("xjsqxsdwmsjz")  # pinyin initials for the picker
    assert Town.objects.get(name="韩店镇").sort_key == "han dian zhen"
    assert County.objects.get(name="上党区").short_name == "上党"

    again = places_import(upload=city())
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 8, "error": 0}


def test_a_changed_row_says_what_changes():
    places_import(upload=city())
    plan = places_check(
        upload=workbook(
            counties=None,
            towns=None,
            organizations=[
                ["潞州区新时代文明实践中心", "中心", "潞州区", "", "", "英雄中路 1 号", "王芳", "13900001111"]
            ],
        )
    )
    [report] = plan.reports
    assert report.fate == Fate.CHANGED
    assert report.messages == ["联系电话：0355-2021234 → 13900001111"]
    places_import(
        upload=workbook(
            counties=None,
            towns=None,
            organizations=[
                ["潞州区新时代文明实践中心", "中心", "潞州区", "", "", "英雄中路 1 号", "王芳", "13900001111"]
            ],
        )
    )
    assert Organization.objects.get(name="潞州区新时代文明实践中心").contact_phone == "13900001111"


def test_a_column_left_out_leaves_the_field_alone():
    places_import(upload=city())
    plan = places_import(
        upload=workbook(
            counties=None,
            towns=None,
            organizations=[["上党区新时代文明实践中心", "中心", "上党区"]],
            org_head=ORG_HEAD[:3],
        )
    )
    assert plan.counts["unchanged"] == 1


def test_missing_columns_are_refused_with_the_header_row():
    plan = places_import(
        upload=workbook(counties=None, towns=None, organizations=[["某站", "站"]], org_head=["名称", "类型"])
    )
    assert reasons(plan) == [
        ("文明实践阵地", 1, "缺少列“所属县（市、区）”。 请使用导入模板，不要修改第 1 行的列名。")
    ]
    assert not plan.applied and nothing_written()


def test_an_unknown_county_refuses_the_whole_file():
    plan = places_import(
        upload=workbook(
            counties=[["潞州区", "", ""]],
            towns=[["潞州区", "西街街道"], ["长治县", "韩店镇"]],
            organizations=None,
        )
    )
    assert reasons(plan) == [
        ("乡镇（街道）", 3, "没有名为“长治县”的县（市、区）：请先在“县（市、区）”表中填写它，或核对名称。")
    ]
    assert [r.fate for r in plan.reports] == [Fate.NEW, Fate.NEW, Fate.ERROR]
    assert nothing_written()


def test_duplicate_names_within_the_file():
    plan = places_import(
        upload=workbook(
            counties=[["潞州区", "", ""], ["潞州区", "", ""]],
            towns=[["潞州区", "西街街道"], ["潞州区", "西街街道"]],
            organizations=[
                ["甲站", "站", "潞州区", "", "", "", "", ""],
                ["甲站", "站", "潞州区", "", "", "", "", ""],
            ],
        )
    )
    assert reasons(plan) == [
        ("县（市、区）", 3, "与第 2 行重复。"),
        ("乡镇（街道）", 3, "与第 2 行重复。"),
        ("文明实践阵地", 3, "与第 2 行重复。"),
    ]
    assert nothing_written()


def test_a_station_whose_parent_is_in_another_county():
    plan = places_import(
        upload=workbook(
            counties=[["潞州区", "", ""], ["上党区", "", ""]],
            towns=[],
            organizations=[
                ["上党区新时代文明实践中心", "中心", "上党区", "", "", "", "", ""],
                ["西街社区新时代文明实践站", "站", "潞州区", "", "上党区新时代文明实践中心", "", "", ""],
            ],
        )
    )
    assert reasons(plan) == [
        (
            "文明实践阵地",
            3,
            "上级阵地“上党区新时代文明实践中心”属于“上党区”，与本行的“潞州区”不同：上级阵地须在同一县（市、区）。",
        )
    ]
    assert nothing_written()


def test_parent_kinds_towns_and_kinds_are_checked():
    plan = places_check(
        upload=workbook(
            counties=[["潞州区", "", ""]],
            towns=[],
            organizations=[
                ["甲站", "站", "潞州区", "", "", "", "", ""],
                ["乙所", "所", "潞州区", "", "甲站", "", "", ""],
                ["丙", "驿站", "潞州区", "北街", "丁", "", "", ""],
            ],
        )
    )
    assert reasons(plan) == [
        ("文明实践阵地", 3, "“所”的上级阵地不能是“站”（甲站）：所的上级是中心，站的上级是所或中心。"),
        ("文明实践阵地", 4, "类型“驿站”无法识别：请填“中心”“所”或“站”。"),
        (
            "文明实践阵地",
            4,
            "“潞州区”没有名为“北街”的乡镇（街道）：请先在“乡镇（街道）”表中填写它，或核对名称。",
        ),
        ("文明实践阵地", 4, "没有名为“丁”的上级阵地：请在本表中填写它，或核对名称。"),
    ]


def test_phone_garbage_is_refused_landlines_and_odd_formats_are_normalised():
    plan = places_import(
        upload=workbook(
            counties=[["潞州区", "", ""]],
            towns=[],
            organizations=[
                ["甲", "中心", "潞州区", "", "", "", "", "１３８ １２３４ １２３４"],
                ["乙", "中心", "潞州区", "", "", "", "", "0355 1234567"],
                ["丙", "中心", "潞州区", "", "", "", "", "请打办公室"],
            ],
        )
    )
    assert reasons(plan) == [
        (
            "文明实践阵地",
            4,
            "联系电话“请打办公室”不是有效的号码：请填写 11 位手机号码或带区号的固定电话（如 0355-1234567）。",
        )
    ]
    assert nothing_written()


def test_a_formula_is_refused_and_never_evaluated():
    plan = places_import(
        upload=workbook(
            counties=[["潞州区", "", "=1+1"], ['=HYPERLINK("http://x","上党区")', "", ""]],
            towns=None,
            organizations=None,
        )
    )
    assert reasons(plan) == [
        ("县（市、区）", 2, "“排序”一格是公式（=1+1）：公式不会被计算，请填写文字本身。"),
        (
            "县（市、区）",
            3,
            '“名称”一格是公式（=HYPERLINK("http://x","上党区")）：公式不会被计算，请填写文字本身。',
        ),
        ("县（市、区）", 3, "没有填写名称。"),
    ]
    assert nothing_written()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的。"),
        (b"name,kind\n\xe7\x94\xb2,\xe7\xab\x99\n", UNREADABLE),  # CSV
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, UNREADABLE),  # old .xls
    ],
)
def test_files_that_are_not_xlsx_get_a_clear_message(content, message):
    plan = places_import(upload=upload("文件.xlsx", content))
    assert reasons(plan) == [("", 0, message)]


def test_sheets_of_other_names_are_named_in_the_message():
    plan = places_check(upload=xlsx_upload({"Sheet1": [["名称"], ["潞州区"]]}))
    assert reasons(plan) == [
        (
            "",
            0,
            "找不到工作表：“县（市、区）”、“乡镇（街道）”、“文明实践阵地”。请使用导入模板，不要修改工作表的名称。",
        )
    ]


def test_unknown_columns_are_ignored_with_a_warning():
    plan = places_import(upload=xlsx_upload({"县（市、区）": [["名称", "备注"], ["潞州区", "市区"]]}))
    assert plan.applied
    assert plan.warnings == ["工作表“县（市、区）”中的列“备注”不是模板中的列，已忽略。"]


def test_ten_thousand_rows_import_and_the_check_takes_a_fixed_number_of_queries():
    def stations(n):
        return [
            [f"第{i}站", "站", "潞州区", "西街街道", "西街街道新时代文明实践所", "", "", "13812341234"]
            for i in range(n)
        ]

    places_import(upload=city())
    with CaptureQueriesContext(connection) as few:
        places_check(upload=workbook(counties=None, towns=None, organizations=stations(5)))
    with CaptureQueriesContext(connection) as many:
        plan = places_check(upload=workbook(counties=None, towns=None, organizations=stations(10_000)))
    assert plan.ok and plan.count(Fate.NEW) == 10_000
    assert len(many) == len(few)
    plan = places_import(upload=workbook(counties=None, towns=None, organizations=stations(10_000)))
    assert plan.applied
    assert Organization.objects.filter(parent__name="西街街道新时代文明实践所").count() == 10_001


@pytest.mark.parametrize("name", ["西井镇", "第12村新时代文明实践站", "长治 High-Tech 区", "", "重庆路社区"])
def test_bulk_keys_are_the_keys_save_computes(name):
    from competition.models import pinyin_key, pinyin_keys, pinyin_search_key

    assert pinyin_keys(name) == (pinyin_key(name), pinyin_search_key(name))


def test_a_template_downloaded_in_english_reads_back():
    from django.utils import translation

    with translation.override("en"):
        content = template()
        book = load_workbook(io.BytesIO(content))
        assert book.sheetnames[:3] == ["County", "Town or street", "Organization"]
        plan = places_import(
            upload=xlsx_upload(
                {
                    "County": [["Name"], ["Luzhou"]],
                    "Organization": [["Name", "Type", "County"], ["Luzhou center", "center", "Luzhou"]],
                }
            )
        )
    assert plan.applied, plan.lines()
    assert Organization.objects.get().kind == Organization.Kind.CENTER


def test_moving_a_center_to_another_county_without_its_children_is_refused():
    places_import(upload=city())
    plan = places_import(
        upload=workbook(
            counties=None,
            towns=None,
            organizations=[["潞州区新时代文明实践中心", "中心", "上党区"]],
            org_head=ORG_HEAD[:3],
        )
    )
    assert reasons(plan) == [
        (
            "文明实践阵地",
            2,
            "下级阵地“西街街道新时代文明实践所”不在“上党区”：上级阵地须与下级在同一县（市、区），请一并修改。",
        )
    ]
    assert Organization.objects.get(name="潞州区新时代文明实践中心").county.name == "潞州区"
    # A station moved on its own, its parent left out of the row: the kept parent must fit too.
    plan = places_check(
        upload=workbook(
            counties=None,
            towns=None,
            organizations=[["西街社区新时代文明实践站", "站", "上党区"]],
            org_head=ORG_HEAD[:3],
        )
    )
    assert reasons(plan) == [
        (
            "文明实践阵地",
            2,
            "上级阵地“西街街道新时代文明实践所”属于“潞州区”，与本行的“上党区”不同：上级阵地须在同一县（市、区）。",
        )
    ]


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    import zipfile

    from competition.onboarding.workbook import MAX_UNPACKED_BYTES
    from tests.files import xlsx_bytes

    out = io.BytesIO(xlsx_bytes({"县（市、区）": [["名称"], ["潞州区"]]}))
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (MAX_UNPACKED_BYTES + 1))
    assert len(out.getvalue()) < 1_000_000
    plan = places_import(upload=upload("bomb.xlsx", out.getvalue()))
    assert reasons(plan) == [("", 0, "文件解压后太大（超过 200 MB），无法读取。")]
    assert nothing_written()


def test_a_station_a_team_named_is_confirmed_by_the_office_list_and_the_picker_sees_the_new_towns(
    django_capture_on_commit_callbacks,
):
    from competition.stations.search import places

    county = County.objects.create(name="潞州区", sort_order=1)
    named = Organization.objects.create(
        name="西街社区新时代文明实践站", kind=Organization.Kind.STATION, county=county, confirmed=False
    )
    assert [c.name for c in places().counties] == ["潞州区"]
    assert places().towns == ()

    plan = places_check(upload=city())
    (report,) = [r for r in plan.reports if r.label == named.name]
    assert report.fate == Fate.CHANGED
    assert "团队提出的阵地，导入后即确认。" in report.messages
    with django_capture_on_commit_callbacks(execute=True):
        places_import(upload=city())

    named.refresh_from_db()
    assert named.confirmed and named.town.name == "西街街道"
    assert "西街街道" in [t.name for t in places().towns]
    assert places_check(upload=city()).counts["changed"] == 0
