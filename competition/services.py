"""Writes: every change to teams and entries goes through these functions.

They enforce the promises of DESIGN §4 that belong to submission: the deadline (server time),
atomic saves of rows and files together, no silent overwrite between concurrent saves, and a
history entry for every change.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import is_organizer
from common.renditions import delete_renditions
from common.storage import private_storage, random_file_name
from competition.models import TeamEvent

from . import extensions, messages, phases, rules, selectors
from .errors import (
    ContestError,
    DeadlinePassed,
    DuplicatePhoto,
    EditConflict,
    EntryError,
    EntryIncomplete,
    EntryLimitReached,
    EntryNotEditable,
    TeamError,
)
from .models import (
    Contest,
    County,
    CountyQuota,
    Entry,
    EntryAttachment,
    EntryEvent,
    EntryPhoto,
    Organization,
    Team,
    TeamMember,
)
from .stations.services import StationProposal, station_propose
from .uploads import CleanPdf, CleanPhoto, duplicate_photos
from .years import shift_years

User = get_user_model()

# The text and figure fields a team writes, in form order.
ENTRY_TEXT_FIELDS = ("title", "summary", "need", "approach", "innovation", "outcomes")
ENTRY_FIGURE_FIELDS = ("volunteers", "beneficiaries", "service_hours", "activities", "started_on")
ENTRY_FIELDS = ("category", *ENTRY_TEXT_FIELDS, *ENTRY_FIGURE_FIELDS, "consent_publish", "consent_guardians")
PHOTOS_MAX = 9
PDFS_MAX = 3


@dataclass
class EntryFileChanges:
    """What a save does to the entry's files (already validated and cleaned)."""

    new_photos: list[tuple[CleanPhoto, str]] = field(default_factory=list)
    new_attachments: list[tuple[CleanPdf, str]] = field(default_factory=list)
    photo_captions: dict[str, str] = field(default_factory=dict)  # public_id -> caption
    delete_photos: set[str] = field(default_factory=set)
    delete_attachments: set[str] = field(default_factory=set)


# --- Teams -----------------------------------------------------------------------------------


def _station(organization: Organization | StationProposal, *, by) -> Organization:
    if isinstance(organization, StationProposal):
        return station_propose(proposal=organization, by=by)
    return organization


def team_register(
    *,
    username: str,
    password: str,
    email: str,
    phone: str,
    team_name: str,
    organization: Organization | StationProposal,
    contact_name: str,
    active: bool = True,
) -> Team:
    """A team and its account. A station the team named (a StationProposal) becomes an
    unconfirmed organization in the same transaction."""
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password, is_active=active)
        organization = _station(organization, by=user)
        return Team.objects.create(
            user=user,
            name=team_name,
            organization=organization,
            contact_name=contact_name,
            contact_phone=phone,
        )


def team_signup(
    *,
    username: str,
    password: str,
    email: str,
    phone: str,
    team_name: str,
    organization: Organization | StationProposal,
    contact_name: str,
) -> Team | None:
    """A team's sign-up, which tells the person at the keyboard nothing about whether the
    e-mail address is registered already; the e-mail, sent by the task queue, says what
    happened. A new address gets an account and team, inactive until the link in the e-mail is
    opened (``accounts.urls.signup_confirm``). An address with an active account gets a note
    that someone tried to register with it (log in, or reset the password); one whose
    account was never confirmed gets the confirmation link again. Returns the new team, or
    None when nothing was created."""
    from accounts.tasks import send_signup_confirmation, send_signup_known_address

    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        make_password(password)  # the same work as a new account: no answer-time difference
        mail = send_signup_known_address if existing.is_active else send_signup_confirmation
        mail.enqueue(existing.pk, translation.get_language())
        return None
    with transaction.atomic():
        team = team_register(
            username=username,
            password=password,
            email=email,
            phone=phone,
            team_name=team_name,
            organization=organization,
            contact_name=contact_name,
            active=False,
        )
    # Queued once the account is committed (requests run in autocommit: the block above is it).
    send_signup_confirmation.enqueue(team.user_id, translation.get_language())
    return team


