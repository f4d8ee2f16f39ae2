"""文书 in the back office (under 评审管理, next to 入围名单): the documents of a contest with
their progress and downloads, the document settings (issuing body, date, titles, seal) and the
templates the organizer may adjust.

Organizers act; supervisors (监委) read and download, and change nothing (their POSTs are 404);
anyone else (coordinators, judges, teams) gets a 404."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.access import BackOfficeMenuItem, OrganizersChangeSupervisorsRead
from awards.documents.context import built_in_template, document_settings
from awards.documents.engine import engine_problem
from awards.documents.forms import DocumentSettingsForm, TemplateForm
from awards.documents.kinds import KINDS, kinds_of_group, missing_for_page
from awards.documents.services import (
    document_request,
    document_settings_save,
    document_template_reset,
    document_template_save,
    outcome_final,
)
from awards.models import DocumentTemplate, GeneratedDocument
from common.errors import DomainError
from common.http import private_file_response
from competition.selectors import contest_by_id, contests_newest_first
from judging.menu import JUDGING_SUBMENU_HOOK

PAGES = [
    ("documents", gettext_lazy("文书生成")),
    ("settings", gettext_lazy("文书设置")),
    ("templates", gettext_lazy("文书模板")),
]
LABELS = dict(PAGES)
IN_PROGRESS = (GeneratedDocument.Status.QUEUED, GeneratedDocument.Status.RUNNING)


def contest_documents(contest) -> dict[str, GeneratedDocument]:
    """The contest's whole-contest documents by kind (one query)."""
    return {d.kind: d for d in GeneratedDocument.objects.filter(contest=contest, subject="")}


def built_in_source(kind: str) -> str | None:
    try:
        return built_in_template(kind).template.source
    except TemplateDoesNotExist:
        return None


def documents_panel(request, contest, can_change: bool) -> str:
    """On a finalized shortlist's page: the documents, and where to make them."""
    documents = contest_documents(contest)
    rows = [{"kind": kind, "document": documents.get(kind.code)} for kind in kinds_of_group(None, contest)]
    return render_to_string(
        "awards/admin/documents_panel.html",
        {"contest": contest, "rows": rows, "can_change": can_change},
        request=request,
    )


class DocumentsPageView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    page_name = ""
    header_icon = "doc-full"

    def load(self, **kwargs):
        self.contest = contest_by_id(kwargs["contest_id"])
        if self.contest is None:
            raise Http404

    def url(self, name: str | None = None, *args) -> str:
        name = name or self.page_name
        if name == "templates":
            return reverse("awards_documents:template", args=[self.contest.pk, args[0] if args else "list"])
        return reverse(f"awards_documents:{name}", args=[self.contest.pk, *args])

    def get_page_title(self):
        return LABELS[self.page_name]

    def get_page_subtitle(self):
        return self.contest.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("awards_documents:index"), "label": _("文书")},
            {"url": self.url("documents"), "label": self.contest.title},
            {"url": "", "label": LABELS[self.page_name]},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contest=self.contest,
            can_change=self.can_change,
            documents_nav=[
                {"label": label, "url": self.url(name), "current": name == self.page_name}
                for name, label in PAGES
            ],
        )
        return context


class DocumentsIndexView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    template_name = "awards/admin/documents_index.html"
    page_title = gettext_lazy("文书")
    header_icon = "doc-full"
    read_only = True

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": _("文书")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contests"] = contests_newest_first().select_related("shortlist")
        return context


class DocumentsView(DocumentsPageView):
    page_name = "documents"
    template_name = "awards/admin/documents.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        documents = contest_documents(self.contest)
        problem = engine_problem()
        final = outcome_final(self.contest)
        # The page's own refresh every 3 seconds (see the template) reuses what it found.
        auto = self.request.GET.get("auto") == "1"
        rows = []
        for kind in kinds_of_group(None, self.contest):
            document = documents.get(kind.code)
            rows.append(
                {
                    "kind": kind,
                    "document": document,
                    "busy": document is not None and document.status in IN_PROGRESS,
                    "blocked": kind.needs_engine and problem is not None,
                    "download": (
                        reverse("awards_documents:download", args=[self.contest.pk, kind.code])
                        if document is not None and document.file
                        else ""
                    ),
                    "missing": missing_for_page(self.contest, kind, reuse=auto) if final else [],
                }
            )
        context.update(
            rows=rows,
            final=final,
            engine_problem=problem,
            busy=any(row["busy"] for row in rows),
            status_url=reverse("awards_documents:status", args=[self.contest.pk]),
            refresh_url=self.url() + "?auto=1",
        )
        return context

    def post(self, request, *args, **kwargs):
        kind = request.POST.get("kind", "")
        if kind not in KINDS:
            raise Http404
        try:
            document_request(contest=self.contest, kind=kind, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("已开始生成“%(label)s”，完成后可在本页下载。") % {"label": KINDS[kind].label}
            )
        return redirect(self.url())


