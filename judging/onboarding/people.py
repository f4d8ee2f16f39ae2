"""People from a spreadsheet: judges (each gets an invitation by e-mail) and county coordinators
(each gets an account without a usable password and an e-mail with a link to set one).

One file per kind, one sheet each (评委 / 县区管理员). As with places, ``*_check`` says each
row's fate without writing; ``*_import`` checks again and writes every row or none in one
transaction, the e-mails leaving when it commits. A person is known by their e-mail address:
importing the same file again changes nothing and sends nothing.

It lives in judging because it needs both apps: judges and their invitations are judging's,
counties, organizations and coordinators competition's.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import ORGANIZERS, SUPERVISORS
from competition.models import Category, Coordinator, County, Organization
from competition.onboarding.workbook import (
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
from competition.roles import sync_coordinator_group
from judging.judges.services import invitation_link, judge_invitation_resend, judge_invite
from judging.models import Judge, JudgeInvitation

JUDGES = SheetSpec(
    "judges",
    gettext_lazy("评委"),
    (
        Column("name", gettext_lazy("姓名"), gettext_lazy("评委的姓名。"), "王老师", True),
        Column(
            "email",
            gettext_lazy("电子邮箱"),
            gettext_lazy("邀请发到这个邮箱；每位评委一个，不能重复。再次导入时按邮箱找到同一位评委。"),
            "wang@example.org",
            True,
        ),
        Column("title", gettext_lazy("职务或职称"), gettext_lazy("可不填。"), "副教授"),
        Column(
            "expertise",
            gettext_lazy("擅长领域"),
            gettext_lazy("项目类别的名称，多个用顿号（、）或逗号分隔；可不填。"),
            "助学支教、法律服务",
        ),
        Column(
            "county",
            gettext_lazy("所在县（市、区）"),
            gettext_lazy("同一县（市、区）的项目自动回避；填了所在单位时可不填。"),
            "潞州区",
        ),
        Column(
            "organization",
            gettext_lazy("所在单位"),
            gettext_lazy("已有的文明实践阵地的全称，同一单位的项目自动回避；可不填。"),
            "",
        ),
        Column("phone", gettext_lazy("手机号码"), gettext_lazy("11 位手机号码；可不填。"), "13812341234"),
    ),
)
COORDINATORS_SPEC = SheetSpec(
    "coordinators",
    gettext_lazy("县区管理员"),
    (
        Column(
            "county",
            gettext_lazy("县（市、区）"),
            gettext_lazy("负责的县（市、区），须已存在。"),
            "潞州区",
            True,
        ),
        Column("name", gettext_lazy("姓名"), gettext_lazy("县区管理员的姓名。"), "李强", True),
        Column(
            "email",
            gettext_lazy("电子邮箱"),
            gettext_lazy("设置密码的链接发到这个邮箱，也是登录用户名；不能重复。"),
            "li@example.org",
            True,
        ),
        Column("phone", gettext_lazy("手机号码"), gettext_lazy("11 位手机号码；可不填。"), "13812341234"),
    ),
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def judges_template() -> bytes:
    return template_workbook(
        [JUDGES],
        intro=[
            _("评委导入模板：每行一位评委，导入后系统向其邮箱发送评委邀请（注册链接）。"),
            _("第 1 行是列名，请不要修改。电子邮箱不能重复；再次导入同一文件不会重复发送邀请。"),
            _("有任何一行不符合要求时整个文件都不会导入。单元格中请直接填写文字，不要使用公式。"),
        ],
    )


def coordinators_template() -> bytes:
    return template_workbook(
        [COORDINATORS_SPEC],
        intro=[
            _(
                "县区管理员导入模板：每行一位县区管理员，导入后系统为其建立账号，并向其邮箱发送设置密码的链接。"
            ),
            _("第 1 行是列名，请不要修改。县（市、区）须已存在（可先导入文明实践阵地模板）。"),
            _("有任何一行不符合要求时整个文件都不会导入。单元格中请直接填写文字，不要使用公式。"),
        ],
    )


def _email(row: Row, problems: list[str], seen: dict) -> str:
    email = row.get("email").lower()
    if not email:
        problems.append(_("没有填写电子邮箱。"))
    elif not EMAIL.match(email) or len(email) > 254:
        problems.append(_("电子邮箱“%(email)s”格式不对。") % {"email": row.get("email")})
    elif email in seen:
        problems.append(_("电子邮箱与第 %(row)s 行重复。") % {"row": seen[email]})
    else:
        seen[email] = row.number
    return email


def _phone(row: Row, problems: list[str]) -> str:
    phone = row.get("phone")
    if not phone:
        return ""
    normalized = normalize_phone(phone)
    if normalized is None:
        problems.append(_("手机号码“%(phone)s”不是有效的 11 位手机号码。") % {"phone": phone})
        return ""
    return normalized


def _name(row: Row, problems: list[str]) -> str:
    name = row.get("name")
    if not name:
        problems.append(_("没有填写姓名。"))
    elif len(name) > 50:
        problems.append(_("姓名最多 50 字。"))
    return name


def _change(label, old, new) -> str:
    return _("%(field)s：%(old)s → %(new)s") % {"field": label, "old": old or "—", "new": new or "—"}


# --- Judges --------------------------------------------------------------------------------------


@dataclass
class JudgesActions:
    invite: list[dict] = field(default_factory=list)
    update_invitations: list[tuple[int, dict, bool]] = field(default_factory=list)  # pk, values, resend
    update_judges: list[tuple[int, dict]] = field(default_factory=list)


@dataclass
class Invited:
    name: str
    email: str
    link: str


def judges_check(*, upload) -> Plan:
    plan = Plan(actions=JudgesActions())
    rows = read_workbook(upload, [JUDGES], plan).get("judges", [])
    if plan.errors:
        return plan
    categories = {}
    for category in Category.objects.all():
        categories[category.name] = category.pk
        categories[category.code.lower()] = category.pk
    category_names = dict(Category.objects.values_list("pk", "name"))
    counties = dict(County.objects.values_list("name", "pk"))
    county_names = {pk: name for name, pk in counties.items()}
    wanted_organizations = {row.get("organization") for row in rows if row.get("organization")}
    organizations = {
        name: (pk, county_id)
        for name, pk, county_id in Organization.objects.filter(name__in=wanted_organizations).values_list(
            "name", "pk", "county_id"
        )
    }
    organization_names = {pk: name for name, (pk, _c) in organizations.items()}
    emails = {row.get("email").lower() for row in rows}
    judges = {}
    for judge in (
        Judge.objects.annotate(address=Lower("user__email"))
        .filter(address__in=emails)
        .select_related("organization")
        .prefetch_related("expertise")
    ):
        judges[judge.address] = judge
    invitations = {}
    for invitation in (
        JudgeInvitation.objects.annotate(address=Lower("email"))
        .filter(address__in=emails, accepted_at__isnull=True)
        .select_related("organization")
        .prefetch_related("expertise")
        .order_by("created_at", "pk")
    ):
        invitations[invitation.address] = invitation  # the latest one wins
    for current in [*judges.values(), *invitations.values()]:
        if current.organization is not None:
            organization_names[current.organization_id] = current.organization.name
    labels = {c.key: c.header for c in JUDGES.columns}
    now = timezone.now()
    seen: dict = {}
    for row in rows:
        problems = list(row.problems)
        name = _name(row, problems)
        email = _email(row, problems, seen)
        phone = _phone(row, problems)
        title = row.get("title")
        if len(title) > 100:
            problems.append(_("职务或职称最多 100 字。"))
        expertise = set()
        for part in LIST_SEPARATORS.split(row.get("expertise")):
            if not part:
                continue
            pk = categories.get(part) or categories.get(part.lower())
            if pk is None:
                problems.append(
                    _("没有名为“%(name)s”的项目类别；可填：%(names)s。")
                    % {"name": part, "names": "、".join(category_names.values())}
                )
            else:
                expertise.add(pk)
        county_id = organization_id = None
        if row.get("county"):
            county_id = counties.get(row.get("county"))
            if county_id is None:
                problems.append(_("没有名为“%(name)s”的县（市、区）。") % {"name": row.get("county")})
        if row.get("organization"):
            found = organizations.get(row.get("organization"))
            if found is None:
                problems.append(
                    _("没有名为“%(name)s”的文明实践阵地：请先导入它，或核对全称。")
                    % {"name": row.get("organization")}
                )
            else:
                organization_id = found[0]
                if county_id is not None and county_id != found[1]:
                    problems.append(
                        _("所在单位“%(organization)s”属于“%(other)s”，与所填的“%(county)s”不同。")
                        % {
                            "organization": row.get("organization"),
                            "other": county_names[found[1]],
                            "county": row.get("county"),
                        }
                    )
                county_id = found[1]
        report = RowReport(sheet=row.sheet, row=row.number, label=f"{name} <{email}>", fate=Fate.ERROR)
        plan.reports.append(report)
        if problems:
            report.messages = problems
            continue
        values = {
            "name": name,
            "title": title,
            "phone": phone,
            "county_id": county_id,
            "organization_id": organization_id,
            "expertise": expertise,
        }
        present = {"name", "expertise"} | {
            key for key, column in (("title", "title"), ("phone", "phone")) if row.has(column)
        }
        if row.has("county") or row.has("organization"):
            present |= {"county_id", "organization_id"}
        values = {k: v for k, v in values.items() if k in present}
        current = judges.get(email) or invitations.get(email)
        if current is None:
            report.fate = Fate.NEW
            plan.actions.invite.append({"email": email, **values})
            continue
        stored = {
            "name": current.name,
            "title": current.title,
            "phone": current.phone,
            "county_id": current.county_id,
            "organization_id": current.organization_id,
            "expertise": {c.pk for c in current.expertise.all()},
        }
        changed = {k: v for k, v in values.items() if stored[k] != v}
        shown = {
            "name": lambda v: v,
            "title": lambda v: v,
            "phone": lambda v: v,
            "county_id": lambda v: county_names.get(v, ""),
            "organization_id": lambda v: organization_names.get(v, ""),
            "expertise": lambda v: "、".join(sorted(category_names[pk] for pk in v)),
        }
        field_labels = {
            "name": labels["name"],
            "title": labels["title"],
            "phone": labels["phone"],
            "county_id": labels["county"],
            "organization_id": labels["organization"],
            "expertise": labels["expertise"],
        }
        report.messages = [
            _change(field_labels[k], shown[k](stored[k]), shown[k](v)) for k, v in changed.items()
        ]
        if isinstance(current, Judge):
            if changed:
                plan.actions.update_judges.append((current.pk, changed))
        else:
            expired = current.expires_at <= now
            if expired:
                report.messages.append(_("邀请已过期，将重新发送。"))
            if changed or expired:
                plan.actions.update_invitations.append((current.pk, changed, expired))
            changed = changed or expired
        report.fate = Fate.CHANGED if changed else Fate.UNCHANGED
    return plan


def judges_import(*, upload, by, confirmed: str | None = None) -> tuple[Plan, list[Invited]]:
    """Check again and write all or nothing; the invitations are e-mailed on commit. Returns
    the plan and each new or re-sent invitation's link (shown once: only hashes are kept)."""
    invited: list[Invited] = []
    with transaction.atomic():
        plan = judges_check(upload=upload)
        refuse_if_changed(plan, confirmed)
        if not plan.ok:
            return plan, []
        actions: JudgesActions = plan.actions
        for values in actions.invite:
            values = dict(values)
            expertise = values.pop("expertise", set())
            invitation, token = judge_invite(
                email=values.pop("email"),
                name=values.pop("name"),
                by=by,
                expertise=expertise,
                county=County(pk=values["county_id"]) if values.get("county_id") else None,
                organization=Organization(pk=values["organization_id"])
                if values.get("organization_id")
                else None,
                title=values.get("title", ""),
                phone=values.get("phone", ""),
            )
            invited.append(Invited(invitation.name, invitation.email, invitation_link(token)))
        for pk, changed, resend in actions.update_invitations:
            invitation = JudgeInvitation.objects.get(pk=pk)
            _set(invitation, changed)
            if resend:
                invitation, token = judge_invitation_resend(invitation=invitation, by=by)
                invited.append(Invited(invitation.name, invitation.email, invitation_link(token)))
        for pk, changed in actions.update_judges:
            _set(Judge.objects.get(pk=pk), changed)
        plan.applied = True
    return plan, invited


