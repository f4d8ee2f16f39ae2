"""The organizers' results back office: three round tabs (成绩, 评委统计, 晋级) and the
contest's shortlist (入围名单) with its what-if preview, overrides, public notice, objections,
finalization and log.

Same rules as ``judging.admin_views``: organizers act, supervisors (监督委员会) read every page
and change nothing (their POSTs are 404), anyone else gets a 404. Reads come from
``judging.result_selectors`` (a constant number of queries per page), writes from
``judging.result_services``, whose ``JudgingError`` messages are shown as they are.
"""

import json

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from competition.admin_access import BackOfficeMenuItem, OrganizersChangeSupervisorsRead

from . import charts, result_selectors, result_services
from .admin_views import RoundPageView, category_label, paginate
from .models import JudgeResult, Round, RoundEntry, Shortlist
from .services import JudgingError

# A judge whose offset is at least this many points from 0 is called harsh or lenient.
SEVERITY_NOTICE = 2.0
CALIBRATION_TOP = 100


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _query_suffix(request) -> str:
    query = request.GET.urlencode()
    return f"?{query}" if query else ""


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


def _changes(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


# --- 成绩: compute, the ranking with every method, one more judge for a disagreement -------------


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
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        computations = result_selectors.round_computations(round=self.round)
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
        sort = sort if sort in result_selectors.RANKING_SORTS else "rank"
        query = self.request.GET.get("q", "")
        flagged = self.request.GET.get("flagged") == "1"
        summary = result_selectors.round_ranking_summary(round=self.round)
        page, page_range = paginate(
            self.request,
            result_selectors.round_ranking(round=self.round, sort=sort, query=query, flagged=flagged),
        )
        criteria = result_selectors.round_criteria(round=self.round)
        position = (self.round.tie_criterion_position or 0) - 1
        context.update(
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
            effect=result_selectors.calibration_effect(round=self.round, top=CALIBRATION_TOP)
            if summary["entries"]
            else None,
            can_add_judge=self.round.status in (Round.Status.SETUP, Round.Status.SCORING),
            scoring=self.round.status == Round.Status.SCORING,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "compute":
            previous = result_selectors.round_computations(round=self.round, limit=1)
            try:
                computation = result_services.compute_round_results(round=self.round, by=request.user)
            except JudgingError as error:
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
        elif action == "add_judge":
            round_entry = RoundEntry.objects.filter(
                round=self.round, pk=_int(request.POST.get("round_entry"))
            ).first()
            if round_entry is None:
                raise Http404
            try:
                assignment = result_services.add_judge_for_disagreement(
                    round_entry=round_entry, by=request.user
                )
            except JudgingError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("已为 %(code)s 加派评委 %(judge)s，请提醒其尽快评分。")
                    % {"code": round_entry.blind_code, "judge": assignment.judge.name},
                )
        return redirect(self.url() + _query_suffix(request))


# --- 评委统计: severity, spread, completion, agreement; the charts ------------------------------


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
        computations = result_selectors.round_computations(round=self.round, limit=1)
        latest = computations[0] if computations else None
        sort = self.request.GET.get("sort", "name")
        sort = sort if sort in result_selectors.JUDGE_SORTS else "name"
        page, page_range = paginate(
            self.request, result_selectors.round_judge_results(round=self.round, sort=sort)
        )
        judges: list[JudgeResult] = list(page)
        totals = result_selectors.judge_sheet_totals(round=self.round, judge_ids=[j.judge_id for j in judges])
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
                }
            )
            boxes.append(
                charts.box(
                    item.judge.name,
                    totals.get(item.judge_id, []),
                    tone=tone,
                    note=_("偏差 %(offset)s（%(severity)s）")
                    % {"offset": f"{item.offset:+.1f}", "severity": label},
                )
            )
        categories = result_selectors.category_score_histograms(round=self.round)
        context.update(
            latest=latest,
            judges=rows,
            page_obj=page,
            elided_page_range=page_range,
            sort=sort,
            sorts=self.sorts,
            severity_notice=SEVERITY_NOTICE,
            judge_chart=charts.box_plot(
                boxes,
                title=_("各评委评分表总分的分布"),
                reference=latest.pool_mean if latest else None,
            )
            if boxes
            else "",
            category_chart=charts.histogram_rows(
                [
                    charts.Histogram(category_label(c["name"], c["name_en"]), tuple(c["counts"]), c["mean"])
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


# --- 晋级: the top M, or a quota per category, with a preview count ----------------------------


class AdvanceForm(forms.Form):
    MODES = [("top", gettext_lazy("按总成绩取前 M 名")), ("category", gettext_lazy("按类别分配名额"))]

    mode = forms.ChoiceField(
        label=gettext_lazy("晋级方式"), choices=MODES, widget=forms.RadioSelect, initial="top"
    )
    top = forms.IntegerField(label=gettext_lazy("晋级数量 M"), min_value=1, max_value=100000, required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for category in self.categories:
            self.fields[f"quota_{category.code}"] = forms.IntegerField(
                label=category.label, min_value=0, max_value=100000, required=False
            )

    def quota_fields(self):
        return [(category, self[f"quota_{category.code}"]) for category in self.categories]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "top" and not cleaned.get("top"):
            self.add_error("top", _("请填写晋级数量。"))
        if cleaned.get("mode") == "category" and not any(
            cleaned.get(f"quota_{c.code}") for c in self.categories
        ):
            raise forms.ValidationError(_("请至少为一个类别填写晋级名额。"))
        return cleaned

    def rule(self) -> dict:
        """Keyword arguments for ``result_services.advance``."""
        if self.cleaned_data["mode"] == "category":
            return {
                "per_category": {
                    c.code: self.cleaned_data[f"quota_{c.code}"]
                    for c in self.categories
                    if self.cleaned_data.get(f"quota_{c.code}")
                }
            }
        return {"top": self.cleaned_data["top"]}


class AdvanceView(RoundPageView):
    page_name = "advance"
    template_name = "judging/admin/results/round_advance.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        categories = result_selectors.contest_categories(contest=self.round.contest)
        form = kwargs.get("form")
        if form is None:
            form = (
                AdvanceForm(self.request.GET, categories=categories)
                if "mode" in self.request.GET
                else AdvanceForm(categories=categories)
            )
        rule = form.rule() if form.is_bound and form.is_valid() else {}
        preview = result_selectors.advance_preview(round=self.round, **rule)
        counts = preview["counts"]
        context.update(
            form=form,
            previewed=bool(rule),
            preview=preview,
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
            later=result_selectors.later_rounds(round=self.round),
            query=self.request.GET.urlencode(),
        )
        return context

    def post(self, request, *args, **kwargs):
        categories = result_selectors.contest_categories(contest=self.round.contest)
        form = AdvanceForm(request.POST, categories=categories)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            count = result_services.advance(round=self.round, by=request.user, **form.rule())
        except JudgingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已确定 %(count)s 个项目晋级下一轮。") % {"count": count})
        return redirect(self.url())


def round_urlpatterns():
    """Added to the round viewset's URLs (namespace ``judging_rounds``)."""
    return [
        path("<int:pk>/results/", ResultsView.as_view(), name="results"),
        path("<int:pk>/judge-stats/", JudgeStatsView.as_view(), name="judge_stats"),
        path("<int:pk>/advance/", AdvanceView.as_view(), name="advance"),
    ]


# --- 入围名单: the contest's shortlist ---------------------------------------------------------

SHORTLIST_PAGES = [
    ("shortlist", gettext_lazy("入围名单")),
    ("preview", gettext_lazy("筛选预览")),
    ("objections", gettext_lazy("异议处理")),
    ("events", gettext_lazy("记录")),
]
SHORTLIST_LABELS = dict(SHORTLIST_PAGES)

PROBLEMS = {
    "too_few_entries": gettext_lazy("有成绩的项目只有 %(available)s 个，不够入围 %(needed)s 个。"),
    "category_min": gettext_lazy(
        "“%(category)s”类要求至少 %(needed)s 个，但最多只能选出 %(available)s 个"
        "（有成绩的项目不够，或受每县上限所限）。"
    ),
    "category_min_above_max": gettext_lazy("“%(category)s”类的最少数量 %(min)s 大于最多数量 %(max)s。"),
    "minimums_above_size": gettext_lazy("各类别最少数量之和为 %(sum)s，超过了入围数量 %(size)s。"),
    "caps_below_size": gettext_lazy(
        "在各类别最多数量和每县上限之下，最多只能选出 %(capacity)s 个项目，不够入围 %(size)s 个。"
    ),
}
DISPLACED = {
    "county_cap": gettext_lazy("%(entry)s 因%(county)s已达每县上限，被 %(other)s 替换"),
    "category_max": gettext_lazy("%(entry)s 因“%(category)s”类已达最多数量，被 %(other)s 替换"),
    "category_min": gettext_lazy("%(entry)s 被 %(other)s 替换，以满足“%(category)s”类的最少数量"),
}
DISPLACED_ALONE = {
    "county_cap": gettext_lazy("%(entry)s 因%(county)s已达每县上限而落选"),
    "category_max": gettext_lazy("%(entry)s 因“%(category)s”类已达最多数量而落选"),
    "category_min": gettext_lazy("%(entry)s 为满足“%(category)s”类的最少数量而落选"),
}


def entry_label(round_entry: RoundEntry | None, fallback) -> str:
    if round_entry is None:
        return _("项目 %(id)s") % {"id": fallback}
    result = getattr(round_entry, "result", None)
    if result is None:
        return _("%(title)s（%(code)s）") % {
            "title": round_entry.entry.title,
            "code": round_entry.blind_code,
        }
    return _("%(title)s（%(code)s，第 %(rank)s 名）") % {
        "rank": result.combined_rank,
        "title": round_entry.entry.title,
        "code": round_entry.blind_code,
    }


def report_ids(report: dict) -> set[int]:
    """Entry ids a report names (displaced entries and those who took their places)."""
    ids = set()
    for item in report.get("displaced", []):
        ids.add(item["entry"])
        if item.get("replaced_by"):
            ids.add(item["replaced_by"])
    return ids


def report_lines(report: dict, *, round: Round, categories: dict) -> dict:
    """The report of a shortlist (stored, or of a preview) in words: one line per problem
    and one per displaced entry (three queries at most, whatever the size)."""
    displaced = report.get("displaced", [])
    entries = (
        result_selectors.round_entries_for_report(round=round, entry_ids=report_ids(report))
        if displaced
        else {}
    )
    counties = (
        result_selectors.counties_named(ids={d["group"] for d in displaced if d["reason"] == "county_cap"})
        if displaced
        else {}
    )

    def category_name(pk):
        category = categories.get(pk)
        return category.label if category else "—"

    problems = []
    for problem in report.get("problems", []):
        template = PROBLEMS.get(problem.get("kind"))
        if template is None:
            problems.append(_("这些条件无法同时满足，请调整后再试。"))
            continue
        values = {**problem}
        if "category" in problem:
            values["category"] = category_name(problem["category"])
        problems.append(str(template) % values)
    lines = []
    for item in displaced:
        county = counties.get(item["group"])
        values = {
            "entry": entry_label(entries.get(item["entry"]), item["entry"]),
            "other": entry_label(entries.get(item.get("replaced_by")), item.get("replaced_by")),
            "county": county.name if county else "—",
            "category": category_name(item["group"]),
        }
        table = DISPLACED if item.get("replaced_by") else DISPLACED_ALONE
        lines.append(str(table.get(item["reason"], DISPLACED_ALONE["category_min"])) % values)
    return {"problems": problems, "displaced": lines, "promoted": len(report.get("promoted", []))}


class ShortlistPageView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    """A page about a contest's shortlist: organizers and supervisors only; supervisors read."""

    page_name = ""
    header_icon = "list-ol"

    def load(self, **kwargs):
        self.contest = result_selectors.contest_for_shortlist(pk=kwargs["contest_id"])
        if self.contest is None:
            raise Http404
        self.shortlist = result_selectors.contest_shortlist(contest=self.contest)

    def url(self, name: str | None = None) -> str:
        return reverse(f"judging_shortlist:{name or self.page_name}", args=[self.contest.pk])

    def get_page_title(self):
        return SHORTLIST_LABELS[self.page_name]

    def get_page_subtitle(self):
        return self.contest.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("judging_shortlist:index"), "label": _("入围名单")},
            {"url": self.url("shortlist"), "label": self.contest.title},
            {"url": "", "label": SHORTLIST_LABELS[self.page_name]},
        ]

    @cached_property
    def categories(self) -> dict:
        return {c.pk: c for c in result_selectors.contest_categories(contest=self.contest)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contest=self.contest,
            shortlist=self.shortlist,
            can_change=self.can_change,
            editable=self.shortlist is not None and self.shortlist.status != Shortlist.Status.FINALIZED,
            shortlist_nav=[
                {"label": label, "url": self.url(name), "current": name == self.page_name}
                for name, label in SHORTLIST_PAGES
            ],
        )
        return context

    def done(self, text: str):
        messages.success(self.request, text)
        return redirect(self.url())


class ShortlistIndexView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    template_name = "judging/admin/results/shortlist_index.html"
    page_title = gettext_lazy("入围名单")
    header_icon = "list-ol"
    read_only = True

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": _("入围名单")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contests"] = result_selectors.contests_for_shortlist()
        return context


# The shortlist tab: the list, its overrides, the notice and finalization.


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=gettext_lazy("理由"),
            required=False,  # the service says what is missing, in its words
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=gettext_lazy("必填，记入入围名单记录，监委可查。"),
            **kwargs,
        )


class AddForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("调入项目的匿名编号"), max_length=12)
    reason = ReasonField()


class RemoveForm(forms.Form):
    entry = forms.TypedChoiceField(label=gettext_lazy("调出的项目"), coerce=int)
    reason = ReasonField()

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("请选择项目"))] + [
            (item.entry_id, f"{item.rank}. {item.entry.title}") for item in items
        ]


class SwapForm(RemoveForm):
    code = forms.CharField(label=gettext_lazy("换入项目的匿名编号"), max_length=12)
    field_order = ["entry", "code", "reason"]


class NoticeForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("公示天数"),
        min_value=1,
        max_value=60,
        initial=5,
        help_text=gettext_lazy("从现在开始计算；公示期内公众可以提出异议。"),
    )


OVERRIDE_FORMS = {"add": AddForm, "remove": RemoveForm, "swap": SwapForm}


class ShortlistView(ShortlistPageView):
    page_name = "shortlist"
    template_name = "judging/admin/results/shortlist.html"

    def forms(self, items, bound=None) -> dict:
        made = {
            "add_form": AddForm(prefix="add"),
            "remove_form": RemoveForm(prefix="remove", items=items),
            "swap_form": SwapForm(prefix="swap", items=items),
            "notice_form": NoticeForm(prefix="notice"),
        }
        if bound is not None:
            made[f"{bound[0]}_form"] = bound[1]
        return made

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shortlist = self.shortlist
        if shortlist is None:
            return context
        items = kwargs.get("items") or result_selectors.shortlist_items(shortlist=shortlist)
        editable = shortlist.status != Shortlist.Status.FINALIZED
        counts = {"computed": 0, "override": 0}
        for item in items:
            counts[item.via] = counts.get(item.via, 0) + 1
        categories = self.categories
        by_code = {c.code: c for c in categories.values()}
        context.update(
            items=items,
            counts=counts,
            report=report_lines(shortlist.report or {}, round=shortlist.round, categories=categories),
            constraints=[
                {
                    "category": by_code[code].label if code in by_code else code,
                    "min": shortlist.category_min.get(code, ""),
                    "max": shortlist.category_max.get(code, ""),
                }
                for code in sorted(
                    set(shortlist.category_min) | set(shortlist.category_max),
                    key=lambda code: (by_code[code].sort_order if code in by_code else 999, code),
                )
            ],
            objections=result_selectors.shortlist_objection_counts(shortlist=shortlist),
            reserve=result_selectors.shortlist_reserve(shortlist=shortlist) if editable else [],
            **self.forms(items, kwargs.get("bound")),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.shortlist is None:
            raise Http404
        action = request.POST.get("action")
        if action in OVERRIDE_FORMS:
            return self.override(action)
        if action == "publish":
            form = NoticeForm(request.POST, prefix="notice")
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(bound=("notice", form)))
            try:
                shortlist = result_services.notice_publish(
                    shortlist=self.shortlist, by=request.user, days=form.cleaned_data["days"]
                )
            except JudgingError as error:
                messages.error(request, error.message)
                return redirect(self.url())
            return self.done(
                _("入围名单已发布公示，公示期至 %(end)s。")
                % {"end": date_format(timezone.localtime(shortlist.notice_ends_at), "Y-m-d H:i")}
            )
        if action == "finalize":
            try:
                featured = result_services.shortlist_finalize(shortlist=self.shortlist, by=request.user)
            except JudgingError as error:
                messages.error(request, error.message)
                return redirect(self.url())
            return self.done(_("入围名单已正式公布：%(count)s 个优秀项目。") % {"count": len(featured)})
        raise Http404

    def override(self, action: str):
        items = result_selectors.shortlist_items(shortlist=self.shortlist)
        form_class = OVERRIDE_FORMS[action]
        kwargs = {"items": items} if action != "add" else {}
        form = form_class(self.request.POST, prefix=action, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                text = self.apply(action, data)
            except JudgingError as error:
                form.add_error(None, error.message)
            else:
                return self.done(text)
        messages.error(self.request, _("调整没有完成，请看表单中的提示。"))
        return self.render_to_response(self.get_context_data(items=items, bound=(action, form)))

    def apply(self, action: str, data: dict) -> str:
        """Run one override through the service; returns what to tell the organizer."""
        shortlist, by, reason = self.shortlist, self.request.user, data["reason"]
        incoming = None
        if action in ("add", "swap"):
            incoming = result_selectors.shortlist_round_entry(shortlist=shortlist, blind_code=data["code"])
            if incoming is None:
                raise JudgingError(
                    _("本名单的来源轮次中没有匿名编号为“%(code)s”的项目。") % {"code": data["code"].strip()}
                )
        outgoing = None
        if action in ("remove", "swap"):
            outgoing = result_selectors.shortlist_item(shortlist=shortlist, entry_id=data["entry"])
            if outgoing is None:
                raise JudgingError(_("该项目不在入围名单中。"))
        if action == "add":
            result_services.shortlist_add(shortlist=shortlist, entry=incoming.entry, reason=reason, by=by)
            return _("已将“%(title)s”调入入围名单。") % {"title": incoming.entry.title}
        if action == "remove":
            result_services.shortlist_remove(shortlist=shortlist, entry=outgoing.entry, reason=reason, by=by)
            return _("已将“%(title)s”调出入围名单。") % {"title": outgoing.entry.title}
        result_services.shortlist_swap(
            shortlist=shortlist, out_entry=outgoing.entry, in_entry=incoming.entry, reason=reason, by=by
        )
        return _("已用“%(in)s”替换“%(out)s”。") % {"in": incoming.entry.title, "out": outgoing.entry.title}


# The preview tab: the what-if form, its selection and report, and the commit.


class WhatIfForm(forms.Form):
    round = forms.TypedChoiceField(label=gettext_lazy("成绩来源轮次"), coerce=int)
    size = forms.IntegerField(label=gettext_lazy("入围数量"), min_value=1, max_value=100000, initial=100)
    county_cap = forms.IntegerField(
        label=gettext_lazy("每县上限"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=gettext_lazy("每个县（市、区）最多入围的项目数；留空表示不限。"),
    )

    def __init__(self, *args, rounds=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = {r.pk: r for r in rounds}
        self.fields["round"].choices = [(r.pk, r.name) for r in rounds]
        self.categories = list(categories)
        for category in self.categories:
            for bound in ("min", "max"):
                self.fields[f"{bound}_{category.code}"] = forms.IntegerField(
                    label=category.label, min_value=0, max_value=100000, required=False
                )

    def category_rows(self):
        return [(c, self[f"min_{c.code}"], self[f"max_{c.code}"]) for c in self.categories]

    def constraints(self) -> dict:
        """Keyword arguments for ``result_services.shortlist_preview`` / ``shortlist_commit``."""
        data = self.cleaned_data
        return {
            "round": self.rounds[data["round"]],
            "size": data["size"],
            "county_cap": data.get("county_cap"),
            "category_min": {
                c.code: data[f"min_{c.code}"]
                for c in self.categories
                if data.get(f"min_{c.code}") is not None
            },
            "category_max": {
                c.code: data[f"max_{c.code}"]
                for c in self.categories
                if data.get(f"max_{c.code}") is not None
            },
        }


class ShortlistPreviewView(ShortlistPageView):
    page_name = "preview"
    template_name = "judging/admin/results/shortlist_preview.html"

    def make_form(self, data=None) -> WhatIfForm:
        rounds = result_selectors.rounds_with_results(contest=self.contest)
        categories = list(self.categories.values())
        if data is not None:
            return WhatIfForm(data, rounds=rounds, categories=categories)
        initial = {"size": 100, "round": rounds[0].pk if rounds else None}
        shortlist = self.shortlist
        if shortlist is not None:
            initial.update(size=shortlist.size, county_cap=shortlist.county_cap, round=shortlist.round_id)
            initial.update({f"min_{code}": n for code, n in shortlist.category_min.items()})
            initial.update({f"max_{code}": n for code, n in shortlist.category_max.items()})
        return WhatIfForm(initial=initial, rounds=rounds, categories=categories)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.make_form(self.request.GET if "size" in self.request.GET else None)
        committable = self.shortlist is None or self.shortlist.status == Shortlist.Status.COMMITTED
        context.update(form=form, committable=committable, has_rounds=bool(form.rounds))
        if form.is_bound and form.is_valid():
            constraints = form.constraints()
            try:
                result, _rules = result_services.shortlist_preview(**constraints)
            except JudgingError as error:
                form.add_error(None, error.message)
                return context
            round = constraints["round"]
            report = {
                "problems": result.problems,
                "displaced": [d.__dict__ for d in result.displaced],
                "promoted": result.promoted,
            }
            entries = result_selectors.round_entries_for_report(
                round=round, entry_ids=set(result.selected) | report_ids(report)
            )
            promoted = set(result.promoted)
            rows = [{"round_entry": entries.get(e), "promoted": e in promoted} for e in result.selected]
            context.update(
                result=result,
                rows=rows,
                report=report_lines(report, round=round, categories=self.categories),
                by_category=self.tally(rows, constraints, "category"),
                by_county=self.tally(rows, constraints, "county"),
                query=self.request.GET.urlencode(),
            )
        return context

    def tally(self, rows, constraints, kind: str) -> list[dict]:
        """How many of the selection fall in each category (with its bounds) or county."""
        counts: dict = {}
        for row in rows:
            round_entry = row["round_entry"]
            if round_entry is None:
                continue
            if kind == "category":
                key = round_entry.entry.category
            else:
                key = round_entry.entry.team.organization.county
            counts[key] = counts.get(key, 0) + 1
        if kind == "county":
            return [
                {"name": county.name, "count": n, "limit": constraints["county_cap"]}
                for county, n in sorted(counts.items(), key=lambda kv: (kv[0].sort_order, kv[0].name))
            ]
        return [
            {
                "name": category.label,
                "count": counts.get(category, 0),
                "min": constraints["category_min"].get(category.code),
                "max": constraints["category_max"].get(category.code),
            }
            for category in self.categories.values()
        ]

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            shortlist = result_services.shortlist_commit(by=request.user, **form.constraints())
        except JudgingError as error:
            messages.error(request, error.message)
            return redirect(self.url())
        messages.success(
            request, _("已确定入围名单：%(count)s 个项目。") % {"count": shortlist.items.count()}
        )
        return redirect(self.url("shortlist"))


# The objections tab: every objection with the organizers' answers.

OBJECTIONS_PER_PAGE = 20


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("答复"),
        required=False,  # the service says what is missing
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ObjectionsView(ShortlistPageView):
    page_name = "objections"
    template_name = "judging/admin/results/shortlist_objections.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.shortlist is None:
            return context
        paginator = WagtailPaginator(
            result_selectors.shortlist_objections(shortlist=self.shortlist), OBJECTIONS_PER_PAGE
        )
        page = paginator.get_page(self.request.GET.get("p"))
        bound = kwargs.get("bound")
        for objection in page:
            objection.form = (
                bound[1]
                if bound and bound[0] == objection.pk
                else AnswerForm(prefix=f"o{objection.pk}", initial={"answer": objection.answer})
            )
        context.update(
            objections=page,
            elided_page_range=paginator.get_elided_page_range(page.number),
            counts=result_selectors.shortlist_objection_counts(shortlist=self.shortlist),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.shortlist is None:
            raise Http404
        objection = result_selectors.shortlist_objection(
            shortlist=self.shortlist, pk=request.POST.get("objection")
        )
        if objection is None:
            raise Http404
        form = AnswerForm(request.POST, prefix=f"o{objection.pk}")
        if form.is_valid():
            try:
                result_services.objection_answer(
                    objection=objection, answer=form.cleaned_data["answer"], by=request.user
                )
            except JudgingError as error:
                form.add_error("answer", error.message)
            else:
                messages.success(request, _("已答复 %(name)s 的异议。") % {"name": objection.name})
                return redirect(self.url() + _query_suffix(request))
        return self.render_to_response(self.get_context_data(bound=(objection.pk, form)))


# The log tab.


class ShortlistEventsView(ShortlistPageView):
    page_name = "events"
    template_name = "judging/admin/results/shortlist_events.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.shortlist is None:
            return context
        page, page_range = paginate(self.request, result_selectors.shortlist_events(shortlist=self.shortlist))
        for event in page:
            event.before_text = _changes(event.before)
            event.after_text = _changes(event.after)
        context.update(events=page, elided_page_range=page_range)
        return context


class ShortlistViewSet(ViewSet):
    """入围名单 under 评审管理: one page per contest."""

    name = "judging_shortlist"
    url_prefix = "judging/shortlist"
    icon = "list-ol"
    menu_label = gettext_lazy("入围名单")
    menu_item_class = BackOfficeMenuItem

    def get_urlpatterns(self):
        return [
            path("", ShortlistIndexView.as_view(), name="index"),
            path("<int:contest_id>/", ShortlistView.as_view(), name="shortlist"),
            path("<int:contest_id>/preview/", ShortlistPreviewView.as_view(), name="preview"),
            path("<int:contest_id>/objections/", ObjectionsView.as_view(), name="objections"),
            path("<int:contest_id>/events/", ShortlistEventsView.as_view(), name="events"),
        ]
