"""The county report (县区统计) in the back office: per county, teams, entries, eligible,
recommended, scored, shortlisted and featured, entries by category, a bar chart and an xlsx
file. Organizers and supervisors see every county; a coordinator sees their own county's row
against the city average (never another county's figures); anyone else gets a 404."""

from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.roles import can_read_back_office
from awards.report.exports import XLSX_TYPE, report_xlsx
from awards.report.selectors import county_figures
from awards.report.table import FIGURE_LABELS, FIGURES, Report, build_report
from competition.menu import COMPETITION_SUBMENU_HOOK
from competition.selectors import contest_by_id, contests_newest_first, coordinator_county_id, current_contest
from judging.results.charts import Bars, bar_groups
from judging.rounds.selectors import contest_rounds


def report_scope(user) -> tuple[bool, int | None]:
    """(may see the report, the one county they are limited to or None for all)."""
    if can_read_back_office(user):
        return True, None
    county_id = coordinator_county_id(user)
    return county_id is not None, county_id


def report_chart(report: Report) -> str:
    rows = [Bars(row.label, row.figures) for row in report.rows]
    rows.append(Bars(report.average.label, report.average.figures, reference=True))
    return bar_groups(
        rows,
        series=[str(FIGURE_LABELS[name]) for name in FIGURES],
        title=_("各县（市、区）参赛情况"),
        description=_(
            "每组横条是一个县（市、区）的参赛团队、申报、审查通过、推荐、评分、入围和优秀项目数；最后一组为全市平均。"
        ),
    )


class ReportMixin:
    def dispatch(self, request, *args, **kwargs):
        allowed, self.county_id = report_scope(request.user)
        if not allowed:
            raise Http404
        self.contests = list(contests_newest_first())
        chosen = request.GET.get("contest")
        self.contest = contest_by_id(chosen) if chosen else current_contest()
        if chosen and self.contest is None:
            raise Http404
        self.rounds = contest_rounds(contest=self.contest) if self.contest else []
        chosen_round = request.GET.get("round", "")
        self.round = next((r for r in self.rounds if str(r.pk) == chosen_round), None)
        return super().dispatch(request, *args, **kwargs)

    def report(self) -> Report:
        return build_report(county_figures(contest=self.contest, round=self.round), county_id=self.county_id)

    def query(self) -> str:
        if self.contest is None:
            return ""
        return f"?contest={self.contest.pk}" + (f"&round={self.round.pk}" if self.round else "")


class CountyReportView(ReportMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "awards/admin/county_report.html"
    page_title = gettext_lazy("县区统计")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": _("县区统计")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contest=self.contest,
            contests=self.contests,
            rounds=self.rounds,
            round=self.round,
            coordinator=self.county_id is not None,
            headers=[FIGURE_LABELS[name] for name in FIGURES],
        )
        if self.contest is not None:
            report = self.report()
            context.update(
                report=report,
                rows=list(report.rows) + [row for row in (report.total, report.average) if row],
                chart=report_chart(report),
                export_url=reverse("awards_report:export") + self.query(),
            )
        return context


class CountyReportExportView(ReportMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        if self.contest is None:
            raise Http404
        body = report_xlsx(self.report(), title=_("%(contest)s 县区统计") % {"contest": self.contest.title})
        response = HttpResponse(body, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="county-report-{self.contest.year}.xlsx"'
        return response


class ReportMenuItem(MenuItem):
    """Shown to organizers, supervisors and coordinators."""

    def is_shown(self, request):
        return report_scope(request.user)[0]


class CountyReportViewSet(ViewSet):
    name = "awards_report"
    url_prefix = "awards/county-report"
    icon = "table"
    menu_label = gettext_lazy("县区统计")
    menu_item_class = ReportMenuItem
    # Under 大赛管理, which coordinators see too (评审管理 is the organizers' alone).
    menu_hook = COMPETITION_SUBMENU_HOOK
    menu_order = 800

    def get_urlpatterns(self):
        return [
            path("", CountyReportView.as_view(), name="index"),
            path("export/", CountyReportExportView.as_view(), name="export"),
        ]


county_report_viewset = CountyReportViewSet()