class DocumentStatusView(OrganizersChangeSupervisorsRead, View):
    """The documents' progress as JSON, for the page to poll."""

    def load(self, **kwargs):
        self.contest = contest_by_id(kwargs["contest_id"])
        if self.contest is None:
            raise Http404

    def get(self, request, *args, **kwargs):
        documents = contest_documents(self.contest)
        body = {}
        for code in KINDS:
            document = documents.get(code)
            if document is None:
                continue
            body[code] = {
                "status": document.status,
                "label": document.get_status_display(),
                "done": document.done,
                "total": document.total,
                "error": document.error,
                "ready": bool(document.file),
            }
        response = JsonResponse(
            {"documents": body, "busy": any(d["status"] in IN_PROGRESS for d in body.values())}
        )
        response["Cache-Control"] = "private, no-store"
        return response


class DocumentDownloadView(OrganizersChangeSupervisorsRead, View):
    def load(self, **kwargs):
        self.contest = contest_by_id(kwargs["contest_id"])
        self.kind = KINDS.get(kwargs["kind"])
        if self.contest is None or self.kind is None:
            raise Http404

    def get(self, request, *args, **kwargs):
        document = GeneratedDocument.objects.filter(
            contest=self.contest, kind=self.kind.code, subject=""
        ).first()
        if document is None or not document.file:
            raise Http404
        return private_file_response(
            document.file, content_type=self.kind.content_type, filename=self.kind.file_name(self.contest)
        )


class DocumentSettingsView(DocumentsPageView):
    page_name = "settings"
    template_name = "awards/admin/documents_settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings = document_settings(self.contest)
        context.update(
            form=kwargs.get("form") or DocumentSettingsForm(instance=settings),
            has_seal=bool(settings.seal),
            seal_url=reverse("awards_documents:seal", args=[self.contest.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = DocumentSettingsForm(request.POST, request.FILES, instance=document_settings(self.contest))
        if not form.is_valid():
            messages.error(request, _("文书设置没有保存，请看表单中的提示。"))
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        document_settings_save(
            contest=self.contest, values=data, seal=data["seal_upload"], remove_seal=data["remove_seal"]
        )
        messages.success(request, _("文书设置已保存。重新生成文书后生效。"))
        return redirect(self.url())


class SealView(OrganizersChangeSupervisorsRead, View):
    """The stored seal (a PNG made by Pillow), for the settings page's preview."""

    def load(self, **kwargs):
        self.contest = contest_by_id(kwargs["contest_id"])
        if self.contest is None:
            raise Http404

    def get(self, request, *args, **kwargs):
        settings = document_settings(self.contest)
        if not settings.seal:
            raise Http404
        return private_file_response(settings.seal, content_type="image/png")


class DocumentTemplateView(DocumentsPageView):
    page_name = "templates"
    template_name = "awards/admin/documents_template.html"

    def load(self, **kwargs):
        super().load(**kwargs)
        self.kind = kwargs["kind"]
        if self.kind not in DocumentTemplate.Kind.values:
            raise Http404
        self.adjusted = DocumentTemplate.objects.filter(contest=self.contest, kind=self.kind).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        built_in = built_in_source(self.kind)
        current = self.adjusted.html if self.adjusted else (built_in or "")
        context.update(
            kind=self.kind,
            kind_label=DocumentTemplate.Kind(self.kind).label,
            kinds=[
                {"label": label, "url": self.url("templates", code), "current": code == self.kind}
                for code, label in DocumentTemplate.Kind.choices
            ],
            adjusted=self.adjusted,
            has_built_in=built_in is not None,
            form=kwargs.get("form") or TemplateForm(initial={"html": current}),
            error=kwargs.get("error"),
        )
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "reset":
            document_template_reset(contest=self.contest, kind=self.kind)
            messages.success(request, _("已还原为内置模板。"))
            return redirect(self.url("templates", self.kind))
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                document_template_save(
                    contest=self.contest, kind=self.kind, html=form.cleaned_data["html"], by=request.user
                )
            except DomainError as error:
                form.add_error("html", error.message)
            else:
                messages.success(request, _("模板已保存。重新生成文书后生效。"))
                return redirect(self.url("templates", self.kind))
        messages.error(request, _("模板没有保存，请看下方的提示；之前的模板仍然有效。"))
        return self.render_to_response(self.get_context_data(form=form))


class DocumentsViewSet(ViewSet):
    """文书 under 评审管理, after 入围名单."""

    name = "awards_documents"
    url_prefix = "awards/documents"
    icon = "doc-full"
    menu_label = gettext_lazy("文书")
    menu_item_class = BackOfficeMenuItem
    menu_hook = JUDGING_SUBMENU_HOOK
    menu_order = 160

    def get_urlpatterns(self):
        return [
            path("", DocumentsIndexView.as_view(), name="index"),
            path("<int:contest_id>/", DocumentsView.as_view(), name="documents"),
            path("<int:contest_id>/status/", DocumentStatusView.as_view(), name="status"),
            path("<int:contest_id>/download/<slug:kind>/", DocumentDownloadView.as_view(), name="download"),
            path("<int:contest_id>/settings/", DocumentSettingsView.as_view(), name="settings"),
            path("<int:contest_id>/settings/seal/", SealView.as_view(), name="seal"),
            path("<int:contest_id>/templates/<slug:kind>/", DocumentTemplateView.as_view(), name="template"),
        ]


documents_viewset = DocumentsViewSet()
