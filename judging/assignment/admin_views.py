"""分配评委 and 手工调整: run the assigner, read its report, adjust one entry's judges."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import DomainError
from common.pages import int_or_none
from competition.models import category_label
from judging.assignment.selectors import (
    latest_assignment_run,
    round_coverage_by_category,
    round_entries_named,
    round_entries_short,
    round_entry_assignments,
)
from judging.assignment.services import (
    assign_round_in_background,
    assignment_add,
    assignment_remove,
    assignment_swap,
)
from judging.conflicts.rules import DECLARED, SAME_COUNTY, SAME_ORGANIZATION, conflict_reason
from judging.conflicts.selectors import conflicted_judge_ids
from judging.judges.selectors import judges_named, judges_with_round_load
from judging.models import Assignment, AssignmentRun, Judge
from judging.rounds.admin_views import RoundPageView
from judging.rounds.selectors import round_entry_for_admin

CONFLICT_FLAGS = {
    SAME_COUNTY: gettext_lazy("同县（市、区），需回避"),
    SAME_ORGANIZATION: gettext_lazy("同单位，需回避"),
    DECLARED: gettext_lazy("已申报或设定回避"),
}


def uncovered_reason(item: dict, k: int) -> str:
    if item.get("reason") == "conflicts":
        return _("只有 %(count)s 位评委与该项目无回避关系（需要 %(k)s 位）") % {
            "count": item.get("compatible", 0),
            "k": k,
        }
    return _("评委的评审容量已满")


class AssignView(RoundPageView):
    page_name = "assign"
    template_name = "judging/admin/round_assign.html"
    uncovered_shown = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = latest_assignment_run(round=self.round)
        running = run is not None and run.status in (
            AssignmentRun.Status.QUEUED,
            AssignmentRun.Status.RUNNING,
        )
        report = run.report if run is not None and run.status == AssignmentRun.Status.DONE else {}
        context.update(
            run=run,
            running=running,
            report=report,
            can_run=self.can_change and self.phase.can_assign and not running,
            coverage=[
                {**row, "category": category_label(row["category"], row["category_en"]) or "—"}
                for row in round_coverage_by_category(round=self.round)
            ],
        )
        if report:
            context.update(self.report_context(report))
        return context

    def report_context(self, report: dict) -> dict:
        k = report.get("k", self.round.judges_per_entry)
        loads = report.get("loads", {})
        judges = judges_named(ids=[int(pk) for pk in loads])
        rows = []
        for pk, judge in judges.items():
            load = loads.get(str(pk), 0)
            low, high = report.get("band", {}).get(str(pk), (0, 0))
            rows.append(
                {
                    "judge": judge,
                    "load": load,
                    "fair_share": report.get("fair_share", {}).get(str(pk)),
                    "low": low,
                    "high": high,
                    "outside": not (low <= load <= high),
                }
            )
        rows.sort(key=lambda row: (row["judge"].name, row["judge"].pk))
        uncovered = report.get("uncovered", [])
        shown = uncovered[: self.uncovered_shown]
        named = (
            round_entries_named(round=self.round, ids=[item["round_entry"] for item in shown])
            if shown
            else {}
        )
        avoided = report.get("conflicts_avoided", {})
        return {
            "loads": rows,
            "k": k,
            "uncovered": [
                {
                    "round_entry": named.get(item["round_entry"]),
                    "missing": item["missing"],
                    "reason": uncovered_reason(item, k),
                }
                for item in shown
            ],
            "uncovered_total": len(uncovered),
            "uncovered_more": max(0, len(uncovered) - len(shown)),
            "avoided": {
                "same_county": avoided.get("same_county", 0),
                "same_organization": avoided.get("same_organization", 0),
                "declared": avoided.get("declared", 0),
            },
            "expert_percent": round(100 * report.get("expert_share", 0)),
        }

    def post(self, request, *args, **kwargs):
        run = latest_assignment_run(round=self.round)
        if not self.phase.can_assign:
            messages.error(request, _("评分已截止的轮次不能再分配。"))
        elif run is not None and run.status in (AssignmentRun.Status.QUEUED, AssignmentRun.Status.RUNNING):
            messages.warning(request, _("分配正在进行，请等它完成。"))
        else:
            assign_round_in_background(round=self.round, by=request.user)
            messages.success(request, _("已开始自动分配，本页会显示进度。"))
        return redirect(self.url())


class AdjustView(RoundPageView):
    page_name = "adjust"
    template_name = "judging/admin/round_adjust.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        code = (self.request.GET.get("code") or "").strip()
        round_entry = round_entry_for_admin(round=self.round, blind_code=code) if code else None
        context.update(
            code=code,
            round_entry=round_entry,
            not_found=bool(code) and round_entry is None,
            can_adjust=self.can_change and self.phase.can_assign,
        )
        if round_entry is None:
            context["short"] = round_entries_short(round=self.round)
            return context
        assignments = round_entry_assignments(round_entry=round_entry)
        organization = round_entry.entry.team.organization
        conflicted = conflicted_judge_ids(entry_id=round_entry.entry_id)
        assigned = {a.judge_id for a in assignments}
        options = []
        for judge in judges_with_round_load(round=self.round):
            if judge.pk in assigned:
                continue
            reason = conflict_reason(
                judge_county=judge.county_id,
                judge_organization=judge.organization_id,
                entry_county=organization.county_id,
                entry_organization=organization.pk,
                declared=judge.pk in conflicted,
            )
            options.append({"judge": judge, "flag": CONFLICT_FLAGS[reason] if reason else ""})
        context.update(assignments=assignments, options=options, organization=organization)
        return context

    def post(self, request, *args, **kwargs):
        code = (request.POST.get("code") or "").strip()
        round_entry = round_entry_for_admin(round=self.round, blind_code=code)
        if round_entry is None:
            messages.error(request, _("没有找到这个匿名编号的参评项目。"))
            return redirect(self.url())
        target = f"{self.url()}?code={round_entry.blind_code}"
        if not self.phase.can_assign:
            messages.error(request, _("评分已截止的轮次不能再分配。"))
            return redirect(target)
        action = request.POST.get("action")
        judge = Judge.objects.filter(pk=int_or_none(request.POST.get("judge"))).first()
        assignment = (
            Assignment.objects.filter(round_entry=round_entry, pk=int_or_none(request.POST.get("assignment")))
            .select_related("judge", "round_entry")
            .first()
        )
        names = {"code": round_entry.blind_code}
        try:
            if action == "add" and judge is not None:
                assignment_add(round_entry=round_entry, judge=judge, by=request.user)
                messages.success(
                    request, _("已为 %(code)s 增加评委 %(judge)s。") % {**names, "judge": judge.name}
                )
            elif action == "remove" and assignment is not None:
                assignment_remove(assignment=assignment, by=request.user, note=_("组委会手工撤销"))
                messages.success(
                    request,
                    _("已撤销 %(judge)s 对 %(code)s 的评审任务。")
                    % {**names, "judge": assignment.judge.name},
                )
            elif action == "swap" and assignment is not None and judge is not None:
                assignment_swap(assignment=assignment, judge=judge, by=request.user)
                messages.success(
                    request,
                    _("%(code)s 的评委已由 %(old)s 换为 %(new)s。")
                    % {**names, "old": assignment.judge.name, "new": judge.name},
                )
            else:
                messages.error(request, _("请选择评委。"))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(target)
