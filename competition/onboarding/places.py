"""Places from a spreadsheet: counties → towns and streets → organizations (中心/所/站).

One workbook, three sheets (any may be left out): 县（市、区）, 乡镇（街道）, 文明实践阵地.
``places_check`` reads the file and says each row's fate (新增 / 修改 / 不变 / 错误 with the
reason) without writing anything; ``places_import`` checks again and writes every row or
none, in one transaction. Rows name places by name: a county by its name, a town by its
county and name, an organization by its (unique) name; a row may name a place another row of
the same file creates. Importing the same file twice changes nothing the second time.

A fixed number of queries whatever the number of rows: every lookup is one query for all rows,
and the writes are bulk inserts and updates.

Blank cells clear optional fields; a column left out of the sheet leaves that field alone.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import PARENT_KINDS, County, Organization, Town, pinyin_keys
from competition.stations.search import forget_places

from .workbook import (
    Column,
    Fate,
    OnboardingError,
    Plan,
    Row,
    RowReport,
    SheetSpec,
    normalize_phone,
    read_workbook,
    refuse_if_changed,
    template_workbook,
)

COUNTIES = SheetSpec(
    "counties",
    gettext_lazy("县（市、区）"),
    (
        Column("name", gettext_lazy("名称"), gettext_lazy("县（市、区）的全称，不能重复。"), "潞州区", True),
        Column(
            "short_name",
            gettext_lazy("简称"),
            gettext_lazy("例如“潞州”；评审匿名化时一并隐去。可不填。"),
            "潞州",
        ),
        Column(
            "sort_order",
            gettext_lazy("排序"),
            gettext_lazy("整数，越小越靠前；不填则保持原值（新增的为 0）。"),
            "1",
        ),
    ),
)
TOWNS = SheetSpec(
    "towns",
    gettext_lazy("乡镇（街道）"),
    (
        Column(
            "county",
            gettext_lazy("所属县（市、区）"),
            gettext_lazy("已有的县（市、区），或本文件“县（市、区）”表中的。"),
            "潞州区",
            True,
        ),
        Column(
            "name",
            gettext_lazy("名称"),
            gettext_lazy("乡镇或街道的名称；同一县（市、区）内不能重复。"),
            "西街街道",
            True,
        ),
    ),
)
ORGANIZATIONS = SheetSpec(
    "organizations",
    gettext_lazy("文明实践阵地"),
    (
        Column(
            "name",
            gettext_lazy("名称"),
            gettext_lazy("阵地的全称，全市不能重复；已有同名阵地时修改它。"),
            "西街街道新时代文明实践所",
            True,
        ),
        Column("kind", gettext_lazy("类型"), gettext_lazy("填“中心”“所”或“站”。"), "所", True),
        Column(
            "county",
            gettext_lazy("所属县（市、区）"),
            gettext_lazy("已有的县（市、区），或本文件中的。"),
            "潞州区",
            True,
        ),
        Column(
            "town",
            gettext_lazy("所属乡镇（街道）"),
            gettext_lazy("所在乡镇或街道，须属于同一县（市、区）；中心可不填。"),
            "西街街道",
        ),
        Column(
            "parent",
            gettext_lazy("上级阵地"),
            gettext_lazy("所的上级是中心，站的上级是所或中心，须在同一县（市、区）；中心不填。"),
            "潞州区新时代文明实践中心",
        ),
        Column("short_name", gettext_lazy("简称"), gettext_lazy("可不填。"), ""),
        Column("address", gettext_lazy("地址"), gettext_lazy("可不填，最多 200 字。"), "英雄中路 1 号"),
        Column("contact_name", gettext_lazy("联系人"), gettext_lazy("可不填。"), "王芳"),
        Column(
            "contact_phone",
            gettext_lazy("联系电话"),
            gettext_lazy("手机号码或带区号的固定电话，如 13812341234、0355-1234567；可不填。"),
            "0355-1234567",
        ),
    ),
)
SPECS = [COUNTIES, TOWNS, ORGANIZATIONS]

KIND_NAMES = {
    "中心": Organization.Kind.CENTER,
    "新时代文明实践中心": Organization.Kind.CENTER,
    "所": Organization.Kind.INSTITUTE,
    "新时代文明实践所": Organization.Kind.INSTITUTE,
    "站": Organization.Kind.STATION,
    "新时代文明实践站": Organization.Kind.STATION,
    # As the English template's notes name them.
    "center": Organization.Kind.CENTER,
    "institute": Organization.Kind.INSTITUTE,
    "station": Organization.Kind.STATION,
}
KIND_SHORT = {
    Organization.Kind.CENTER: gettext_lazy("中心"),
    Organization.Kind.INSTITUTE: gettext_lazy("所"),
    Organization.Kind.STATION: gettext_lazy("站"),
}
# Which kinds may be the parent of a kind.
NAME_MAX = {"counties": 50, "towns": 50, "organizations": 100}
FIELD_MAX = {"short_name": 50, "address": 200, "contact_name": 50}


def template() -> bytes:
    return template_workbook(
        SPECS,
        intro=[
            _(
                "文明实践阵地导入模板：依次填写“县（市、区）”“乡镇（街道）”“文明实践阵地”三张表，不用的表可以留空。"
            ),
            _(
                "第 1 行是列名，请不要修改；从第 2 行起每行一条。"
                "已有的县（市、区）和乡镇（街道）不必重复填写。"
            ),
            _("上传后先逐行检查并显示每行的结果（新增、修改、不变或错误）；有任何错误时整个文件都不会导入。"),
            _("同一文件再次导入不会改变任何数据。选填列留空表示清空该项；整列删去则保持原值。"),
            _("单元格中请直接填写文字，不要使用公式。"),
        ],
    )


@dataclass
class PlacesActions:
    new_counties: list[dict] = field(default_factory=list)
    changed_counties: list[tuple[int, dict]] = field(default_factory=list)
    new_towns: list[tuple[str, str]] = field(default_factory=list)  # (county name, town name)
    new_organizations: list[dict] = field(default_factory=list)
    changed_organizations: list[tuple[int, dict]] = field(default_factory=list)


def _duplicate(seen: dict, key, row: Row) -> str | None:
    if key in seen:
        return _("与第 %(row)s 行重复。") % {"row": seen[key]}
    seen[key] = row.number
    return None


def _too_long(row: Row, key: str, limit: int, header) -> str | None:
    if len(row.get(key)) > limit:
        return _("“%(name)s”最多 %(max)s 字。") % {"name": header, "max": limit}
    return None


def _change_text(label, old, new) -> str:
    return _("%(field)s：%(old)s → %(new)s") % {"field": label, "old": old or "—", "new": new or "—"}


def places_check(*, upload) -> Plan:
    """The check step: each row's fate, nothing written."""
    plan = Plan(actions=PlacesActions())
    sheets = read_workbook(upload, SPECS, plan)
    if plan.errors:
        return plan
    counties = {c.name: c for c in County.objects.all()}
    towns = {(county, name) for county, name in Town.objects.values_list("county__name", "name")}
    organizations = {
        o["name"]: o
        for o in Organization.objects.values(
            "pk",
            "name",
            "kind",
            "county__name",
            "town__name",
            "parent__name",
            "short_name",
            "address",
            "contact_name",
            "contact_phone",
            "confirmed",
        )
    }
    county_rows = sheets.get("counties", [])
    town_rows = sheets.get("towns", [])
    organization_rows = sheets.get("organizations", [])
    file_counties = {row.get("name") for row in county_rows}
    file_towns = {(row.get("county"), row.get("name")) for row in town_rows}
    # Kind and county of every organization as the file leaves it, for the parent rules.
    final_organizations = {
        name: (KIND_NAMES.get(o["kind"], o["kind"]), o["county__name"]) for name, o in organizations.items()
    }
    for row in organization_rows:
        final_organizations[row.get("name")] = (KIND_NAMES.get(row.get("kind").lower()), row.get("county"))
    # Each organization's parent as the file leaves it, to find children a moved one leaves behind.
    final_parents = {name: o["parent__name"] for name, o in organizations.items()}
    for row in organization_rows:
        if row.has("parent"):
            final_parents[row.get("name")] = row.get("parent") or None
    children: dict[str, list[str]] = {}
    for child, parent in final_parents.items():
        if parent:
            children.setdefault(parent, []).append(child)

    _check_counties(plan, county_rows, counties)
    _check_towns(plan, town_rows, counties, file_counties, towns)
    _check_organizations(
        plan,
        organization_rows,
        counties,
        file_counties,
        towns,
        file_towns,
        organizations,
        final_organizations,
        children,
    )
    return plan