def _set(instance, changed: dict) -> None:
    changed = dict(changed)
    expertise = changed.pop("expertise", None)
    for key, value in changed.items():
        setattr(instance, key, value)
    if changed:
        instance.save(update_fields=[key.removesuffix("_id") for key in changed])
    if expertise is not None:
        instance.expertise.set(expertise)


# --- Coordinators --------------------------------------------------------------------------------


@dataclass
class CoordinatorsActions:
    create: list[dict] = field(default_factory=list)  # new accounts
    appoint: list[tuple[int, dict]] = field(default_factory=list)  # existing accounts, newly coordinators
    update: list[tuple[int, dict]] = field(default_factory=list)  # coordinator pk, changes


def coordinators_check(*, upload) -> Plan:
    plan = Plan(actions=CoordinatorsActions())
    rows = read_workbook(upload, [COORDINATORS_SPEC], plan).get("coordinators", [])
    if plan.errors:
        return plan
    User = get_user_model()
    counties = dict(County.objects.values_list("name", "pk"))
    county_names = {pk: name for name, pk in counties.items()}
    emails = {row.get("email").lower() for row in rows}
    users: dict[str, list] = {}
    for user in (
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=emails)
        .select_related("coordinator", "judge", "team")
        .prefetch_related("groups")
    ):
        users.setdefault(user.address, []).append(user)
    taken_usernames = set(
        User.objects.annotate(login=Lower("username"))
        .filter(login__in=emails)
        .values_list("login", flat=True)
    )
    labels = {c.key: c.header for c in COORDINATORS_SPEC.columns}
    seen: dict = {}
    for row in rows:
        problems = list(row.problems)
        name = _name(row, problems)
        email = _email(row, problems, seen)
        phone = _phone(row, problems)
        county_id = None
        if not row.get("county"):
            problems.append(_("没有填写县（市、区）。"))
        else:
            county_id = counties.get(row.get("county"))
            if county_id is None:
                problems.append(
                    _("没有名为“%(name)s”的县（市、区）：请先导入文明实践阵地模板，或核对名称。")
                    % {"name": row.get("county")}
                )
        accounts = users.get(email, [])
        account = accounts[0] if len(accounts) == 1 else None
        if len(accounts) > 1:
            problems.append(_("有多个账号使用电子邮箱“%(email)s”，无法确定是哪一个。") % {"email": email})
        elif account is not None and not hasattr(account, "coordinator"):
            groups = {g.name for g in account.groups.all()}
            if account.is_superuser or groups & {ORGANIZERS, SUPERVISORS}:
                problems.append(
                    _("电子邮箱“%(email)s”属于组委会或监委的账号，不能设为县区管理员。") % {"email": email}
                )
            elif hasattr(account, "team"):
                problems.append(
                    _("电子邮箱“%(email)s”属于参赛团队的账号，不能设为县区管理员。") % {"email": email}
                )
            elif hasattr(account, "judge"):
                problems.append(
                    _("电子邮箱“%(email)s”属于评委的账号，不能设为县区管理员。") % {"email": email}
                )
        elif account is None and email in taken_usernames:
            problems.append(_("用户名“%(email)s”已被另一个账号使用。") % {"email": email})
        report = RowReport(
            sheet=row.sheet, row=row.number, label=f"{row.get('county')} {name} <{email}>", fate=Fate.ERROR
        )
        plan.reports.append(report)
        if problems:
            report.messages = problems
            continue
        values = {"county_id": county_id, "name": name}
        if row.has("phone"):
            values["phone"] = phone
        if account is None:
            report.fate = Fate.NEW
            plan.actions.create.append({"email": email, **values})
            continue
        coordinator = getattr(account, "coordinator", None)
        if coordinator is None:
            report.fate = Fate.NEW
            report.messages = [
                _("已有账号 %(username)s，设为县区管理员。") % {"username": account.get_username()}
            ]
            plan.actions.appoint.append((account.pk, values))
            continue
        stored = {"county_id": coordinator.county_id, "name": account.first_name, "phone": coordinator.phone}
        changed = {k: v for k, v in values.items() if stored[k] != v}
        field_labels = {"county_id": labels["county"], "name": labels["name"], "phone": labels["phone"]}
        shown = {"county_id": county_names.get}
        report.messages = [
            _change(field_labels[k], shown.get(k, str)(stored[k]), shown.get(k, str)(v))
            for k, v in changed.items()
        ]
        report.fate = Fate.CHANGED if changed else Fate.UNCHANGED
        if changed:
            plan.actions.update.append((coordinator.pk, changed))
    return plan