def team_update(
    *,
    team: Team,
    name: str,
    organization: Organization | StationProposal,
    contact_name: str,
    contact_phone: str,
    members: list[tuple[str, str]],
) -> Team:
    """Replace the profile and the member list in one transaction. The team's name and
    organization stay as they are once an eligibility decision was made on one of its entries
    (``competition.phases.team_can_change_identity``)."""
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        organization = _station(organization, by=team.user)
        if (name != team.name or organization.pk != team.organization_id) and not (
            phases.team_can_change_identity(team)
        ):
            raise TeamError(
                _(
                    "资格审查已经开始，团队名称和所属文明实践阵地不能再由团队修改；"
                    "如确需更正，请联系组委会。其他内容没有保存，请在下方核对后重新保存。"
                )
            )
        previous_id = team.organization_id
        team.name = name
        team.organization = organization
        team.contact_name = contact_name
        team.contact_phone = contact_phone
        team.save()
        team.members.all().delete()
        TeamMember.objects.bulk_create(
            TeamMember(team=team, name=member_name, role=role, sort_order=i)
            for i, (member_name, role) in enumerate(members)
        )
        if previous_id != organization.pk:
            # A station the team named and then left, before anyone confirmed it: nobody's.
            Organization.objects.filter(pk=previous_id, confirmed=False, teams__isnull=True).delete()
    return team


def team_change_identity(*, team: Team, name: str, organization: Organization, reason: str, by) -> Team:
    """An organizer corrects a team's name or organization (and with it its county) after the
    team may no longer do so itself, for a recorded reason; the change is logged."""
    reason = (reason or "").strip()
    if not reason:
        raise TeamError(_("修改团队名称或所属阵地时，请填写修改原因（记入团队记录）。"))
    with transaction.atomic():
        current = Team.objects.select_for_update().select_related("organization__county").get(pk=team.pk)
        before = {
            "name": current.name,
            "organization": current.organization.name,
            "county": current.organization.county.name,
        }
        current.name = name
        current.organization = organization
        current.save(update_fields=["name", "organization", "sort_key"])
        after = {"name": name, "organization": organization.name, "county": organization.county.name}
        if before != after:
            TeamEvent.objects.create(
                team=current, kind=TeamEvent.Kind.IDENTITY, actor=by, before=before, after=after, note=reason
            )
    return current


# --- Contests ----------------------------------------------------------------------------------


def contest_enter_stage(*, contest: Contest, phase: phases.ContestPhase, now=None) -> Contest:
    """Record that the contest moved on (a round opened or closed, the notice, finalization).
    Called inside the caller's transaction by the app that makes it happen."""
    with transaction.atomic():
        current = Contest.objects.select_for_update().get(pk=contest.pk)
        here = phases.contest_phase(current, now=now)
        if here is phase:
            return current
        if not phases.may_enter(here, phase):
            raise ContestError(
                _("大赛当前处于“%(here)s”阶段，不能进入“%(there)s”阶段。")
                % {"here": here.label, "there": phase.label}
            )
        current.stage = phases.stage_for(phase)
        current.save(update_fields=["stage"])
    contest.stage = current.stage
    return current


# --- Entries ---------------------------------------------------------------------------------


def entry_missing_parts(entry: Entry, *, photo_count: int) -> list[str]:
    """What a submission still lacks, as messages; empty when the entry is complete."""
    problems = []
    labels = {f.name: f.verbose_name for f in Entry._meta.get_fields() if hasattr(f, "verbose_name")}
    if entry.category_id is None:
        problems.append(_("请选择项目类别。"))
    elif not entry.contest.categories.filter(pk=entry.category_id).exists():
        problems.append(_("所选项目类别不在本届大赛范围内。"))
    for name in ENTRY_TEXT_FIELDS:
        if not (getattr(entry, name) or "").strip():
            problems.append(_("请填写“%(field)s”。") % {"field": labels[name]})
    for name in ENTRY_FIGURE_FIELDS:
        if getattr(entry, name) is None:
            problems.append(_("请填写“%(field)s”。") % {"field": labels[name]})
    if photo_count < 1:
        problems.append(_("请至少上传 1 张项目照片。"))
    if not entry.consent_publish:
        problems.append(_("提交前请确认同意在项目入选后公开项目文字和照片。"))
    if not entry.consent_guardians:
        problems.append(_("提交前请确认照片中如有未成年人，已取得其监护人同意。"))
    return problems


