"""Back-office pages of the onboarding imports: download the template, upload → check (every
row's fate, nothing written) → confirm (all or nothing). Organizers only; anyone else gets a 404.

Between the check and the confirmation the file waits in private storage under a random name
kept in the organizer's session, with the digest of the plan they saw; the confirmation reads
and checks the file again inside the import's transaction and refuses a plan that changed
meanwhile. ``ImportPageView`` is shared with the people import (judging)."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.roles import is_organizer
from common.errors import DomainError

from ..menu import COMPETITION_SUBMENU_HOOK
from .places import places_check, places_import
from .places import template as places_template
from .workbook import XLSX_CONTENT_TYPE, Fate, Plan, PlanChanged, discard_staged, stage_upload, staged_upload


class OrganizerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_organizer(request.user)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("填好的文件"),
        help_text=gettext_lazy("用导入模板填写的 Excel 文件（.xlsx），不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ConfirmForm(forms.Form):
    token = forms.CharField(max_length=64)
    digest = forms.CharField(max_length=64)


class OrganizersOnly:
    def dispatch(self, request, *args, **kwargs):
        if not is_organizer(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class TemplateDownloadView(OrganizersOnly, View):
    content = None  # () -> bytes
    file_name = ""

    def get(self, request, *args, **kwargs):
        response = HttpResponse(type(self).content(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, str(self.file_name))
        response["Cache-Control"] = "private, no-store"
        return response


class ImportPageView(OrganizersOnly, WagtailAdminTemplateMixin, TemplateView):
    """Upload → check → confirm. Subclasses say what they import."""

    template_name = "competition/admin/onboarding/import.html"
    header_icon = "upload"
    session_key = ""
    template_url_name = ""
    intro = ""
    url_name = ""

    def check(self, upload) -> Plan:
        raise NotImplementedError

    def apply(self, upload, *, confirmed: str) -> Plan:
        """Writes all or nothing; may put what to show once (``self.shown``) on the view."""
        raise NotImplementedError

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = kwargs.get("plan")
        context.update(
            form=kwargs.get("form") or UploadForm(),
            template_url=reverse(self.template_url_name),
            intro=self.intro,
            fates=[(fate.value, plan.count(fate)) for fate in Fate] if plan else [],
            shown_rows=[r for r in plan.reports if r.fate != Fate.UNCHANGED] if plan else [],
            unchanged_rows=[r for r in plan.reports if r.fate == Fate.UNCHANGED] if plan else [],
        )
        return context

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        plan = self.check(upload)
        self.discard()
        token = stage_upload(upload) if plan.ok else None
        if token:
            request.session[self.session_key] = {"token": token, "digest": plan.digest}
        return self.render_to_response(self.get_context_data(plan=plan, token=token))

    def discard(self) -> None:
        staged = self.request.session.pop(self.session_key, None)
        if staged:
            discard_staged(staged["token"])

    def confirm(self, request):
        confirm = ConfirmForm(request.POST)
        staged = request.session.get(self.session_key) or {}
        gone = _("没有找到待确认的文件（可能已经导入或已过期），请重新上传。")
        if not confirm.is_valid() or confirm.cleaned_data["token"] != staged.get("token"):
            messages.error(request, gone)
            return redirect(self.url_name)
        upload = staged_upload(staged["token"])
        if upload is None:
            request.session.pop(self.session_key, None)
            messages.error(request, gone)
            return redirect(self.url_name)
        self.shown = None
        with upload:
            try:
                plan = self.apply(upload, confirmed=staged["digest"])
            except PlanChanged as error:
                upload.seek(0)
                plan = self.check(upload)
                messages.error(request, error.message)
                if plan.ok:
                    staged["digest"] = plan.digest
                    request.session[self.session_key] = staged
                    return self.render_to_response(self.get_context_data(plan=plan, token=staged["token"]))
                self.discard()
                return self.render_to_response(self.get_context_data(plan=plan))
            except DomainError as error:
                self.discard()
                messages.error(request, error.message)
                return redirect(self.url_name)
        self.discard()
        if not plan.applied:
            return self.render_to_response(self.get_context_data(plan=plan))
        messages.success(
            request,
            _("已导入：新增 %(new)s 行，修改 %(changed)s 行，不变 %(unchanged)s 行。")
            % {
                "new": plan.count(Fate.NEW),
                "changed": plan.count(Fate.CHANGED),
                "unchanged": plan.count(Fate.UNCHANGED),
            },
        )
        if self.shown:
            return self.render_to_response(self.get_context_data(done=True, shown=self.shown))
        return redirect(self.url_name)


class PlacesImportView(ImportPageView):
    page_title = gettext_lazy("导入文明实践阵地")
    session_key = "places_import"
    template_url_name = "competition_onboarding:template"
    url_name = "competition_onboarding:places"
    intro = gettext_lazy(
        "先下载模板，在“县（市、区）”“乡镇（街道）”“文明实践阵地”三张表中逐行填写后上传。系统先逐行检查，"
        "显示每一行将新增、修改、不变还是有错误；确认后一次性导入，有任何错误时什么都不会写入。同一文件再次导入不会改变任何数据。"
    )

    def check(self, upload) -> Plan:
        return places_check(upload=upload)

    def apply(self, upload, *, confirmed: str) -> Plan:
        return places_import(upload=upload, confirmed=confirmed)


class PlacesTemplateView(TemplateDownloadView):
    content = places_template
    file_name = gettext_lazy("文明实践阵地导入模板.xlsx")


class OnboardingViewSet(ViewSet):
    name = "competition_onboarding"
    url_prefix = "competition/onboarding"
    icon = "upload"
    menu_label = gettext_lazy("导入文明实践阵地")
    menu_item_class = OrganizerMenuItem
    menu_hook = COMPETITION_SUBMENU_HOOK
    menu_order = 900

    def get_urlpatterns(self):
        return [
            path("", PlacesImportView.as_view(), name="places"),
            path("template/", PlacesTemplateView.as_view(), name="template"),
        ]

    @property
    def menu_url(self):
        return reverse("competition_onboarding:places")


onboarding_viewset = OnboardingViewSet()