def _check_counties(plan: Plan, rows: list[Row], counties: dict) -> None:
    seen: dict = {}
    for row in rows:
        problems = list(row.problems)
        name = row.get("name")
        if not name:
            problems.append(_("没有填写名称。"))
        else:
            problems.append(_duplicate(seen, name, row))
            problems.append(_too_long(row, "name", NAME_MAX["counties"], COUNTIES.column("name").header))
        problems.append(_too_long(row, "short_name", 20, COUNTIES.column("short_name").header))
        order = None
        if row.get("sort_order"):
            try:
                order = int(row.get("sort_order"))
                if order < 0:
                    raise ValueError
            except ValueError:
                problems.append(_("“排序”应是不小于 0 的整数。"))
        problems = [p for p in problems if p]
        report = RowReport(sheet=row.sheet, row=row.number, label=name, fate=Fate.ERROR)
        plan.reports.append(report)
        if problems:
            report.messages = problems
            continue
        existing = counties.get(name)
        values = {}
        if row.has("short_name"):
            values["short_name"] = row.get("short_name")
        if order is not None:
            values["sort_order"] = order
        if existing is None:
            report.fate = Fate.NEW
            plan.actions.new_counties.append({"name": name, **values})
            continue
        changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
        labels = {"short_name": _("简称"), "sort_order": _("排序")}
        report.messages = [_change_text(labels[k], getattr(existing, k), v) for k, v in changed.items()]
        report.fate = Fate.CHANGED if changed else Fate.UNCHANGED
        if changed:
            plan.actions.changed_counties.append((existing.pk, changed))