def coordinators_import(*, upload, confirmed: str | None = None) -> Plan:
    """Check again and write all or nothing; new coordinators are e-mailed a link to set their
    password when the transaction commits."""
    from judging.onboarding.tasks import send_coordinator_welcome

    User = get_user_model()
    try:
        with transaction.atomic():
            plan = coordinators_check(upload=upload)
            refuse_if_changed(plan, confirmed)
            if not plan.ok:
                return plan
            actions: CoordinatorsActions = plan.actions
            welcome = []
            for values in actions.create:
                user = User.objects.create_user(
                    username=values["email"], email=values["email"], password=None, first_name=values["name"]
                )
                Coordinator.objects.create(
                    user=user, county_id=values["county_id"], phone=values.get("phone", "")
                )
                sync_coordinator_group(user)
                welcome.append(user.pk)
            for user_pk, values in actions.appoint:
                user = User.objects.get(pk=user_pk)
                if user.first_name != values["name"]:
                    user.first_name = values["name"]
                    user.save(update_fields=["first_name"])
                Coordinator.objects.create(
                    user=user, county_id=values["county_id"], phone=values.get("phone", "")
                )
                sync_coordinator_group(user)
                welcome.append(user.pk)
            for pk, changed in actions.update:
                coordinator = Coordinator.objects.select_related("user").get(pk=pk)
                if "name" in changed:
                    coordinator.user.first_name = changed["name"]
                    coordinator.user.save(update_fields=["first_name"])
                fields = [key for key in ("county_id", "phone") if key in changed]
                for key in fields:
                    setattr(coordinator, key, changed[key])
                if fields:
                    coordinator.save(update_fields=[key.removesuffix("_id") for key in fields])
            plan.applied = True
            transaction.on_commit(lambda: [send_coordinator_welcome.enqueue(pk) for pk in welcome])
    except IntegrityError:
        raise OnboardingError(
            _("导入时数据有了变化（有人同时建立了同名的账号）：请重新检查后再导入。")
        ) from None
    return plan
