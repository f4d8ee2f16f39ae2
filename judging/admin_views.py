"""Per-round pages of the judging back office, reached from the round listing.

Organizers run them; supervisors (监督委员会) read every one of them and change nothing (their
POSTs are 404); anyone else in the back office gets a 404. Reads come from
``judging.selectors`` (a constant number of queries per page), writes from
``judging.services``, whose ``JudgingError`` messages are shown as they are.
"""

import json

from django import forms
from django.contrib import messages
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from competition.admin_access import OrganizersChangeSupervisorsRead
from competition.models import Entry

from . import selectors, services
from .models import Assignment, AssignmentRun, Judge, JudgingEvent, Round, RoundEntry, ScoreSheet

# (url name, label, icon), in the order of a round's life.
ROUND_PAGES = [
    ("status", gettext_lazy("状态"), "time"),
    ("masked", gettext_lazy("匿名文本"), "no-view"),
    ("assign", gettext_lazy("分配评委"), "group"),
    ("adjust", gettext_lazy("手工调整"), "edit"),
    ("progress", gettext_lazy("评审进度"), "tasks"),
    ("sheets", gettext_lazy("评分表"), "form"),
    # The results pages (judging.result_admin_views).
    ("results", gettext_lazy("成绩"), "table"),
    ("judge_stats", gettext_lazy("评委统计"), "user"),
    ("advance", gettext_lazy("晋级"), "arrow-right"),
    ("events", gettext_lazy("记录"), "history"),
]
PAGE_LABELS = {name: label for name, label, _icon in ROUND_PAGES}
PER_PAGE = 50
OPEN_FOR_ASSIGNMENT = (Round.Status.SETUP, Round.Status.SCORING)

# Status changes offered here (publishing belongs to the results pages).
TRANSITIONS = {
    (Round.Status.SETUP, Round.Status.SCORING): (
        gettext_lazy("开始评分"),
        gettext_lazy(
            "评委将看到分配给自己的项目并开始评分。开始后不能再修改匿名文本，评分标准也不能再增删评分项或修改满分、权重。"
        ),
    ),
    (Round.Status.SCORING, Round.Status.CLOSED): (
        gettext_lazy("截止评分"),
        gettext_lazy(
            "所有评分表将被锁定，评委不能再修改；如有需要，可以单独重开某一份评分表（须填写原因）。"
        ),
    ),
    (Round.Status.CLOSED, Round.Status.SCORING): (
        gettext_lazy("重新开放"),
        gettext_lazy("评委可以继续提交和修改评分表，直到再次截止。"),
    ),
}


