"""The back office of messaging: 报告 → 消息发件箱 (every message, its status and error, a
retry for failed ones) and 设置 → 消息模板 (each kind's template and channels, with the
variables listed and a preview on real data)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.access import BackOfficeMenuItem, OrganizersChangeSupervisorsRead

from . import registry
from .forms import TemplateForm
from .models import Channel, Message, MessageTemplate
from .render import TemplateError, check, render
from .selectors import outbox
from .services import message_retry, template_for, template_reset, template_save

PER_PAGE = 50


class TitledPage:
    """The page's own title as the last breadcrumb: Wagtail's header shows the breadcrumbs,
    which otherwise end at 首页."""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class OutboxView(OrganizersChangeSupervisorsRead, TitledPage, WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("消息发件箱")
    header_icon = "mail"
    template_name = "messaging/admin/outbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chosen = {name: self.request.GET.get(name, "") for name in ("kind", "channel", "status")}
        labels = {k.name: k.label for k in registry.kinds()}
        page = Paginator(outbox(**chosen), PER_PAGE).get_page(self.request.GET.get("p"))
        for row in page:
            row.kind_label = labels.get(row.kind, row.kind)
        context.update(
            can_change=self.can_change,
            page=page,
            chosen=chosen,
            kinds=list(labels.items()),
            channels=Channel.choices,
            statuses=Message.Status.choices,
        )
        return context

    def post(self, request, *args, **kwargs):
        message = Message.objects.filter(pk=request.POST.get("message")).first()
        if message is not None and message_retry(message=message):
            messages.success(request, _("消息已重新排队发送。"))
        else:
            messages.error(request, _("这条消息不能重新发送（可能已经发送或正在排队）。"))
        return redirect(f"{reverse('messaging:outbox')}?status=failed")


class TemplateListView(OrganizersChangeSupervisorsRead, TitledPage, WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("消息模板")
    header_icon = "doc-full"
    template_name = "messaging/admin/templates.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edited = set(MessageTemplate.objects.values_list("kind", flat=True))
        channel_labels = dict(Channel.choices)
        context["rows"] = [
            {
                "kind": k,
                "edited": k.name in edited,
                "channels": [channel_labels[c] for c in template_for(k).channels if c in channel_labels],
            }
            for k in registry.kinds()
        ]
        return context


class TemplateEditView(OrganizersChangeSupervisorsRead, TitledPage, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "doc-full"
    template_name = "messaging/admin/template_edit.html"

    def load(self, *, kind):
        try:
            self.kind = registry.kind(kind)
        except LookupError:
            raise Http404 from None

    def get_page_title(self):
        return _("消息模板：%(label)s") % {"label": self.kind.label}

    def initial(self):
        current = template_for(self.kind)
        return {
            "subject": current.subject,
            "body": current.body,
            "sms_body": current.sms_body,
            "sms_template_code": current.sms_template_code,
            "channels": list(current.channels),
        }

    def preview(self, data: dict) -> dict:
        """The template rendered on the kind's sample (real data when there is any)."""
        sample = (self.kind.sample() if self.kind.sample else None) or {}
        # Without real data, each variable shows as what it stands for: 〔团队名称〕.
        context = {
            name: sample.get(name, f"〔{description}〕") for name, description in self.kind.variables.items()
        }
        context["link"] = sample.get("link", "https://example.org/…")
        variables = {**self.kind.variables, "link": ""}
        result = {"real": bool(sample)}
        for field in ("subject", "body", "sms_body"):
            try:
                result[field] = render(data.get(field, ""), variables, context)
            except TemplateError as error:
                result[field] = ""
                result["error"] = str(error)
        return result

    def get_context_data(self, form=None, preview=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = form or TemplateForm(initial=self.initial())
        data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else self.initial()
        context.update(
            kind=self.kind,
            form=form,
            can_change=self.can_change,
            variables=[*self.kind.variables.items(), ("link", _("链接（平台上的对应页面）"))],
            preview=preview or self.preview(data),
            edited=MessageTemplate.objects.filter(kind=self.kind.name).exists(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "reset" in request.POST:
            template_reset(kind=self.kind.name)
            messages.success(request, _("已恢复默认模板。"))
            return redirect("messaging:template_edit", kind=self.kind.name)
        form = TemplateForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            for field in ("subject", "body", "sms_body"):
                check(data[field])
        except TemplateError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form, preview={"error": str(error)}))
        if "preview" in request.POST:
            return self.render_to_response(self.get_context_data(form=form))
        try:
            template_save(kind=self.kind.name, by=request.user, **data)
        except TemplateError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("模板已保存。"))
        return redirect("messaging:templates")


class OutboxViewSet(ViewSet):
    name = "messaging"
    url_prefix = "messages"
    icon = "mail"
    menu_label = gettext_lazy("消息发件箱")
    menu_hook = "register_reports_menu_item"
    menu_item_class = BackOfficeMenuItem

    def get_urlpatterns(self):
        return [
            path("", OutboxView.as_view(), name="outbox"),
            path("templates/", TemplateListView.as_view(), name="templates"),
            path("templates/<str:kind>/", TemplateEditView.as_view(), name="template_edit"),
        ]


class TemplatesMenuViewSet(ViewSet):
    """Only the menu entry 设置 → 消息模板 (the pages are the outbox viewset's)."""

    name = "messaging_templates"
    url_prefix = "message-templates"
    icon = "doc-full"
    menu_label = gettext_lazy("消息模板")
    menu_hook = "register_settings_menu_item"
    menu_item_class = BackOfficeMenuItem

    @property
    def menu_url(self):
        return reverse("messaging:templates")

    def get_urlpatterns(self):
        return []


outbox_viewset = OutboxViewSet()
templates_menu_viewset = TemplatesMenuViewSet()
