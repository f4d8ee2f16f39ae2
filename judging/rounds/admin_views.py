"""The round's own pages in the back office: its status (with the rubric) and its log.

Every per-round page (here and in the other stages) is a ``RoundPageView``: organizers act,
supervisors (监督委员会) read every page and change nothing (their POSTs are 404), anyone else
gets a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.access import OrganizersChangeSupervisorsRead
from common.errors import DomainError
from common.pages import paginate
from judging.models import JudgingEvent
from judging.phases import is_manual, opens_scoring, phase_named, round_phase
from judging.results.selectors import entries_short_of_sheets
from judging.rounds.audit import describe_events
from judging.rounds.forms import StatusChangeForm
from judging.rounds.selectors import round_events, round_for_admin, round_summary
from judging.rounds.services import round_open_refusal, round_set_status

# (url name, label, icon), in the order of a round's life.
ROUND_PAGES = [
    ("status", gettext_lazy("状态"), "time"),
    ("masked", gettext_lazy("匿名文本"), "no-view"),
    ("assign", gettext_lazy("分配评委"), "group"),
    ("adjust", gettext_lazy("手工调整"), "edit"),
    ("progress", gettext_lazy("评审进度"), "tasks"),
    ("sheets", gettext_lazy("评分表"), "form"),
    ("results", gettext_lazy("成绩"), "table"),
    ("judge_stats", gettext_lazy("评委统计"), "user"),
    ("advance", gettext_lazy("晋级"), "arrow-right"),
    ("events", gettext_lazy("记录"), "history"),
]


PAGE_LABELS = {name: label for name, label, _icon in ROUND_PAGES}


class RoundPageView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    """A page about one round: organizers and supervisors only; supervisors only read."""

    page_name = ""
    header_icon = "date"

    def load(self, **kwargs):
        self.round = round_for_admin(pk=kwargs["pk"])
        if self.round is None:
            raise Http404
        self.phase = round_phase(self.round)

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
            phase=self.phase,
            can_change=self.can_change,
            round_nav=[
                {"label": label, "url": self.url(name), "current": name == self.page_name}
                for name, label, _icon in ROUND_PAGES
            ],
            edit_url=reverse("judging_rounds:edit", args=[self.round.pk]) if self.can_change else "",
        )
        return context


class RoundStatusView(RoundPageView):
    page_name = "status"
    template_name = "judging/admin/round_status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        short, short_range = paginate(self.request, entries_short_of_sheets(round=self.round))
        context.update(
            summary=round_summary(round=self.round),
            short=short,
            short_range=short_range,
            criteria=list(self.round.criteria.all()),
            transitions=[
                {
                    "label": transition.label,
                    "help": transition.help,
                    "url": self.url("status_confirm", transition.to),
                    "refusal": round_open_refusal(self.round) if opens_scoring(transition) else None,
                }
                for transition in self.phase.transitions
                if is_manual(transition)
            ],
            overdue=self.phase.can_score and self.round.scoring_closes < timezone.now(),
        )
        return context


class RoundStatusConfirmView(RoundPageView):
    page_name = "status"
    template_name = "judging/admin/round_status_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        self.target = phase_named(kwargs["status"])
        return super().dispatch(request, *args, **kwargs)

    def transition(self):
        """The change this page offers, if the round's phase offers it here."""
        if self.target is None:
            return None
        transition = self.phase.transition(self.target.status)
        return transition if transition is not None and is_manual(transition) else None

    def warnings(self, summary) -> list[str]:
        found = []
        if self.phase.can_edit_masked and self.target.can_score:
            refusal = round_open_refusal(self.round)
            if refusal:
                found.append(refusal)
            if summary["assignments"] == 0:
                found.append(_("本轮还没有分配评委，评委开始评分前请先运行“分配评委”。"))
            elif summary["short"]:
                found.append(
                    _("有 %(count)s 个项目的评委少于 %(k)s 位。")
                    % {"count": summary["short"], "k": self.round.judges_per_entry}
                )
        if self.phase.can_score and not self.target.can_score:
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
        transition = self.transition()
        summary = round_summary(round=self.round)
        context.update(
            label=transition.label,
            help=transition.help,
            summary=summary,
            warnings=self.warnings(summary),
            form=kwargs.get("form") or StatusChangeForm(),
            new_status=self.target.label,
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
            round_set_status(
                round=self.round, to=self.target, by=request.user, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("本轮状态已变为“%(status)s”。") % {"status": self.target.label})
        return redirect(self.url("status"))


class EventsView(RoundPageView):
    page_name = "events"
    template_name = "judging/admin/round_events.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in JudgingEvent.Kind.values else ""
        page, page_range = paginate(self.request, round_events(round=self.round, kind=kind))
        describe_events(round=self.round, events=page)
        context.update(
            events=page,
            elided_page_range=page_range,
            kind=kind,
            kind_choices=[("", _("全部")), *JudgingEvent.Kind.choices],
        )
        return context
