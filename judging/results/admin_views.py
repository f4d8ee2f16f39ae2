"""成绩, 评委统计 and 晋级: the ranking with every method, judge statistics, advancement."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import DomainError
from common.pages import int_or_none, paginate, query_suffix
from competition.models import category_label
from competition.selectors import contest_categories
from judging.assignment.services import add_judge_for_disagreement
from judging.models import JudgeResult, RoundEntry, chance_text
from judging.results.charts import Histogram, box, box_plot, histogram_rows
from judging.results.forms import AdvanceForm, NextRoundForm
from judging.results.next_round import TARGET as NEXT_TARGET
from judging.results.selectors import (
    JUDGE_SORTS,
    RANKING_SORTS,
    advance_misses,
    advance_preview,
    calibration_effect,
    category_score_histograms,
    default_top,
    entries_short_of_sheets,
    far_judge_count,
    judge_sheet_totals,
    round_computations,
    round_criteria,
    round_judge_results,
    round_ranking,
    round_ranking_summary,
    round_uncertainty,
    separate_parts,
)
from judging.results.services import (
    UNCERTAINTY_TOP,
    advance,
    compute_round_results,
    create_next_round,
    recommend_next_round,
)
from judging.results.uncertainty import FAR_SPREAD
from judging.rounds.admin_views import RoundPageView
from judging.rounds.selectors import later_rounds

# A judge whose offset is at least this many points from 0 is called harsh or lenient.
SEVERITY_NOTICE = 2.0


CALIBRATION_TOP = 100
# Entries short of sheets shown on the results page (fewest sheets first); the round's status
# page lists them all.
SHORT_LISTED = 20
# Boundary entries listed in the recommendation for the next round (most uncertain first).
NEXT_ROUND_LISTED = 30
# The largest N of "入选把握" the compute form takes.
MAX_TOP = 100_000


def agreement_level(value: float | None) -> str:
    """Plain words for an agreement figure (the usual bands for ICC, used for W too)."""
    if value is None:
        return _("数据不足")
    if value < 0.4:
        return _("较低")
    if value < 0.6:
        return _("一般")
    if value < 0.75:
        return _("较好")
    return _("很好")


def severity(offset: float) -> str:
    if offset <= -SEVERITY_NOTICE:
        return _("偏严")
    if offset >= SEVERITY_NOTICE:
        return _("偏宽")
    return _("适中")


class ResultsView(RoundPageView):
    page_name = "results"
    template_name = "judging/admin/results/round_results.html"
    sorts = [
        ("rank", gettext_lazy("名次")),
        ("mean", gettext_lazy("平均分")),
        ("median", gettext_lazy("中位数")),
        ("trimmed", gettext_lazy("截尾平均")),
        ("zscore", gettext_lazy("标准分")),
        ("calibrated", gettext_lazy("校准分")),
        ("combined", gettext_lazy("总成绩")),
        ("spread", gettext_lazy("极差")),
        ("top_chance", gettext_lazy("入选把握")),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        computations = round_computations(round=self.round)
        history = []
        for position, computation in enumerate(computations):
            previous = computations[position + 1] if position + 1 < len(computations) else None
            history.append(
                {
                    "computation": computation,
                    "same_inputs": previous is not None
                    and previous.inputs_digest == computation.inputs_digest,
                    "same_ranking": previous is not None
                    and previous.ranking_digest == computation.ranking_digest,
                    "previous": previous,
                }
            )
        latest = computations[0] if computations else None
        sort = self.request.GET.get("sort", "rank")
        sort = sort if sort in RANKING_SORTS else "rank"
        query = self.request.GET.get("q", "")
        flagged = self.request.GET.get("flagged") == "1"
        summary = round_ranking_summary(round=self.round)
        page, page_range = paginate(
            self.request,
            round_ranking(round=self.round, sort=sort, query=query, flagged=flagged),
        )
        criteria = round_criteria(round=self.round)
        position = (self.round.tie_criterion_position or 0) - 1
        short = entries_short_of_sheets(round=self.round)
        uncertainty = round_uncertainty(round=self.round) if summary["entries"] else None
        context.update(
            uncertainty=uncertainty,
            parts=separate_parts(round=self.round, parts=uncertainty.parts) if uncertainty else [],
            short=list(short[:SHORT_LISTED]),
            short_count=short.count(),
            latest=latest,
            history=history,
            stale=latest is not None
            and (latest.method != self.round.method or latest.shrinkage != float(self.round.shrinkage)),
            summary=summary,
            results=page,
            elided_page_range=page_range,
            sort=sort,
            sorts=self.sorts,
            query=query,
            flagged=flagged,
            tie_criterion=criteria[position] if 0 <= position < len(criteria) else None,
            effect=calibration_effect(
                round=self.round, top=uncertainty.top if uncertainty else CALIBRATION_TOP
            )
            if summary["entries"]
            else None,
            can_add_judge=self.phase.can_assign,
            # What the organizer typed when it was refused, else the N used last.
            top=self.request.GET.get("top", "")[:20]
            or (uncertainty.top if uncertainty else default_top(round=self.round, fallback=UNCERTAINTY_TOP)),
            scoring=self.phase.can_score,
            next_round=self.next_round(summary["entries"]) if uncertainty else None,
        )
        return context

    def next_round(self, entries: int, form: NextRoundForm | None = None) -> dict:
        """The 复评建议 section: the recommendation for the budget asked for (GET), or why
        there is none now."""
        if form is None:
            data = self.request.GET if "budget" in self.request.GET else None
            form = NextRoundForm(
                data,
                categories=contest_categories(contest=self.round.contest),
                initial={"budget": 2 * entries, "target": NEXT_TARGET},
            )
        section = {"form": form, "refusal": None, "plan": None, "rows": []}
        if form.is_bound and not form.is_valid():
            return section
        budget = form.cleaned_data["budget"] if form.is_bound else 2 * entries
        target = form.cleaned_data["target"] if form.is_bound else NEXT_TARGET
        per_category = form.per_category() if form.is_bound else {}
        try:
            plan = recommend_next_round(
                round=self.round, budget=budget, target=target, per_category=per_category
            )
        except DomainError as error:
            section["refusal"] = error.message
            return section
        advice = plan.recommendation
        order = sorted(advice.extra, key=lambda pk: (abs(plan.chance[pk] - 0.5), plan.codes[pk]))
        listed = order[:NEXT_ROUND_LISTED]
        section.update(
            plan=plan,
            advice=advice,
            budget=budget,
            target=target,
            more=max(len(order) - NEXT_ROUND_LISTED, 0),
            # Carried entries without a checkbox (settled in, or boundary entries not listed):
            # they go into the new round unless the organizer chooses from the full list.
            unlisted=sorted(set(advice.carried) - set(listed)),
            rows=[
                {
                    "pk": pk,
                    "code": plan.codes[pk],
                    "chance": plan.chance[pk],
                    "chance_text": chance_text(plan.chance[pk]),
                    "sheets": plan.sheets[pk],
                    "extra": advice.extra[pk],
                }
                for pk in listed
            ],
        )
        return section

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "compute":
            previous = round_computations(round=self.round, limit=1)
            top = int_or_none(request.POST.get("top", "").strip() or UNCERTAINTY_TOP)
            if top is None or not 1 <= top <= MAX_TOP:
                messages.error(
                    request, _("“入选名额”请填写 1 到 100000 之间的整数，例如入围名单的名额 100。")
                )
                return redirect(self.url() + "?" + urlencode({"top": request.POST.get("top", "")[:20]}))
            try:
                computation = compute_round_results(round=self.round, by=request.user, top=top)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                names = {"entries": computation.entries, "sheets": computation.sheets}
                if previous and previous[0].ranking_digest == computation.ranking_digest:
                    text = _("已计算成绩：%(entries)s 个项目，%(sheets)s 份评分表；排名与上次计算相同。")
                elif previous:
                    text = _("已计算成绩：%(entries)s 个项目，%(sheets)s 份评分表；排名与上次计算不同。")
                else:
                    text = _("已计算成绩：%(entries)s 个项目，%(sheets)s 份评分表。")
                messages.success(request, text % names)
        elif action == "create_next_round":
            form = NextRoundForm(request.POST, categories=contest_categories(contest=self.round.contest))
            if not form.is_valid():
                for errors in form.errors.values():
                    messages.error(request, errors[0])
                return redirect(self.url() + "?" + request.POST.urlencode() + "#next-round")
            try:
                made = create_next_round(
                    round=self.round,
                    by=request.user,
                    budget=form.cleaned_data["budget"],
                    target=form.cleaned_data["target"],
                    name=form.cleaned_data["name"],
                    per_category=form.per_category(),
                    # The checkboxes of the recommendation (all ticked unless the organizer
                    # unticked some); a post without them keeps the whole recommendation.
                    entry_ids=request.POST.getlist("entry") if request.POST.get("choose") else None,
                )
            except DomainError as error:
                messages.error(request, error.message)
                kept = {
                    key: value
                    for key, value in request.POST.items()
                    if key in ("budget", "target") or key.startswith("places_")
                }
                return redirect(self.url() + "?" + urlencode(kept) + "#next-round")
            else:
                messages.success(
                    request,
                    _("已新建“%(name)s”：%(entries)s 个项目，请在分配页运行分配并设置评分时间。")
                    % {"name": made.name, "entries": made.round_entries.count()},
                )
                return redirect(reverse("judging_rounds:assign", args=[made.pk]))
        elif action == "add_judge":
            round_entry = RoundEntry.objects.filter(
                round=self.round, pk=int_or_none(request.POST.get("round_entry"))
            ).first()
            if round_entry is None:
                raise Http404
            try:
                assignment = add_judge_for_disagreement(round_entry=round_entry, by=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("已为 %(code)s 加派评委 %(judge)s，请提醒其尽快评分。")
                    % {"code": round_entry.blind_code, "judge": assignment.judge.name},
                )
        return redirect(self.url() + query_suffix(request))


class JudgeStatsView(RoundPageView):
    page_name = "judge_stats"
    template_name = "judging/admin/results/round_judges.html"
    sorts = [
        ("name", gettext_lazy("按姓名")),
        ("offset", gettext_lazy("最严的在前")),
        ("-offset", gettext_lazy("最宽的在前")),
        ("sheets", gettext_lazy("评分表最多的在前")),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        computations = round_computations(round=self.round, limit=1)
        latest = computations[0] if computations else None
        sort = self.request.GET.get("sort", "name")
        sort = sort if sort in JUDGE_SORTS else "name"
        page, page_range = paginate(self.request, round_judge_results(round=self.round, sort=sort))
        judges: list[JudgeResult] = list(page)
        totals = judge_sheet_totals(round=self.round, judge_ids=[j.judge_id for j in judges])
        rows = []
        boxes = []
        for item in judges:
            label = severity(item.offset)
            tone = (
                "harsh"
                if item.offset <= -SEVERITY_NOTICE
                else "lenient"
                if item.offset >= SEVERITY_NOTICE
                else ""
            )
            rows.append(
                {
                    "result": item,
                    "percent": round(100 * item.completion),
                    "severity": label,
                    "tone": tone,
                    "far_sd": f"{abs(item.far):.1f}" if item.far is not None else "",
                }
            )
            boxes.append(
                box(
                    item.judge.name,
                    totals.get(item.judge_id, []),
                    tone=tone,
                    note=_("偏差 %(offset)s（%(severity)s）")
                    % {"offset": f"{item.offset:+.1f}", "severity": label},
                )
            )
        categories = category_score_histograms(round=self.round)
        context.update(
            latest=latest,
            judges=rows,
            page_obj=page,
            elided_page_range=page_range,
            sort=sort,
            sorts=self.sorts,
            severity_notice=SEVERITY_NOTICE,
            far_count=far_judge_count(round=self.round) if latest else 0,
            far_spread=f"{FAR_SPREAD:g}",
            judge_chart=box_plot(
                boxes,
                title=_("各评委评分表总分的分布"),
                reference=latest.pool_mean if latest else None,
            )
            if boxes
            else "",
            category_chart=histogram_rows(
                [
                    Histogram(category_label(c["name"], c["name_en"]), tuple(c["counts"]), c["mean"])
                    for c in categories
                ],
                title=_("各类别评分表总分的分布"),
            )
            if categories
            else "",
            icc_text=self.icc_text(latest),
            kendall_text=self.kendall_text(latest),
        )
        return context

    def icc_text(self, latest) -> str:
        if latest is None or latest.icc is None:
            return _("ICC（组内相关系数）：评分表太少，无法计算。")
        return _(
            "ICC（组内相关系数）为 %(value)s（%(level)s）：评分表总分的差异中约 %(percent)s%% "
            "来自项目之间的真实差别，其余来自评委的宽严和偶然因素；越接近 1，不同评委给同一项目的分数越一致。"
        ) % {
            "value": f"{latest.icc:.2f}",
            "level": agreement_level(latest.icc),
            "percent": max(0, round(100 * latest.icc)),
        }

    def kendall_text(self, latest) -> str:
        if latest is None or latest.kendall_w is None:
            return _("Kendall 协调系数 W：共同评审的项目太少，无法计算。")
        return _(
            "Kendall 协调系数 W 为 %(value)s（%(level)s）：评委们给共同评审的项目排出的先后顺序是否一致，"
            "0 表示毫无一致，1 表示完全一致。"
        ) % {"value": f"{latest.kendall_w:.2f}", "level": agreement_level(latest.kendall_w)}


class AdvanceView(RoundPageView):
    page_name = "advance"
    template_name = "judging/admin/results/round_advance.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        categories = contest_categories(contest=self.round.contest)
        form = kwargs.get("form")
        if form is None:
            form = (
                AdvanceForm(self.request.GET, categories=categories)
                if "mode" in self.request.GET
                else AdvanceForm(categories=categories)
            )
        rule = form.rule() if form.is_bound and form.is_valid() else {}
        preview = advance_preview(round=self.round, **rule)
        counts = preview["counts"]
        context.update(
            form=form,
            previewed=bool(rule),
            preview=preview,
            misses=advance_misses(round=self.round, **rule) if rule and counts else None,
            category_rule="per_category" in rule,
            has_results=bool(counts),
            rows=[
                {
                    "category": category,
                    "field": form[f"quota_{category.code}"],
                    "entries": counts.get(category.code, {}).get("entries", 0),
                    "advanced": counts.get(category.code, {}).get("advanced", 0),
                    "chosen": preview["by_category"].get(category.code, 0),
                }
                for category in categories
            ],
            advanced=sum(row.get("advanced", 0) for row in counts.values()),
            later=later_rounds(round=self.round),
            query=self.request.GET.urlencode(),
        )
        return context

    def post(self, request, *args, **kwargs):
        categories = contest_categories(contest=self.round.contest)
        form = AdvanceForm(request.POST, categories=categories)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            count = advance(round=self.round, by=request.user, **form.rule())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已确定 %(count)s 个项目晋级下一轮。") % {"count": count})
        return redirect(self.url())