def _unknown_county(name: str) -> str:
    return _("没有名为“%(name)s”的县（市、区）：请先在“县（市、区）”表中填写它，或核对名称。") % {
        "name": name
    }


def _check_towns(plan: Plan, rows: list[Row], counties: dict, file_counties: set, towns: set) -> None:
    seen: dict = {}
    for row in rows:
        problems = list(row.problems)
        county, name = row.get("county"), row.get("name")
        if not county:
            problems.append(_("没有填写所属县（市、区）。"))
        elif county not in counties and county not in file_counties:
            problems.append(_unknown_county(county))
        if not name:
            problems.append(_("没有填写名称。"))
        else:
            problems.append(_too_long(row, "name", NAME_MAX["towns"], TOWNS.column("name").header))
            if county:
                problems.append(_duplicate(seen, (county, name), row))
        problems = [p for p in problems if p]
        report = RowReport(sheet=row.sheet, row=row.number, label=f"{county} {name}".strip(), fate=Fate.ERROR)
        plan.reports.append(report)
        if problems:
            report.messages = problems
        elif (county, name) in towns:
            report.fate = Fate.UNCHANGED
        else:
            report.fate = Fate.NEW
            plan.actions.new_towns.append((county, name))


def _check_organizations(
    plan: Plan,
    rows: list[Row],
    counties: dict,
    file_counties: set,
    towns: set,
    file_towns: set,
    organizations: dict,
    final_organizations: dict,
    children: dict,
) -> None:
    seen: dict = {}
    header = {c.key: c.header for c in ORGANIZATIONS.columns}
    file_names = {row.get("name") for row in rows}
    for row in rows:
        problems = list(row.problems)
        name, county, town, parent = row.get("name"), row.get("county"), row.get("town"), row.get("parent")
        kind = KIND_NAMES.get(row.get("kind").lower())
        if not name:
            problems.append(_("没有填写名称。"))
        else:
            problems.append(_duplicate(seen, name, row))
        if not row.get("kind"):
            problems.append(_("没有填写类型。"))
        elif kind is None:
            problems.append(_("类型“%(kind)s”无法识别：请填“中心”“所”或“站”。") % {"kind": row.get("kind")})
        if not county:
            problems.append(_("没有填写所属县（市、区）。"))
        elif county not in counties and county not in file_counties:
            problems.append(_unknown_county(county))
        if town and county and (county, town) not in towns and (county, town) not in file_towns:
            problems.append(
                _(
                    "“%(county)s”没有名为“%(town)s”的乡镇（街道）：请先在“乡镇（街道）”表中填写它，或核对名称。"
                )
                % {"county": county, "town": town}
            )
        if not row.has("parent") and name in organizations:
            parent = organizations[name]["parent__name"] or ""  # kept: it must still fit
        # Children in the file are checked on their own rows; these are the ones it leaves behind.
        elsewhere = sorted(
            c
            for c in children.get(name, ())
            if county and c not in file_names and final_organizations[c][1] != county
        )
        if elsewhere:
            problems.append(
                _("下级阵地%(children)s不在“%(county)s”：上级阵地须与下级在同一县（市、区），请一并修改。")
                % {"children": "、".join(f"“{c}”" for c in elsewhere[:5]), "county": county}
            )
        if parent:
            parent_kind, parent_county = final_organizations.get(parent, (None, None))
            if parent == name:
                problems.append(_("上级阵地不能是它自己。"))
            elif parent not in final_organizations:
                problems.append(
                    _("没有名为“%(parent)s”的上级阵地：请在本表中填写它，或核对名称。") % {"parent": parent}
                )
            elif county and parent_county != county:
                problems.append(
                    _(
                        "上级阵地“%(parent)s”属于“%(other)s”，与本行的“%(county)s”不同：上级阵地须在同一县（市、区）。"
                    )
                    % {"parent": parent, "other": parent_county, "county": county}
                )
            elif kind is not None and parent_kind not in PARENT_KINDS[kind]:
                problems.append(
                    _(
                        "“%(kind)s”的上级阵地不能是“%(parent_kind)s”（%(parent)s）：所的上级是中心，站的上级是所或中心。"
                    )
                    % {
                        "kind": KIND_SHORT[kind],
                        "parent_kind": KIND_SHORT.get(parent_kind, "?"),
                        "parent": parent,
                    }
                )
        problems.append(_too_long(row, "name", NAME_MAX["organizations"], header["name"]))
        for key, limit in FIELD_MAX.items():
            problems.append(_too_long(row, key, limit, header[key]))
        phone = row.get("contact_phone")
        if phone:
            normalized = normalize_phone(phone, landline=True)
            if normalized is None:
                problems.append(
                    _(
                        "联系电话“%(phone)s”不是有效的号码："
                        "请填写 11 位手机号码或带区号的固定电话（如 0355-1234567）。"
                    )
                    % {"phone": phone}
                )
            phone = normalized or ""
        problems = [p for p in problems if p]
        report = RowReport(sheet=row.sheet, row=row.number, label=name, fate=Fate.ERROR)
        plan.reports.append(report)
        if problems:
            report.messages = problems
            continue
        values = {"kind": kind, "county": county, "town": town or None, "parent": parent or None}
        if row.has("town") is False:
            values.pop("town")
        if row.has("parent") is False:
            values.pop("parent")
        for key in ("short_name", "address", "contact_name"):
            if row.has(key):
                values[key] = row.get(key)
        if row.has("contact_phone"):
            values["contact_phone"] = phone
        existing = organizations.get(name)
        if existing is None:
            report.fate = Fate.NEW
            plan.actions.new_organizations.append({"name": name, **values})
            continue
        stored = {
            "kind": existing["kind"],
            "county": existing["county__name"],
            "town": existing["town__name"],
            "parent": existing["parent__name"],
            "short_name": existing["short_name"],
            "address": existing["address"],
            "contact_name": existing["contact_name"],
            "contact_phone": existing["contact_phone"],
        }
        if "town" not in values and county != stored["county"] and stored["town"]:
            values["town"] = None  # its town stays behind in the other county
        changed = {k: v for k, v in values.items() if stored[k] != v}
        report.messages = [
            _change_text(
                header[k],
                KIND_SHORT.get(stored[k], stored[k]) if k == "kind" else stored[k],
                KIND_SHORT.get(v, v) if k == "kind" else v,
            )
            for k, v in changed.items()
        ]
        if not existing["confirmed"]:
            # A station a team named (competition.stations): the office's list confirms it.
            changed["confirmed"] = True
            report.messages.append(_("团队提出的阵地，导入后即确认。"))
        report.fate = Fate.CHANGED if changed else Fate.UNCHANGED
        if changed:
            plan.actions.changed_organizations.append((existing["pk"], changed))


