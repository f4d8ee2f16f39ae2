"""Writes of award tiers (奖项等次): defining a contest's tiers, assigning them to the
shortlist, and moving one shortlisted entry to another tier with a reason (ShortlistEvent TIER).

A contest without tiers has one, 优秀志愿服务项目 (``DEFAULT_TIER_NAME``), and its shortlist
entries carry no tier. Tiers change only while ``awards.phases.tiers_settable`` says so; every
change of the tiers assigns them afresh from the ranking (``awards.tiers.assign``), as every
commit of the shortlist does."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.errors import AwardsError
from awards.models import AwardTier, Shortlist, ShortlistEntry, ShortlistEvent
from awards.phases import tiers_settable
from awards.shortlist.rules import constraints_from
from awards.shortlist.select import Candidate
from awards.tiers.assign import TierRule, assign_tiers
from awards.tiers.selectors import contest_tiers
from competition.models import Contest, Entry
from competition.selectors import categories_in_order

NAME_MAX = AwardTier._meta.get_field("name").max_length


@dataclass
class TierSpec:
    """One tier as the organizer enters it (constraints by category code)."""

    name: str
    places: int
    county_cap: int | None = None
    category_min: dict[str, int] = field(default_factory=dict)
    category_max: dict[str, int] = field(default_factory=dict)


PROBLEMS = {
    "too_few_entries": gettext_lazy("名单上只剩 %(available)s 个项目，不够 %(needed)s 个名额。"),
    "category_min": gettext_lazy(
        "“%(category)s”类要求至少 %(needed)s 个，但最多只能评出 %(available)s 个"
        "（剩下的该类项目不够，或受每县上限所限）。"
    ),
    "category_min_above_max": gettext_lazy("“%(category)s”类的最少数量 %(min)s 大于最多数量 %(max)s。"),
    "minimums_above_size": gettext_lazy("各类别最少数量之和为 %(sum)s，超过了名额 %(size)s。"),
    "caps_below_size": gettext_lazy(
        "在各类别最多数量和每县上限之下，最多只能评出 %(capacity)s 个，不够 %(size)s 个名额。"
    ),
}


def _problem_text(problem: dict, labels: dict) -> str:
    template = PROBLEMS.get(problem.get("kind"))
    if template is None:
        return _("这些条件无法同时满足。")
    values = dict(problem)
    if "category" in problem:
        values["category"] = labels.get(problem["category"], "—")
    return str(template) % values


def tiers_assign(*, shortlist: Shortlist) -> dict[int, int]:
    """Give every entry of the shortlist its tier from the ranking (inside the caller's
    transaction). Without tiers, every entry's tier is cleared. Raises ``AwardsError`` naming
    the first tier that cannot be filled. Returns entry id -> tier id."""
    tiers = list(AwardTier.objects.filter(contest_id=shortlist.contest_id).order_by("position", "pk"))
    if not tiers:
        shortlist.items.exclude(tier=None).update(tier=None)
        return {}
    items = list(shortlist.items.select_related("entry__team__organization").order_by("rank", "entry_id"))
    candidates = [
        Candidate(
            entry=item.entry_id,
            score=item.score,
            rank=item.rank,
            category=item.entry.category_id or 0,
            county=item.entry.team.organization.county_id,
        )
        for item in items
    ]
    rules = [
        TierRule(
            key=tier.pk,
            constraints=constraints_from(
                size=tier.places,
                county_cap=tier.county_cap,
                category_min=tier.category_min,
                category_max=tier.category_max,
            ),
        )
        for tier in tiers
    ]
    result = assign_tiers(candidates, rules)
    if not result.feasible:
        tier = next(t for t in tiers if t.pk == result.failed)
        labels = {c.pk: c.label for c in categories_in_order()}
        reasons = "".join(_problem_text(p, labels) for p in result.problems) or _("这些条件无法同时满足。")
        raise AwardsError(
            _("无法评定“%(tier)s”：%(reasons)s请调整该奖项的名额或条件。")
            % {"tier": tier.name, "reasons": reasons}
        )
    tier_of = result.tier_of()
    for item in items:
        item.tier_id = tier_of[item.entry_id]
    ShortlistEntry.objects.bulk_update(items, ["tier"])
    return tier_of


def _clean(specs: list[TierSpec], *, shortlist: Shortlist | None) -> list[TierSpec]:
    cleaned = []
    seen = set()
    codes = {c.code for c in categories_in_order()}
    for n, spec in enumerate(specs, start=1):
        name = (spec.name or "").strip()
        if not name:
            raise AwardsError(_("第 %(n)s 个奖项没有名称。") % {"n": n})
        if len(name) > NAME_MAX:
            raise AwardsError(
                _("奖项名称“%(name)s”太长，最多 %(max)s 个字。") % {"name": name, "max": NAME_MAX}
            )
        if name in seen:
            raise AwardsError(_("奖项名称“%(name)s”重复了，每个奖项的名称须不同。") % {"name": name})
        seen.add(name)
        if spec.places is None or int(spec.places) < 1:
            raise AwardsError(_("“%(name)s”的名额至少为 1。") % {"name": name})
        if spec.county_cap is not None and int(spec.county_cap) < 1:
            raise AwardsError(_("“%(name)s”的每县上限至少为 1，或留空表示不限。") % {"name": name})
        bounds = {}
        for kind in ("category_min", "category_max"):
            values = {}
            for code, value in (getattr(spec, kind) or {}).items():
                if value in (None, ""):
                    continue
                if code not in codes:
                    raise AwardsError(_("没有代码为“%(code)s”的项目类别。") % {"code": code})
                if int(value) < 0:
                    raise AwardsError(_("“%(name)s”的类别数量不能为负数。") % {"name": name})
                values[code] = int(value)
            bounds[kind] = values
        cleaned.append(
            TierSpec(
                name=name,
                places=int(spec.places),
                county_cap=int(spec.county_cap) if spec.county_cap is not None else None,
                **bounds,
            )
        )
    if shortlist is not None and cleaned:
        total = sum(spec.places for spec in cleaned)
        if total != shortlist.size:
            raise AwardsError(
                _("各奖项名额之和为 %(total)s，须等于入围数量 %(size)s。")
                % {"total": total, "size": shortlist.size}
            )
    return cleaned


def _describe(tiers) -> list[dict]:
    return [
        {
            "name": t.name,
            "places": t.places,
            "county_cap": t.county_cap,
            "category_min": t.category_min,
            "category_max": t.category_max,
        }
        for t in tiers
    ]


def tiers_set(*, contest: Contest, tiers: list[TierSpec], by, now=None) -> list[AwardTier]:
    """Replace the contest's award tiers (best first) and assign them to its shortlist. An
    empty list goes back to the one default tier. Refused once the shortlist is finalized."""
    now = now or timezone.now()
    with transaction.atomic():
        shortlist = Shortlist.objects.select_for_update().filter(contest=contest).first()
        if not tiers_settable(shortlist):
            raise AwardsError(_("入围名单已正式公布，不能再调整奖项等次。"))
        cleaned = _clean(tiers, shortlist=shortlist)
        before = contest_tiers(contest=contest)
        if shortlist is not None:
            shortlist.items.exclude(tier=None).update(tier=None)
        AwardTier.objects.filter(contest=contest).delete()
        made = AwardTier.objects.bulk_create(
            AwardTier(
                contest=contest,
                position=position,
                name=spec.name,
                places=spec.places,
                county_cap=spec.county_cap,
                category_min=spec.category_min,
                category_max=spec.category_max,
            )
            for position, spec in enumerate(cleaned, start=1)
        )
        if shortlist is not None:
            tiers_assign(shortlist=shortlist)
            ShortlistEvent.objects.create(
                shortlist=shortlist,
                kind=ShortlistEvent.Kind.TIER,
                actor=by,
                at=now,
                before={"tiers": _describe(before)},
                after={"tiers": _describe(made)},
            )
    return made


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AwardsError(_("调整奖项等次必须写明理由。"))
    return reason


def tier_move(
    *, shortlist: Shortlist, entry: Entry, tier: AwardTier, reason: str, by, now=None
) -> ShortlistEntry:
    """Move one shortlisted entry to another tier of the contest, with a reason (logged with
    the tier before and after). The tiers' places and constraints are not rechecked: this is
    the organizers' decision, on record."""
    reason = _reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        current = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
        if not tiers_settable(current):
            raise AwardsError(_("入围名单已正式公布，不能再调整奖项等次。"))
        if tier.contest_id != current.contest_id:
            raise AwardsError(_("该奖项不属于本届大赛。"))
        item = current.items.select_related("tier").filter(entry=entry).first()
        if item is None:
            raise AwardsError(_("该项目不在入围名单中。"))
        if item.tier_id == tier.pk:
            raise AwardsError(_("该项目已经是“%(tier)s”。") % {"tier": tier.name})
        before = item.tier.name if item.tier_id else ""
        item.tier = tier
        item.save(update_fields=["tier"])
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.TIER,
            actor=by,
            at=now,
            before={"entry": entry.pk, "title": entry.title, "tier": before},
            after={"entry": entry.pk, "title": entry.title, "tier": tier.name},
            reason=reason,
        )
    return item


def tier_for_new_entry(*, shortlist: Shortlist) -> int | None:
    """The tier an entry added to the shortlist by an override starts in: the last one (the
    organizer may move it up with a reason)."""
    return (
        AwardTier.objects.filter(contest_id=shortlist.contest_id)
        .order_by("-position", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