def _audit_value(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _check_open(contest: Contest, now) -> None:
    """Teams change entries only while the contest's phase allows it (the submission window,
    in server time, and never once judging has begun). Asked of the stored contest, not of a
    copy a caller may have held since before the contest moved on."""
    contest = Contest.objects.get(pk=contest.pk)
    phase = phases.contest_phase(contest, now=now)
    if phase.can_submit:
        return
    if phase is phases.DRAFT:
        raise DeadlinePassed(_("本届大赛尚未开始申报。"))
    if now < contest.submission_closes:
        raise DeadlinePassed(
            _("本届大赛已进入“%(phase)s”阶段，参赛项目不能再修改；已保存的内容不受影响。")
            % {"phase": phase.label}
        )
    closes = timezone.localtime(contest.submission_closes)
    raise DeadlinePassed(
        _("申报已于 %(time)s（北京时间）截止，本次修改未能保存；已保存的内容不受影响。")
        % {"time": closes.strftime("%Y-%m-%d %H:%M")}
    )


def entry_create(
    *,
    team: Team,
    contest: Contest,
    data: dict,
    files: EntryFileChanges,
    creation_token: uuid.UUID | None,
    submit: bool,
    by,
    now=None,
) -> Entry:
    """Create a draft (or submit at once). The same ``creation_token`` never makes two entries."""
    now = now or timezone.now()
    _check_open(contest, now)
    if creation_token:
        existing = Entry.objects.filter(creation_token=creation_token, team=team).first()
        if existing:
            return existing
    try:
        with _files_saved_with_rows() as written, transaction.atomic():
            Team.objects.select_for_update().filter(pk=team.pk).first()  # one create at a time
            active = Entry.objects.filter(team=team, contest=contest).exclude(status=Entry.Status.WITHDRAWN)
            if active.count() >= contest.max_entries_per_team:
                raise EntryLimitReached(
                    _("每个团队在本届大赛最多申报 %(n)s 个项目，您已达到上限。")
                    % {"n": contest.max_entries_per_team}
                )
            entry = Entry(team=team, contest=contest, creation_token=creation_token)
            for name in ENTRY_FIELDS:
                if name in data:
                    setattr(entry, name, data[name])
            entry.created_at = entry.updated_at = now
            entry.save()
            _apply_file_changes(entry, files, written)
            EntryEvent.objects.create(entry=entry, kind=EntryEvent.Kind.CREATED, actor=by, at=now)
            problems = _submit(entry, by=by, now=now) if submit else []
    except IntegrityError:
        # A concurrent request with the same token won the race: show its entry.
        if creation_token:
            existing = Entry.objects.filter(creation_token=creation_token, team=team).first()
            if existing:
                return existing
            if Entry.objects.filter(creation_token=creation_token).exists():
                # Another team's token (a forged form): refuse without saying whose it is.
                raise EntryError(
                    _(
                        "这份表单已失效，本次内容没有保存。请重新打开“新建参赛项目”页面填写（可先复制下方您填写的内容）。"
                    )
                ) from None
        raise
    if problems:
        # Nothing is lost: the draft is kept, the team learns what is missing.
        raise EntryIncomplete(_("已保存为草稿，但还不能提交："), problems, entry=entry)
    return entry


def entry_update(
    *,
    entry: Entry,
    data: dict,
    files: EntryFileChanges,
    expected_version: int,
    submit: bool,
    by,
    save_token: uuid.UUID | None = None,
    now=None,
) -> Entry:
    """Save a team's edit. Refused after the deadline and when someone saved in between.

    ``save_token`` names this save (one per form shown): the same save posted again, because
    its answer never reached a phone that lost its connection, changes nothing and answers as
    the first did, instead of reporting a clash with itself or adding its photos twice."""
    now = now or timezone.now()
    _check_open(entry.contest, now)
    with _files_saved_with_rows() as written, transaction.atomic():
        current = Entry.objects.select_for_update().select_related("contest").get(pk=entry.pk)
        if save_token and current.last_save_token == save_token:
            return current
        if current.status == Entry.Status.WITHDRAWN:
            raise EntryNotEditable(_("该项目已撤回。如需继续申报，请先恢复为草稿。"))
        if current.version != expected_version:
            raise EditConflict(
                _(
                    "这个项目已在其他窗口或设备上保存过（%(time)s），为避免覆盖对方的修改，"
                    "本次内容没有保存。您填写的内容仍在下方，请核对后再次保存。"
                )
                % {"time": timezone.localtime(current.updated_at).strftime("%H:%M:%S")},
                version=current.version,
            )
        changes = {}
        for name in ENTRY_FIELDS:
            if name not in data:
                continue
            attr = "category_id" if name == "category" else name
            before = getattr(current, attr)
            after = data[name].pk if name == "category" and data[name] else data[name]
            if before != after:
                changes[name] = [_audit_value(before), _audit_value(after)]
                setattr(current, attr, after)
        changes.update(_apply_file_changes(current, files, written))
        if changes and current.eligibility != Entry.Eligibility.PENDING:
            # The decision was about what the entry said then: it is checked again.
            changes["eligibility"] = [current.eligibility, Entry.Eligibility.PENDING]
            current.eligibility = Entry.Eligibility.PENDING
            current.eligibility_reason = ""
            current.eligibility_decided_by = None
            current.eligibility_decided_at = None
            if current.recommended:
                changes["recommended"] = [True, False]
                current.recommended = False
        current.version += 1
        current.updated_at = now
        current.last_save_token = save_token
        current.save()
        EntryEvent.objects.create(
            entry=current, kind=EntryEvent.Kind.SAVED, actor=by, at=now, changes=changes
        )
        problems = []
        if current.status == Entry.Status.SUBMITTED:
            # A submitted entry must stay complete through later edits: refuse, keep the text.
            problems = entry_missing_parts(current, photo_count=current.photos.count())
            if problems:
                raise EntryIncomplete(_("已提交的项目必须保持完整，本次修改未保存："), problems)
        elif submit:
            problems = _submit(current, by=by, now=now)
    if problems:
        raise EntryIncomplete(_("已保存为草稿，但还不能提交："), problems, entry=current)
    return current


def _submit(entry: Entry, *, by, now) -> list[str]:
    """Submit a complete entry; return what is missing (and change nothing) otherwise."""
    problems = entry_missing_parts(entry, photo_count=entry.photos.count())
    if problems:
        return problems
    if entry.status != Entry.Status.SUBMITTED:
        entry.status = Entry.Status.SUBMITTED
        entry.submitted_at = entry.submitted_at or now  # the first submission counts for ties
        entry.save(update_fields=["status", "submitted_at"])
        EntryEvent.objects.create(entry=entry, kind=EntryEvent.Kind.SUBMITTED, actor=by, at=now)
    return []


class _files_saved_with_rows:
    """Files written inside the block are deleted again if the block fails.

    Together with ``transaction.atomic`` this saves rows and files together or not at all.
    """

    def __enter__(self):
        self.written: list[str] = []
        return self.written

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            storage = private_storage()
            for name in self.written:
                storage.delete(name)
        return False


def _apply_file_changes(entry: Entry, files: EntryFileChanges, written: list[str]) -> dict:
    storage = private_storage()
    changes = {}
    photos = {str(p.public_id): p for p in entry.photos.all()}
    attachments = {str(a.public_id): a for a in entry.attachments.all()}
    doomed_photos = [photos[pid] for pid in files.delete_photos if pid in photos]
    doomed_attachments = [attachments[aid] for aid in files.delete_attachments if aid in attachments]
    if len(photos) - len(doomed_photos) + len(files.new_photos) > PHOTOS_MAX:
        raise EntryError(_("每个项目最多上传 %(n)s 张照片。") % {"n": PHOTOS_MAX})
    if len(attachments) - len(doomed_attachments) + len(files.new_attachments) > PDFS_MAX:
        raise EntryError(_("每个项目最多上传 %(n)s 个 PDF 附件。") % {"n": PDFS_MAX})

    kept = [p.sha256 for p in photos.values() if p not in doomed_photos]
    duplicates = duplicate_photos([clean for clean, _caption in files.new_photos], kept)
    if duplicates:
        raise DuplicatePhoto(_("照片重复，本次修改没有保存："), duplicates)

    for pid, caption in files.photo_captions.items():
        photo = photos.get(pid)
        if photo and photo not in doomed_photos and photo.caption != caption:
            photo.caption = caption
            photo.save(update_fields=["caption"])
            changes.setdefault("photo_captions", []).append(caption)

    order = max([p.sort_order for p in photos.values()], default=0)
    for clean, caption in files.new_photos:
        name = storage.save(random_file_name("photos", clean.extension), ContentFile(clean.content))
        written.append(name)
        order += 1
        EntryPhoto.objects.create(
            entry=entry,
            file=name,
            content_type=clean.content_type,
            width=clean.width,
            height=clean.height,
            size=len(clean.content),
            sha256=clean.sha256,
            caption=caption,
            sort_order=order,
        )
    order = max([a.sort_order for a in attachments.values()], default=0)
    for clean, title in files.new_attachments:
        name = storage.save(random_file_name("attachments", "pdf"), ContentFile(clean.content))
        written.append(name)
        order += 1
        EntryAttachment.objects.create(
            entry=entry, file=name, title=title, size=len(clean.content), pages=clean.pages, sort_order=order
        )

    gone = [p.file.name for p in doomed_photos] + [a.file.name for a in doomed_attachments]
    if doomed_photos:
        EntryPhoto.objects.filter(pk__in=[p.pk for p in doomed_photos]).delete()
    if doomed_attachments:
        EntryAttachment.objects.filter(pk__in=[a.pk for a in doomed_attachments]).delete()
    # Removed files (and their screen-sized copies) disappear only once the rows are gone for good.
    gone_photos = [p.file.name for p in doomed_photos]
    transaction.on_commit(
        lambda: [storage.delete(n) for n in gone] + [delete_renditions(storage, n) for n in gone_photos]
    )

    if files.new_photos:
        changes["photos_added"] = len(files.new_photos)
    if doomed_photos:
        changes["photos_removed"] = len(doomed_photos)
    if files.new_attachments:
        changes["attachments_added"] = [title for _clean, title in files.new_attachments]
    if doomed_attachments:
        changes["attachments_removed"] = [a.title for a in doomed_attachments]
    return changes


def entry_withdraw(*, entry: Entry, by, now=None) -> Entry:
    now = now or timezone.now()
    _check_open(entry.contest, now)
    with transaction.atomic():
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        if current.status == Entry.Status.WITHDRAWN:
            return current
        before = current.status
        current.status = Entry.Status.WITHDRAWN
        current.version += 1
        current.updated_at = now
        current.save(update_fields=["status", "version", "updated_at"])
        EntryEvent.objects.create(
            entry=current,
            kind=EntryEvent.Kind.WITHDRAWN,
            actor=by,
            at=now,
            changes={"status": [before, current.status]},
        )
    return current


def entry_reopen(*, entry: Entry, by, now=None) -> Entry:
    """Bring a withdrawn entry back as a draft (it counts against the team's limit again)."""
    now = now or timezone.now()
    _check_open(entry.contest, now)
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=entry.team_id).first()
        current = Entry.objects.select_for_update().select_related("contest").get(pk=entry.pk)
        if current.status != Entry.Status.WITHDRAWN:
            return current
        active = Entry.objects.filter(team_id=current.team_id, contest=current.contest).exclude(
            status=Entry.Status.WITHDRAWN
        )
        if active.count() >= current.contest.max_entries_per_team:
            raise EntryLimitReached(
                _("每个团队在本届大赛最多申报 %(n)s 个项目，您已达到上限。")
                % {"n": current.contest.max_entries_per_team}
            )
        current.status = Entry.Status.DRAFT
        current.version += 1
        current.updated_at = now
        current.save(update_fields=["status", "version", "updated_at"])
        EntryEvent.objects.create(
            entry=current,
            kind=EntryEvent.Kind.REOPENED,
            actor=by,
            at=now,
            changes={"status": [Entry.Status.WITHDRAWN, Entry.Status.DRAFT]},
        )
    return current


