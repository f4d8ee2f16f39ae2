"""评审进度 and 评分表: progress per judge, category and entry, reminders, sheets, reopening."""

from django.contrib import messages
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError
from common.pages import int_or_none, paginate
from competition.models import category_label
from judging.models import Judge, ScoreSheet
from judging.rounds.admin_views import PAGE_LABELS, RoundPageView
from judging.scoring.forms import ReopenForm
from judging.scoring.selectors import (
    SHEET_FILTERS,
    round_progress_by_category,
    round_progress_by_entry,
    round_progress_by_judge,
    round_sheet,
    round_sheets,
)
from judging.scoring.services import reminders_request, sheet_reopen


class ProgressView(RoundPageView):
    page_name = "progress"
    template_name = "judging/admin/round_progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        past_due = timezone.now() > self.round.scoring_closes
        judges = list(round_progress_by_judge(round=self.round))
        for judge in judges:
            judge.not_started = judge.assigned - judge.submitted - judge.drafts
            judge.unfinished = judge.assigned - judge.submitted
            judge.overdue = past_due and judge.unfinished > 0
        categories = list(round_progress_by_category(round=self.round))
        for row in categories:
            row["not_started"] = row["assigned"] - row["submitted"] - row["drafts"]
            row["category"] = (
                category_label(
                    row["round_entry__entry__category__name"], row["round_entry__entry__category__name_en"]
                )
                or "—"
            )
        totals = {
            key: sum(getattr(judge, key) for judge in judges)
            for key in ("assigned", "submitted", "drafts", "not_started")
        }
        totals["percent"] = round(100 * totals["submitted"] / totals["assigned"]) if totals["assigned"] else 0
        entry_filter = self.request.GET.get("entries", "")
        entries = round_progress_by_entry(round=self.round)
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
            can_remind=self.can_change and self.phase.can_remind,
        )
        return context

    def post(self, request, *args, **kwargs):
        judge = None
        if request.POST.get("judge"):
            judge = Judge.objects.filter(pk=int_or_none(request.POST.get("judge"))).first()
            if judge is None:
                raise Http404
        try:
            count = reminders_request(round=self.round, judge=judge, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(self.url())
        if count:
            messages.success(request, _("已向 %(count)s 位评委发送催评提醒。") % {"count": count})
        else:
            messages.info(request, _("没有需要提醒的评委：评分表都已提交。"))
        return redirect(self.url())


class SheetsView(RoundPageView):
    page_name = "sheets"
    template_name = "judging/admin/round_sheets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        status = status if status in SHEET_FILTERS else ""
        query = self.request.GET.get("q", "")
        sheets = round_sheets(round=self.round, status=status, query=query)
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
            can_reopen=self.can_change and self.phase.can_reopen_sheet,
        )
        return context


class SheetReopenView(RoundPageView):
    page_name = "sheets"
    template_name = "judging/admin/round_sheet_reopen.html"

    def dispatch(self, request, *args, **kwargs):
        self.sheet_id = kwargs["sheet_id"]
        return super().dispatch(request, *args, **kwargs)

    def get_sheet(self) -> ScoreSheet:
        sheet = round_sheet(round=self.round, pk=self.sheet_id)
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
                and self.phase.can_reopen_sheet
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        sheet = self.get_sheet()
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                sheet_reopen(sheet=sheet, reason=form.cleaned_data["reason"], by=request.user)
            except DomainError as error:
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
