"""设置 → 报告 → 账号记录: the audit of accounts' rights and passwords (``AccountEvent``),
for supervisors (监督委员会) and organizers to read; nobody changes it here. Anyone else gets a
404. Two queries whatever the page size (count, page with its people)."""

from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.access import BackOfficeMenuItem, OrganizersChangeSupervisorsRead
from accounts.models import AccountEvent
from common.pages import paginate

PER_PAGE = 50


class AccountEventListView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    read_only = True
    page_title = gettext_lazy("账号记录")
    header_icon = "user"
    template_name = "accounts/account_events.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = AccountEvent.objects.order_by("-at", "-pk")
        context["page"], _numbers = paginate(self.request, events, PER_PAGE)
        return context


class AccountEventViewSet(ViewSet):
    name = "account_events"
    url_prefix = "account-events"
    icon = "user"
    menu_label = gettext_lazy("账号记录")
    menu_hook = "register_reports_menu_item"
    menu_item_class = BackOfficeMenuItem

    def get_urlpatterns(self):
        return [path("", AccountEventListView.as_view(), name="index")]


account_event_viewset = AccountEventViewSet()
