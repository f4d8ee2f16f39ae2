"""Spreadsheet pages of the judging back office (评审管理 → 导出与导入).

- 数据导出: request an export (xlsx or CSV) that runs in the background, follow its progress
  (the page refreshes itself while one is running) and download the file when it is ready.
- 导入评分: download a round's template and upload the filled-in file (paper rounds, 路演).

Organizers do everything; supervisors (监督委员会) see the export list and download (except the
assignments, which name the judges of each entry); anyone else gets a 404. Logic lives in
``judging.spreadsheets.exports`` and ``judging.spreadsheets.imports``.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.access import BackOfficeMenuItem
from accounts.roles import is_organizer, is_supervisor
from common.errors import DomainError
from common.http import private_file_response
from common.pages import paginate
from judging.menu import JUDGING_SUBMENU_HOOK
from judging.models import ExportJob, Round
from judging.spreadsheets.exports import CONTENT_TYPES, export_request, exports_for_listing, file_name
from judging.spreadsheets.forms import ExportRequestForm, ScoreImportConfirmForm, ScoreImportForm
from judging.spreadsheets.imports import (
    XLSX_CONTENT_TYPE,
    ImportChanged,
    ImportResult,
    Submitted,
    discard_staged,
    import_check,
    import_scores,
    stage_upload,
    staged_upload,
    template_file_name,
    template_workbook,
)
from judging.spreadsheets.tables import EXPORTS


def can_download(user, job: ExportJob) -> bool:
    if is_organizer(user):
        return True
    return is_supervisor(user) and not EXPORTS[job.kind].organizers_only


class SpreadsheetPageView(WagtailAdminTemplateMixin, TemplateView):
    """Organizers and supervisors; supervisors only read (their POSTs are 404)."""

    header_icon = "download"
    organizers_only = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        self.can_change = is_organizer(user)
        allowed = self.can_change or (not self.organizers_only and is_supervisor(user))
        if not allowed or (request.method not in ("GET", "HEAD", "OPTIONS") and not self.can_change):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            can_change=self.can_change,
            nav=[
                {"label": _("数据导出"), "url": reverse("judging_spreadsheets:exports"), "name": "exports"},
                *(
                    [
                        {
                            "label": _("导入评分"),
                            "url": reverse("judging_spreadsheets:import"),
                            "name": "import",
                        }
                    ]
                    if self.can_change
                    else []
                ),
            ],
        )
        return context


class ExportIndexView(SpreadsheetPageView):
    page_title = gettext_lazy("数据导出")
    template_name = "judging/admin/spreadsheets/exports.html"

    def kinds(self) -> list[str]:
        return list(EXPORTS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, page_range = paginate(self.request, exports_for_listing())
        user = self.request.user
        rows = [
            {"job": job, "can_download": job.status == ExportJob.Status.DONE and can_download(user, job)}
            for job in page
        ]
        context.update(
            page_name="exports",
            jobs=page,
            rows=rows,
            elided_page_range=page_range,
            running=any(job.running for job in page),
            form=kwargs.get("form") or (ExportRequestForm() if self.can_change else None),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ExportRequestForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            export_request(
                kind=form.cleaned_data["kind"],
                format=form.cleaned_data["format"],
                round=form.cleaned_data["round"],
                contest=form.cleaned_data["contest"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("已开始导出，完成后可在下方下载。"))
        return redirect("judging_spreadsheets:exports")


class ExportDownloadView(View):
    def get(self, request, pk):
        job = ExportJob.objects.select_related("contest", "round").filter(pk=pk).first()
        if job is None or not can_download(request.user, job):
            raise Http404
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404
        name = file_name(job.kind, contest=job.contest, round=job.round, format=job.format)
        response = private_file_response(job.file, content_type=CONTENT_TYPES[job.format], filename=name)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class ScoreImportView(SpreadsheetPageView):
    """Upload → check → import. A file that would change sheets judges submitted online stops
    at the check step, which lists those sheets; the organizer then overwrites them or imports
    only the sheets not yet submitted (the file waits in private storage meanwhile)."""

    page_title = gettext_lazy("导入评分")
    template_name = "judging/admin/spreadsheets/import.html"
    organizers_only = True
    SESSION_KEY = "score_import"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or ScoreImportForm(initial={"round": self.request.GET.get("round")})
        context.update(
            page_name="import",
            form=form,
            result=kwargs.get("result"),
            round=kwargs.get("round"),
            plan=kwargs.get("plan"),
            token=kwargs.get("token"),
            template_rounds=form.fields["round"].queryset,
        )
        return context

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request)
        form = ScoreImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        round = form.cleaned_data["round"]
        upload = form.cleaned_data["file"]
        try:
            plan = import_check(round=round, upload=upload)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        if not plan.ok:
            result = ImportResult(errors=plan.errors)
            return self.render_to_response(self.get_context_data(form=form, result=result, round=round))
        if not plan.changes:
            # Nothing submitted would change: import now (keeping, should a judge submit meanwhile).
            return self.run(round=round, upload=upload, submitted=Submitted.KEEP, form=form)
        self.discard()
        token = stage_upload(upload)
        request.session[self.SESSION_KEY] = {"token": token, "round": round.pk}
        return self.render_to_response(
            self.get_context_data(form=ScoreImportForm(), round=round, plan=plan, token=token)
        )

    def discard(self) -> None:
        staged = self.request.session.pop(self.SESSION_KEY, None)
        if staged:
            discard_staged(staged["token"])

    def confirm(self, request):
        confirm = ScoreImportConfirmForm(request.POST)
        staged = request.session.get(self.SESSION_KEY) or {}
        round = Round.objects.filter(pk=staged.get("round")).first()
        if not confirm.is_valid() or confirm.cleaned_data["token"] != staged.get("token") or round is None:
            messages.error(request, _("没有找到待确认的文件（可能已经导入或已过期），请重新上传。"))
            return redirect("judging_spreadsheets:import")
        upload = staged_upload(staged["token"])
        if upload is None:
            request.session.pop(self.SESSION_KEY, None)
            messages.error(request, _("没有找到待确认的文件（可能已经导入或已过期），请重新上传。"))
            return redirect("judging_spreadsheets:import")
        with upload:
            try:
                return self.run(
                    round=round,
                    upload=upload,
                    submitted=confirm.cleaned_data["submitted"],
                    confirmed=confirm.cleaned_data["digest"],
                )
            except ImportChanged as error:
                upload.seek(0)
                plan = import_check(round=round, upload=upload)
                messages.error(request, error.message)
                return self.render_to_response(
                    self.get_context_data(
                        form=ScoreImportForm(), round=round, plan=plan, token=staged["token"]
                    )
                )

    def run(self, *, round, upload, submitted, confirmed=None, form=None):
        request = self.request
        form = form or ScoreImportForm(initial={"round": round.pk})
        try:
            result = import_scores(
                round=round, upload=upload, by=request.user, submitted=submitted, confirmed=confirmed
            )
        except ImportChanged:
            raise
        except DomainError as error:
            self.discard()
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        if not result.ok:
            self.discard()
            return self.render_to_response(self.get_context_data(form=form, result=result, round=round))
        self.discard()
        text = _("已导入 %(count)s 份评分表（%(round)s）。") % {"count": result.imported, "round": round.name}
        if result.kept:
            text += _("%(kept)s 份评委已提交的评分表保持原样，没有覆盖。") % {"kept": result.kept}
        if result.unchanged:
            text += _("%(same)s 份评分表与已提交的相同，无需导入。") % {"same": result.unchanged}
        messages.success(request, text)
        return redirect(f"{reverse('judging_spreadsheets:import')}?round={round.pk}")


class ScoreTemplateView(View):
    def get(self, request, pk):
        if not is_organizer(request.user):
            raise Http404
        round = Round.objects.filter(pk=pk).first()
        if round is None:
            raise Http404
        response = HttpResponse(template_workbook(round=round), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, template_file_name(round=round))
        response["Cache-Control"] = "private, no-store"
        return response


class SpreadsheetViewSet(ViewSet):
    name = "judging_spreadsheets"
    url_prefix = "judging/spreadsheets"
    icon = "download"
    menu_label = gettext_lazy("导出与导入")
    menu_hook = JUDGING_SUBMENU_HOOK
    menu_item_class = BackOfficeMenuItem

    def get_urlpatterns(self):
        return [
            path("", ExportIndexView.as_view(), name="exports"),
            path("<int:pk>/download/", ExportDownloadView.as_view(), name="download"),
            path("import/", ScoreImportView.as_view(), name="import"),
            path("import/template/<int:pk>/", ScoreTemplateView.as_view(), name="template"),
        ]


spreadsheet_viewset = SpreadsheetViewSet()
