"""The places import in the back office: template, upload → check (nothing written) →
confirm; the file kept in between is checked again; organizers only."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from competition.models import County, Organization
from tests import factories
from tests.files import xlsx_upload

pytestmark = pytest.mark.django_db

URL = "/admin/competition/onboarding/"
HEAD = ["名称", "类型", "所属县（市、区）", "联系电话"]


def places(n=2, phone="13812341234"):
    rows = [["潞州区新时代文明实践中心", "中心", "潞州区", phone]]
    rows += [[f"第{i}站", "站", "潞州区", ""] for i in range(n - 1)]
    return xlsx_upload({"县（市、区）": [["名称"], ["潞州区"]], "文明实践阵地": [HEAD, *rows]})


def check(client, upload):
    return client.post(URL, {"file": upload})


def confirm(client, response):
    return client.post(URL, {"token": response.context["token"], "digest": response.context["plan"].digest})


def test_template_download(organizer_client):
    response = organizer_client.get(f"{URL}template/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "文明实践阵地" in load_workbook(io.BytesIO(response.content)).sheetnames


def test_upload_check_then_confirm_and_again_all_unchanged(organizer_client):
    page = organizer_client.get(URL)
    assert "导入文明实践阵地" in page.text and "下载导入模板" in page.text

    checked = check(organizer_client, places())
    assert "检查通过，尚未写入任何数据" in checked.text
    assert "新增 3" in checked.text
    assert not County.objects.exists()

    done = confirm(organizer_client, checked)
    assert done.status_code == 302
    assert Organization.objects.count() == 2

    again = check(organizer_client, places())
    assert "不变 3" in again.text and "不变的 3 行" in again.text


def test_errors_are_listed_with_row_numbers_and_nothing_can_be_confirmed(organizer_client):
    response = check(organizer_client, places(phone="办公室"))
    assert "文件没有导入" in response.text
    assert "联系电话“办公室”不是有效的号码" in response.text
    assert response.context["token"] is None
    assert "确认导入" not in response.text


def test_a_file_that_is_not_xlsx(organizer_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = check(organizer_client, SimpleUploadedFile("x.xlsx", b"not a workbook"))
    assert response.status_code == 200
    assert "无法读取这个文件" in response.text


def test_a_forged_or_stale_token_is_refused(organizer_client):
    checked = check(organizer_client, places())
    forged = organizer_client.post(
        URL, {"token": "0" * 32, "digest": checked.context["plan"].digest}, follow=True
    )
    assert "没有找到待确认的文件" in forged.text
    assert not County.objects.exists()


def test_a_plan_that_changed_since_the_check_is_shown_again(organizer_client):
    checked = check(organizer_client, places())
    County.objects.create(name="潞州区")  # someone else, meanwhile
    response = confirm(organizer_client, checked)
    assert "检查之后数据有了变化" in response.text
    assert not Organization.objects.exists()
    assert confirm(organizer_client, response).status_code == 302
    assert Organization.objects.count() == 2


def test_only_organizers(db):
    client = Client()
    client.force_login(factories.supervisor())
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}template/").status_code == 404


def test_check_page_queries_do_not_grow_with_rows(organizer_client):
    check(organizer_client, places())  # warm up (session, user)
    with CaptureQueriesContext(connection) as few:
        check(organizer_client, places(3))
    with CaptureQueriesContext(connection) as many:
        check(organizer_client, places(300))
    assert len(few) == len(many)