def entry_decide_eligibility(*, entry: Entry, eligible: bool, reason: str, by, now=None) -> Entry:
    """Record an eligibility decision (资格审查). Permission is checked by the caller's rule."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise EntryError(_("判定为不符合资格时，请填写理由，参赛团队将看到这条理由。"))
    with transaction.atomic():
        current = Entry.objects.select_for_update().select_related("contest").get(pk=entry.pk)
        phase = phases.contest_phase(current.contest, now=now)
        if not phase.can_review_eligibility:
            raise EntryNotEditable(
                _("本届大赛处于“%(phase)s”阶段，不能再进行资格审查。") % {"phase": phase.label}
            )
        if not phases.may_decide_eligibility(current.contest, organizer=_is_organizer(by), now=now):
            raise EntryNotEditable(_county_deadline_message(current.contest))
        if current.status != Entry.Status.SUBMITTED:
            raise EntryNotEditable(_("只有已提交的项目才能进行资格审查。"))
        decision = Entry.Eligibility.ELIGIBLE if eligible else Entry.Eligibility.INELIGIBLE
        changes = {
            "eligibility": [current.eligibility, decision],
            "eligibility_reason": [current.eligibility_reason, reason],
        }
        current.eligibility = decision
        current.eligibility_reason = reason
        current.eligibility_decided_by = by
        current.eligibility_decided_at = now
        if not eligible and current.recommended:
            current.recommended = False
            changes["recommended"] = [True, False]
        current.save(
            update_fields=[
                "eligibility",
                "eligibility_reason",
                "eligibility_decided_by",
                "eligibility_decided_at",
                "recommended",
            ]
        )
        event = EntryEvent.objects.create(
            entry=current, kind=EntryEvent.Kind.ELIGIBILITY, actor=by, at=now, changes=changes, note=reason
        )
        messages.eligibility_decided(entry=current, event_id=event.pk)
    return current


def entry_set_recommended(*, entry: Entry, recommended: bool, by, now=None, reason: str = "") -> Entry:
    """A county recommends an eligible entry to the city round, within its quota (the county's
    own, else the contest's) and before the recommendation deadline; ``reason`` is recorded."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        current = (
            Entry.objects.select_for_update().select_related("contest", "team__organization").get(pk=entry.pk)
        )
        if current.recommended == recommended:
            return current
        phase = phases.contest_phase(current.contest, now=now)
        if not phase.can_recommend:
            raise EntryNotEditable(_("本届大赛处于“%(phase)s”阶段，推荐已经结束。") % {"phase": phase.label})
        if not phases.may_recommend(current.contest, organizer=_is_organizer(by), now=now):
            raise EntryNotEditable(_county_deadline_message(current.contest))
        if recommended:
            if current.status != Entry.Status.SUBMITTED or current.eligibility != Entry.Eligibility.ELIGIBLE:
                raise EntryError(_("只有通过资格审查的项目才能推荐。"))
            county_id = current.team.organization.county_id
            quota = selectors.recommendation_quota(contest=current.contest, county_id=county_id)
            if quota is not None:
                # One county's recommendations are counted one at a time.
                County.objects.select_for_update().filter(pk=county_id).first()
                used = selectors.recommended_count(contest=current.contest, county_id=county_id)
                if used >= quota:
                    raise EntryLimitReached(
                        _("本县（市、区）的推荐名额（%(n)s 个）已用完，请先取消其他项目的推荐。")
                        % {"n": quota}
                    )
        current.recommended = recommended
        current.save(update_fields=["recommended"])
        event = EntryEvent.objects.create(
            entry=current,
            kind=EntryEvent.Kind.RECOMMENDED,
            actor=by,
            at=now,
            changes={"recommended": [not recommended, recommended]},
            note=reason,
        )
        messages.recommendation_decided(entry=current, event_id=event.pk)
    return current


