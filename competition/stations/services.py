"""Writes for stations a team names because its own is not in the list, and for their
confirmation by the county's coordinator or an organizer (keyword-only, one transaction each).
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import messages, rules
from ..errors import StationError
from ..models import County, Organization, Team, TeamEvent, Town

NAME_MAX = 100
TOWN_NAME_MAX = 50


@dataclass(frozen=True)
class StationProposal:
    """What a team typed for a station missing from the list."""

    county: County
    town_name: str
    name: str


def clean_name(name: str) -> str:
    """One space between words, none at the ends (names are compared as typed otherwise)."""
    return " ".join((name or "").split())


def station_propose(*, proposal: StationProposal, by=None, now=None) -> Organization:
    """The organization for a station a team names: a new unconfirmed one, or the one another
    team of the same station named already. A name already in the list is refused: the team
    should pick it instead. Runs inside the caller's transaction when there is one."""
    name = clean_name(proposal.name)
    town_name = clean_name(proposal.town_name)
    if not name:
        raise StationError(_("请填写阵地名称。"))
    if len(name) > NAME_MAX or len(town_name) > TOWN_NAME_MAX:
        raise StationError(_("阵地名称不超过 100 个字，乡镇（街道）名称不超过 50 个字。"))
    with transaction.atomic():
        existing = Organization.objects.filter(name=name).select_related("county").first()
        if existing is not None:
            if existing.confirmed and existing.county_id != proposal.county.pk:
                # Names are unique across the city: another county's station of the same name.
                raise StationError(
                    _("%(county)s已有名为“%(name)s”的阵地。请在名称前加上乡镇或村（社区）名以示区分。")
                    % {"county": existing.county.name, "name": name}
                )
            if existing.confirmed:
                raise StationError(_("“%(name)s”已在阵地列表中，请在上方搜索并直接选择它。") % {"name": name})
            if existing.county_id != proposal.county.pk:
                raise StationError(
                    _(
                        "已有团队在其他县（市、区）提出了同名阵地“%(name)s”，请核对阵地名称和所属县（市、区）。"
                    )
                    % {"name": name}
                )
            return existing
        town = Town.objects.filter(county=proposal.county, name=town_name).first() if town_name else None
        try:
            with transaction.atomic():
                organization = Organization.objects.create(
                    name=name,
                    kind=Organization.Kind.STATION,
                    county=proposal.county,
                    town=town,
                    proposed_town="" if town else town_name,
                    confirmed=False,
                    proposed_by=by,
                    proposed_at=now or timezone.now(),
                )
            messages.station_proposed(organization=organization)
            return organization
        except IntegrityError:
            # Another team named the same station at the same moment: join theirs.
            existing = Organization.objects.filter(name=name, confirmed=False, county=proposal.county).first()
            if existing is None:
                raise StationError(_("阵地名称与已有阵地重复，请换一个名称或在上方搜索选择。")) from None
            return existing


def _check_may_confirm(organization: Organization, by) -> None:
    if not rules.can_confirm_station(by, organization):
        raise StationError(_("只有该县（市、区）的县区管理员或组委会可以确认这个阵地。"))
    if organization.confirmed:
        raise StationError(_("这个阵地已经确认过了。"))


def station_confirm(
    *, organization: Organization, name: str, town: Town | None = None, new_town_name: str = "", by
) -> Organization:
    """Confirm a proposed station, with its name and town corrected if need be (a town typed by
    the team and not yet in the list is created in the station's county). From then on every
    team may pick it."""
    name = clean_name(name)
    new_town_name = clean_name(new_town_name)
    if not name:
        raise StationError(_("请填写阵地名称。"))
    if len(name) > NAME_MAX or len(new_town_name) > TOWN_NAME_MAX:
        raise StationError(_("阵地名称不超过 100 个字，乡镇（街道）名称不超过 50 个字。"))
    with transaction.atomic():
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        _check_may_confirm(current, by)
        if Organization.objects.filter(name=name).exclude(pk=current.pk).exists():
            raise StationError(
                _("已有名为“%(name)s”的阵地。如果是同一个阵地，请选择“并入已有阵地”。") % {"name": name}
            )
        if new_town_name:
            town, _created = Town.objects.get_or_create(county_id=current.county_id, name=new_town_name)
        elif town is not None and town.county_id != current.county_id:
            raise StationError(_("所选乡镇（街道）不在该阵地所属的县（市、区）。"))
        current.name = name
        current.town = town
        current.proposed_town = ""
        current.confirmed = True
        current.save()
    return current


def station_merge(*, organization: Organization, into: Organization, by, note: str = "") -> Organization:
    """A proposed station that is one already in the list: its teams move to ``into`` (each
    move recorded in the team's log) and the proposal is removed. A coordinator merges only
    into a station of their own county."""
    with transaction.atomic():
        current = Organization.objects.select_for_update().get(pk=organization.pk)
        _check_may_confirm(current, by)
        target = Organization.objects.select_related("county").get(pk=into.pk)
        if target.pk == current.pk or not target.confirmed:
            raise StationError(_("请选择一个已确认的阵地。"))
        if not rules.can_confirm_station(by, target):
            raise StationError(_("只能并入本县（市、区）的阵地。"))
        teams = list(Team.objects.select_for_update().filter(organization=current))
        before_county = Organization.objects.select_related("county").get(pk=current.pk).county.name
        TeamEvent.objects.bulk_create(
            TeamEvent(
                team=team,
                kind=TeamEvent.Kind.IDENTITY,
                actor=by,
                before={"name": team.name, "organization": current.name, "county": before_county},
                after={"name": team.name, "organization": target.name, "county": target.county.name},
                note=note or _("团队提出的阵地并入已有阵地。"),
            )
            for team in teams
        )
        Team.objects.filter(organization=current).update(organization=target)
        current.delete()
    return target