def category_label(name: str | None, name_en: str | None) -> str:
    """A category's name in the page's language (as ``Category.label``)."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name or "—"


def paginate(request, queryset, per_page: int = PER_PAGE):
    """A page of a queryset (a count and a slice) and the page numbers to link to."""
    paginator = WagtailPaginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("p"))
    return page, paginator.get_elided_page_range(page.number)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RoundPageView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    """A page about one round: organizers and supervisors only; supervisors only read."""

    page_name = ""
    header_icon = "date"

    def load(self, **kwargs):
        self.round = selectors.round_for_admin(pk=kwargs["pk"])
        if self.round is None:
            raise Http404

    def url(self, name: str | None = None, *args) -> str:
        return reverse(f"judging_rounds:{name or self.page_name}", args=[self.round.pk, *args])

    def get_page_title(self):
        return PAGE_LABELS[self.page_name]

    def get_page_subtitle(self):
        return self.round.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("judging_rounds:index"), "label": _("评审轮次")},
            {"url": self.url("status"), "label": str(self.round)},
            {"url": "", "label": PAGE_LABELS[self.page_name]},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            round=self.round,
            can_change=self.can_change,
            round_nav=[
                {"label": label, "url": self.url(name), "current": name == self.page_name}
                for name, label, _icon in ROUND_PAGES
            ],
            edit_url=reverse("judging_rounds:edit", args=[self.round.pk]) if self.can_change else "",
        )
        return context


# --- 状态: overview, rubric and status changes ---------------------------------------------------


class RoundStatusView(RoundPageView):
    page_name = "status"
    template_name = "judging/admin/round_status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            summary=selectors.round_summary(round=self.round),
            criteria=list(self.round.criteria.all()),
            transitions=[
                {"label": label, "help": help_text, "url": self.url("status_confirm", new)}
                for (old, new), (label, help_text) in TRANSITIONS.items()
                if old == self.round.status
            ],
            overdue=self.round.status == Round.Status.SCORING and self.round.scoring_closes < timezone.now(),
        )
        return context


class StatusChangeForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明（可选）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("记入本轮的评审记录。"),
    )


class RoundStatusConfirmView(RoundPageView):
    page_name = "status"
    template_name = "judging/admin/round_status_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        self.target = kwargs["status"]
        return super().dispatch(request, *args, **kwargs)

    def transition(self):
        return TRANSITIONS.get((self.round.status, self.target))

    def warnings(self, summary) -> list[str]:
        found = []
        if self.target == Round.Status.SCORING and self.round.status == Round.Status.SETUP:
            if summary["assignments"] == 0:
                found.append(_("本轮还没有分配评委，评委开始评分前请先运行“分配评委”。"))
            elif summary["short"]:
                found.append(
                    _("有 %(count)s 个项目的评委少于 %(k)s 位。")
                    % {"count": summary["short"], "k": self.round.judges_per_entry}
                )
        if self.target == Round.Status.CLOSED:
            unfinished = summary["assignments"] - summary["submitted"]
            if unfinished:
                found.append(
                    _("还有 %(count)s 份评分表没有提交（其中 %(drafts)s 份已暂存），截止后这些评分不会计入。")
                    % {"count": unfinished, "drafts": summary["drafts"]}
                )
        return found

    def get(self, request, *args, **kwargs):
        if self.transition() is None:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        label, help_text = self.transition()
        summary = selectors.round_summary(round=self.round)
        context.update(
            label=label,
            help=help_text,
            summary=summary,
            warnings=self.warnings(summary),
            form=kwargs.get("form") or StatusChangeForm(),
            new_status=Round.Status(self.target).label,
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.transition() is None:
            # The page was out of date (someone else changed the status), or not offered here.
            messages.error(request, _("本轮当前的状态不能进行这项变更。"))
            return redirect(self.url("status"))
        form = StatusChangeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.round_set_status(
                round=self.round, status=self.target, by=request.user, note=form.cleaned_data["note"]
            )
        except services.JudgingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("本轮状态已变为“%(status)s”。") % {"status": Round.Status(self.target).label}
            )
        return redirect(self.url("status"))


# --- 分配评委: run the assigner and read its report ---------------------------------------------


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
        run = selectors.latest_assignment_run(round=self.round)
        running = run is not None and run.status in (
            AssignmentRun.Status.QUEUED,
            AssignmentRun.Status.RUNNING,
        )
        report = run.report if run is not None and run.status == AssignmentRun.Status.DONE else {}
        context.update(
            run=run,
            running=running,
            report=report,
            can_run=self.can_change and self.round.status in OPEN_FOR_ASSIGNMENT and not running,
            coverage=[
                {**row, "category": category_label(row["category"], row["category_en"])}
                for row in selectors.round_coverage_by_category(round=self.round)
            ],
        )
        if report:
            context.update(self.report_context(report))
        return context

    def report_context(self, report: dict) -> dict:
        k = report.get("k", self.round.judges_per_entry)
        loads = report.get("loads", {})
        judges = selectors.judges_named(ids=[int(pk) for pk in loads])
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
            selectors.round_entries_named(round=self.round, ids=[item["round_entry"] for item in shown])
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
        run = selectors.latest_assignment_run(round=self.round)
        if self.round.status not in OPEN_FOR_ASSIGNMENT:
            messages.error(request, _("评分已截止的轮次不能再分配。"))
        elif run is not None and run.status in (AssignmentRun.Status.QUEUED, AssignmentRun.Status.RUNNING):
            messages.warning(request, _("分配正在进行，请等它完成。"))
        else:
            services.assign_round_in_background(round=self.round, by=request.user)
            messages.success(request, _("已开始自动分配，本页会显示进度。"))
        return redirect(self.url())


# --- 手工调整: add, remove or swap one entry's judges --------------------------------------------


class AdjustView(RoundPageView):
    page_name = "adjust"
    template_name = "judging/admin/round_adjust.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        code = (self.request.GET.get("code") or "").strip()
        round_entry = selectors.round_entry_for_admin(round=self.round, blind_code=code) if code else None
        context.update(
            code=code,
            round_entry=round_entry,
            not_found=bool(code) and round_entry is None,
            can_adjust=self.can_change and self.round.status in OPEN_FOR_ASSIGNMENT,
        )
        if round_entry is None:
            context["short"] = selectors.round_entries_short(round=self.round)
            return context
        assignments = selectors.round_entry_assignments(round_entry=round_entry)
        organization = round_entry.entry.team.organization
        conflicted = selectors.conflicted_judge_ids(entry_id=round_entry.entry_id)
        assigned = {a.judge_id for a in assignments}
        options = []
        for judge in selectors.judges_with_round_load(round=self.round):
            if judge.pk in assigned:
                continue
            if judge.county_id is not None and judge.county_id == organization.county_id:
                flag = _("同县（市、区），需回避")
            elif judge.organization_id is not None and judge.organization_id == organization.pk:
                flag = _("同单位，需回避")
            elif judge.pk in conflicted:
                flag = _("已申报或设定回避")
            else:
                flag = ""
            options.append({"judge": judge, "flag": flag})
        context.update(assignments=assignments, options=options, organization=organization)
        return context

    def post(self, request, *args, **kwargs):
        code = (request.POST.get("code") or "").strip()
        round_entry = selectors.round_entry_for_admin(round=self.round, blind_code=code)
        if round_entry is None:
            messages.error(request, _("没有找到这个匿名编号的参评项目。"))
            return redirect(self.url())
        target = f"{self.url()}?code={round_entry.blind_code}"
        if self.round.status not in OPEN_FOR_ASSIGNMENT:
            messages.error(request, _("评分已截止的轮次不能再分配。"))
            return redirect(target)
        action = request.POST.get("action")
        judge = Judge.objects.filter(pk=_int(request.POST.get("judge"))).first()
        assignment = (
            Assignment.objects.filter(round_entry=round_entry, pk=_int(request.POST.get("assignment")))
            .select_related("judge", "round_entry")
            .first()
        )
        names = {"code": round_entry.blind_code}
        try:
            if action == "add" and judge is not None:
                services.assignment_add(round_entry=round_entry, judge=judge, by=request.user)
                messages.success(
                    request, _("已为 %(code)s 增加评委 %(judge)s。") % {**names, "judge": judge.name}
                )
            elif action == "remove" and assignment is not None:
                services.assignment_remove(assignment=assignment, by=request.user, note=_("组委会手工撤销"))
                messages.success(
                    request,
                    _("已撤销 %(judge)s 对 %(code)s 的评审任务。")
                    % {**names, "judge": assignment.judge.name},
                )
            elif action == "swap" and assignment is not None and judge is not None:
                services.assignment_swap(assignment=assignment, judge=judge, by=request.user)
                messages.success(
                    request,
                    _("%(code)s 的评委已由 %(old)s 换为 %(new)s。")
                    % {**names, "old": assignment.judge.name, "new": judge.name},
                )
            else:
                messages.error(request, _("请选择评委。"))
        except services.JudgingError as error:
            messages.error(request, error.message)
        return redirect(target)


# --- 评审进度: per judge, per category, per entry; reminders ------------------------------------


class ProgressView(RoundPageView):
    page_name = "progress"
    template_name = "judging/admin/round_progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        past_due = timezone.now() > self.round.scoring_closes
        judges = list(selectors.round_progress_by_judge(round=self.round))
        for judge in judges:
            judge.not_started = judge.assigned - judge.submitted - judge.drafts
            judge.unfinished = judge.assigned - judge.submitted
            judge.overdue = past_due and judge.unfinished > 0
        categories = list(selectors.round_progress_by_category(round=self.round))
        for row in categories:
            row["not_started"] = row["assigned"] - row["submitted"] - row["drafts"]
            row["category"] = category_label(
                row["round_entry__entry__category__name"], row["round_entry__entry__category__name_en"]
            )
        totals = {
            key: sum(getattr(judge, key) for judge in judges)
            for key in ("assigned", "submitted", "drafts", "not_started")
        }
        totals["percent"] = round(100 * totals["submitted"] / totals["assigned"]) if totals["assigned"] else 0
        entry_filter = self.request.GET.get("entries", "")
        entries = selectors.round_progress_by_entry(round=self.round)
        if entry_filter == "incomplete":
            entries = entries.filter(
                Q(submitted__lt=F("assigned")) | Q(assigned__lt=self.round.judges_per_entry)
            )
        page, page_range = paginate(self.request, entries)
        context.update(
            judges=judges,
            overdue=[judge for judge in judges if judge.overdue],
            unfinished_judges=sum(1 for judge in judges if judge.unfinished),
            past_due=past_due,
            categories=categories,
            totals=totals,
            entries=page,
            elided_page_range=page_range,
            entry_filter=entry_filter,
            can_remind=self.can_change and self.round.status == Round.Status.SCORING,
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.round.status != Round.Status.SCORING:
            messages.error(request, _("只有评分中的轮次才能发送催评提醒。"))
            return redirect(self.url())
        judge = None
        if request.POST.get("judge"):
            judge = Judge.objects.filter(pk=_int(request.POST.get("judge"))).first()
            if judge is None:
                raise Http404
        count = services.reminders_request(round=self.round, judge=judge, by=request.user)
        if count:
            messages.success(request, _("已向 %(count)s 位评委发送催评提醒。") % {"count": count})
        else:
            messages.info(request, _("没有需要提醒的评委：评分表都已提交。"))
        return redirect(self.url())


# --- 匿名文本: what judges read, next to the original ---------------------------------------------


class MaskedListView(RoundPageView):
    page_name = "masked"
    template_name = "judging/admin/round_masked.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        page, page_range = paginate(
            self.request, selectors.round_masked_entries(round=self.round, query=query)
        )
        context.update(
            entries=page,
            elided_page_range=page_range,
            query=query,
            editable=self.round.status == Round.Status.SETUP,
        )
        return context


class MaskedTextForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(RoundEntry, fields=services.MASKED_FIELDS))


class MaskedEditView(RoundPageView):
    page_name = "masked"
    template_name = "judging/admin/round_masked_edit.html"

    def dispatch(self, request, *args, **kwargs):
        self.code = kwargs["code"]
        return super().dispatch(request, *args, **kwargs)

    def get_round_entry(self) -> RoundEntry:
        round_entry = selectors.round_entry_for_admin(round=self.round, blind_code=self.code)
        if round_entry is None:
            raise Http404
        return round_entry

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        items[-1] = {"url": self.url(), "label": PAGE_LABELS["masked"]}
        return items + [{"url": "", "label": self.code}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_entry = kwargs.get("round_entry") or self.get_round_entry()
        editable = self.can_change and self.round.status == Round.Status.SETUP
        form = kwargs.get("form") or MaskedTextForm(
            initial={name: getattr(round_entry, name) for name in services.MASKED_FIELDS}
        )
        terms = selectors.entry_identifying_terms(entry=round_entry.entry)
        masked = " ".join(getattr(round_entry, name) for name in services.MASKED_FIELDS)
        context.update(
            round_entry=round_entry,
            entry=round_entry.entry,
            editable=editable,
            setup=self.round.status == Round.Status.SETUP,
            form=form,
            fields=[
                {
                    "label": Entry._meta.get_field(name).verbose_name,
                    "original": getattr(round_entry.entry, name),
                    "masked": getattr(round_entry, name),
                    "field": form[name],
                }
                for name in services.MASKED_FIELDS
            ],
            terms=terms,
            leftovers=[term for term in terms if term in masked],
        )
        return context

    def post(self, request, *args, **kwargs):
        round_entry = self.get_round_entry()
        form = MaskedTextForm(request.POST)
        if form.is_valid():
            # Only what changed goes to the service (and so into the log's before and after).
            texts = {name: value.replace("\r\n", "\n") for name, value in form.cleaned_data.items()}
            changed = {name: value for name, value in texts.items() if value != getattr(round_entry, name)}
            try:
                services.round_entry_edit_masked(round_entry=round_entry, data=changed, by=request.user)
            except services.JudgingError as error:
                messages.error(request, error.message)
                return redirect(self.url("masked_edit", round_entry.blind_code))
            messages.success(request, _("已保存 %(code)s 的匿名文本。") % {"code": round_entry.blind_code})
            return redirect(self.url("masked_edit", round_entry.blind_code))
        return self.render_to_response(self.get_context_data(form=form, round_entry=round_entry))


# --- 评分表: the round's sheets; reopen one with a reason ---------------------------------------


class SheetsView(RoundPageView):
    page_name = "sheets"
    template_name = "judging/admin/round_sheets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        status = status if status in selectors.SHEET_FILTERS else ""
        query = self.request.GET.get("q", "")
        sheets = selectors.round_sheets(round=self.round, status=status, query=query)
        page, page_range = paginate(self.request, sheets)
        context.update(
            sheets=page,
            elided_page_range=page_range,
            status=status,
            query=query,
            status_choices=[
                ("", _("全部")),
                ("draft", ScoreSheet.Status.DRAFT.label),
                ("submitted", ScoreSheet.Status.SUBMITTED.label),
                ("reopened", _("已重开")),
            ],
            can_reopen=self.can_change and self.round.status in (Round.Status.SCORING, Round.Status.CLOSED),
        )
        return context


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("重开原因"),
        required=False,  # the service says what is missing, in its words
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("记入评审记录；评委可以修改后重新提交。"),
    )


class SheetReopenView(RoundPageView):
    page_name = "sheets"
    template_name = "judging/admin/round_sheet_reopen.html"

    def dispatch(self, request, *args, **kwargs):
        self.sheet_id = kwargs["sheet_id"]
        return super().dispatch(request, *args, **kwargs)

    def get_sheet(self) -> ScoreSheet:
        sheet = selectors.round_sheet(round=self.round, pk=self.sheet_id)
        if sheet is None:
            raise Http404
        return sheet

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        items[-1] = {"url": self.url(), "label": PAGE_LABELS["sheets"]}
        return items + [{"url": "", "label": _("重开评分表")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sheet = kwargs.get("sheet") or self.get_sheet()
        context.update(
            sheet=sheet,
            form=kwargs.get("form") or ReopenForm(),
            can_reopen=(
                self.can_change
                and sheet.status == ScoreSheet.Status.SUBMITTED
                and self.round.status in (Round.Status.SCORING, Round.Status.CLOSED)
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        sheet = self.get_sheet()
        form = ReopenForm(request.POST)
        if form.is_valid():
            if self.round.status not in (Round.Status.SCORING, Round.Status.CLOSED):
                form.add_error(None, _("只有评分中或评分已截止的轮次才能重开评分表。"))
            else:
                try:
                    services.sheet_reopen(sheet=sheet, reason=form.cleaned_data["reason"], by=request.user)
                except services.JudgingError as error:
                    form.add_error("reason", error.message)
                else:
                    messages.success(
                        request,
                        _("已重开 %(judge)s 对 %(code)s 的评分表。")
                        % {
                            "judge": sheet.assignment.judge.name,
                            "code": sheet.assignment.round_entry.blind_code,
                        },
                    )
                    return redirect(self.url("sheets"))
        return self.render_to_response(self.get_context_data(form=form, sheet=sheet))


# --- 记录: the round's audit log ----------------------------------------------------------------


def _changes(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


class EventsView(RoundPageView):
    page_name = "events"
    template_name = "judging/admin/round_events.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in JudgingEvent.Kind.values else ""
        page, page_range = paginate(self.request, selectors.round_events(round=self.round, kind=kind))
        for event in page:
            event.before_text = _changes(event.before)
            event.after_text = _changes(event.after)
        context.update(
            events=page,
            elided_page_range=page_range,
            kind=kind,
            kind_choices=[("", _("全部")), *JudgingEvent.Kind.choices],
        )
        return context


def round_urlpatterns():
    """Added to the round viewset's URLs (namespace ``judging_rounds``)."""
    return [
        path("<int:pk>/status/", RoundStatusView.as_view(), name="status"),
        path("<int:pk>/status/<str:status>/", RoundStatusConfirmView.as_view(), name="status_confirm"),
        path("<int:pk>/assign/", AssignView.as_view(), name="assign"),
        path("<int:pk>/adjust/", AdjustView.as_view(), name="adjust"),
        path("<int:pk>/progress/", ProgressView.as_view(), name="progress"),
        path("<int:pk>/masked/", MaskedListView.as_view(), name="masked"),
        path("<int:pk>/masked/<str:code>/", MaskedEditView.as_view(), name="masked_edit"),
        path("<int:pk>/sheets/", SheetsView.as_view(), name="sheets"),
        path("<int:pk>/sheets/<int:sheet_id>/reopen/", SheetReopenView.as_view(), name="sheet_reopen"),
        path("<int:pk>/events/", EventsView.as_view(), name="events"),
    ]