def _is_organizer(user) -> bool:
    return user is not None and is_organizer(user)


def _county_deadline_message(contest: Contest) -> str:
    closes = timezone.localtime(contest.recommendation_closes)
    return _(
        "资格审查与推荐已于 %(time)s（北京时间）截止，县区管理员不能再修改；如需更正，请联系组委会。"
    ) % {"time": closes.strftime("%Y-%m-%d %H:%M")}


# --- Many entries at once --------------------------------------------------------------------


@dataclass
class BulkOutcome:
    """What a bulk action did: the entries changed and, for each refused one, why."""

    done: list[Entry] = field(default_factory=list)
    failed: list[tuple[Entry, str]] = field(default_factory=list)


def _each_entry(entries, by, act) -> BulkOutcome:
    """Apply ``act`` to each entry in its own transaction (the single-entry service's): one
    refused entry does not undo the others, and each refusal is reported with its reason."""
    outcome = BulkOutcome()
    for entry in entries:
        if not rules.reviews_county_of(by, entry):
            outcome.failed.append((entry, _("您无权审查这个项目。")))
            continue
        try:
            outcome.done.append(act(entry))
        except EntryError as error:
            outcome.failed.append((entry, error.message))
    return outcome


def entries_decide_eligibility(*, entries, eligible: bool, reason: str, by, now=None) -> BulkOutcome:
    """The same eligibility decision and reason for many entries (``entry_decide_eligibility``
    for each: each is checked and may be refused on its own)."""
    now = now or timezone.now()
    return _each_entry(
        entries,
        by,
        lambda entry: entry_decide_eligibility(entry=entry, eligible=eligible, reason=reason, by=by, now=now),
    )