def places_import(*, upload, confirmed: str | None = None) -> Plan:
    """Check the file again and write every row or none (one transaction). Returns the plan:
    ``applied`` when written; with errors nothing is written. With ``confirmed`` (the digest of
    the plan the organizer saw) a plan that has changed since raises PlanChanged."""
    try:
        with transaction.atomic():
            plan = places_check(upload=upload)
            refuse_if_changed(plan, confirmed)
            if not plan.ok:
                return plan
            _apply(plan.actions)
            plan.applied = True
            # The picker's cached county and town lists: bulk writes send no signals.
            transaction.on_commit(forget_places)
    except IntegrityError:
        raise OnboardingError(
            _("导入时数据有了变化（有人同时修改了同名的地点）：请重新检查后再导入。")
        ) from None
    return plan


def _apply(actions: PlacesActions) -> None:
    County.objects.bulk_create([County(**values) for values in actions.new_counties])
    for pk, changed in actions.changed_counties:  # a few dozen at most
        County.objects.filter(pk=pk).update(**changed)
    county_ids = dict(County.objects.values_list("name", "pk"))
    Town.objects.bulk_create(
        [
            Town(county_id=county_ids[county], name=name, sort_key=keys[0], search_key=keys[1])
            for county, name in actions.new_towns
            for keys in [pinyin_keys(name)]
        ],
        batch_size=500,
    )
    if not actions.new_organizations and not actions.changed_organizations:
        return
    town_ids = {(c, n): pk for pk, c, n in Town.objects.values_list("pk", "county__name", "name")}

    def fill(organization: Organization, values: dict) -> set[str]:
        """Sets the fields of ``values`` except the parent (set once all exist)."""
        fields = set()
        for key, value in values.items():
            if key == "county":
                organization.county_id = county_ids[value]
                fields.add("county")
            elif key == "town":
                county = values.get("county") or organization._county_name
                organization.town_id = town_ids[(county, value)] if value else None
                fields.add("town")
            elif key != "parent":
                setattr(organization, key, value)
                fields.add(key)
        return fields

    # Level by level (centers, institutes, stations), so that every new organization's parent
    # exists when it is inserted: one bulk insert per level, no update of the new rows after.
    ids = dict(Organization.objects.values_list("name", "pk"))
    for kind in (Organization.Kind.CENTER, Organization.Kind.INSTITUTE, Organization.Kind.STATION):
        level = []
        for values in actions.new_organizations:
            if values["kind"] != kind:
                continue
            sort_key, search_key = pinyin_keys(values["name"])
            organization = Organization(
                name=values["name"],
                sort_key=sort_key,
                search_key=search_key,
                parent_id=ids[values["parent"]] if values.get("parent") else None,
            )
            fill(organization, {k: v for k, v in values.items() if k != "name"})
            level.append(organization)
        created = Organization.objects.bulk_create(level, batch_size=500)
        if any(o.pk is None for o in created):  # a database that does not return new keys
            ids = dict(Organization.objects.values_list("name", "pk"))
        else:
            ids.update((o.name, o.pk) for o in created)
    counties_of = dict(
        Organization.objects.filter(pk__in=[pk for pk, _c in actions.changed_organizations]).values_list(
            "pk", "county__name"
        )
    )
    by_fields: dict[tuple, list] = {}
    for pk, changed in actions.changed_organizations:
        organization = Organization(pk=pk)
        organization._county_name = counties_of[pk]
        fields = fill(organization, changed)
        if "parent" in changed:
            organization.parent_id = ids[changed["parent"]] if changed["parent"] else None
            fields.add("parent")
        by_fields.setdefault(tuple(sorted(fields)), []).append(organization)
    for fields, objects in by_fields.items():
        if objects and fields:
            Organization.objects.bulk_update(objects, list(fields), batch_size=500)