def entries_set_recommended(*, entries, recommended: bool, by, reason: str = "", now=None) -> BulkOutcome:
    """Recommend (or withdraw the recommendation of) many entries, one at a time in the order
    given, so that the quota admits the first ones and refuses the rest by name."""
    now = now or timezone.now()
    return _each_entry(
        entries,
        by,
        lambda entry: entry_set_recommended(
            entry=entry, recommended=recommended, by=by, now=now, reason=reason
        ),
    )


# --- A new year --------------------------------------------------------------------------------

# Not copied: what identifies the year (set anew), its progress and bookkeeping.
CONTEST_FIELDS_NOT_COPIED = {"id", "title", "year", "slug", "stage", "created_at"}


def _year_text(text: str, source_year: int, year: int) -> str:
    return (text or "").replace(str(source_year), str(year))


def contest_duplicate(*, source: Contest, year: int, by=None, now=None) -> Contest:
    """A new year's contest made from ``source``: its settings, categories, per-county quotas
    and (through ``extensions.register_contest_copier``) rounds, rubrics and pages, every date
    moved by whole years. Nothing of the source's entries, teams' work, assignments or scores.
    The copy starts before its submission opens (draft); a year that has a contest is refused."""
    now = now or timezone.now()
    years = year - source.year
    if years <= 0:
        raise ContestError(_("新一届的年度必须晚于 %(year)s 年。") % {"year": source.year})
    with transaction.atomic():
        if Contest.objects.select_for_update().filter(year=year).exists():
            raise ContestError(
                _("%(year)s 年度的大赛已经存在，不能再复制一届；请在“大赛设置”中修改它。") % {"year": year}
            )
        copy = Contest(
            title=_year_text(source.title, source.year, year) or str(year),
            year=year,
            slug=_free_slug(_year_text(source.slug, source.year, year), year),
        )
        for model_field in Contest._meta.concrete_fields:
            if model_field.name in CONTEST_FIELDS_NOT_COPIED:
                continue
            value = getattr(source, model_field.attname)
            if isinstance(value, (date, datetime)):
                value = shift_years(value, years)
            setattr(copy, model_field.attname, value)
        copy.description = _year_text(source.description, source.year, year)
        if copy.submission_opens <= now:
            raise ContestError(
                _(
                    "按整年顺延后，开始申报时间（%(time)s）已经过去，复制的大赛将不是“即将开始申报”状态；请选择更晚的年度。"
                )
                % {"time": timezone.localtime(copy.submission_opens).strftime("%Y-%m-%d %H:%M")}
            )
        copy.save()
        copy.categories.set(source.categories.all())
        CountyQuota.objects.bulk_create(
            CountyQuota(contest=copy, county_id=quota.county_id, quota=quota.quota)
            for quota in source.county_quotas.all()
        )
        for copier in extensions.contest_copiers():
            copier(
                source=source, copy=copy, years=years, shift=lambda value: shift_years(value, years), by=by
            )
    return copy


def _free_slug(wanted: str, year: int) -> str:
    slug = wanted if wanted and not Contest.objects.filter(slug=wanted).exists() else f"{wanted}-{year}"[:60]
    n = 2
    base = slug
    while Contest.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"[:60]
        n += 1
    return slug
