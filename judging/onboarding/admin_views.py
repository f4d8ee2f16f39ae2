"""Back-office pages of the people import: 导入评委 (评审管理) and 导入县区管理员 (大赛管理).
Same flow as the places import (``competition.onboarding.admin_views.ImportPageView``); after
importing judges the page lists each new invitation's link once, to hand over in a chat."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail.admin.viewsets.base import ViewSet

from competition.menu import COMPETITION_SUBMENU_HOOK
from competition.onboarding.admin_views import ImportPageView, OrganizerMenuItem, TemplateDownloadView
from competition.onboarding.workbook import Plan
from judging.menu import JUDGING_SUBMENU_HOOK
from judging.onboarding.people import (
    coordinators_check,
    coordinators_import,
    coordinators_template,
    judges_check,
    judges_import,
    judges_template,
)


class JudgesImportView(ImportPageView):
    page_title = gettext_lazy("导入评委")
    session_key = "judges_import"
    template_url_name = "judging_onboarding:template"
    url_name = "judging_onboarding:judges"
    intro = gettext_lazy(
        "先下载模板，每行填写一位评委后上传。系统先逐行检查，显示每一行将新增、修改、不变还是有错误；"
        "确认后一次性导入，并向新评委的邮箱发送邀请。同一文件再次导入不会重复发送邀请。"
    )

    def check(self, upload) -> Plan:
        return judges_check(upload=upload)

    def apply(self, upload, *, confirmed: str) -> Plan:
        plan, invited = judges_import(upload=upload, by=self.request.user, confirmed=confirmed)
        self.shown = invited
        return plan


class CoordinatorsImportView(ImportPageView):
    page_title = gettext_lazy("导入县区管理员")
    session_key = "coordinators_import"
    template_url_name = "judging_onboarding_coordinators:template"
    url_name = "judging_onboarding_coordinators:coordinators"
    intro = gettext_lazy(
        "先下载模板，每行填写一位县区管理员后上传。系统先逐行检查，显示每一行将新增、修改、不变还是有错误；"
        "确认后一次性导入：为新的县区管理员建立账号，并向其邮箱发送设置密码的链接。"
    )

    def check(self, upload) -> Plan:
        return coordinators_check(upload=upload)

    def apply(self, upload, *, confirmed: str) -> Plan:
        return coordinators_import(upload=upload, confirmed=confirmed)


class JudgesTemplateView(TemplateDownloadView):
    content = judges_template
    file_name = gettext_lazy("评委导入模板.xlsx")


class CoordinatorsTemplateView(TemplateDownloadView):
    content = coordinators_template
    file_name = gettext_lazy("县区管理员导入模板.xlsx")


class JudgesImportViewSet(ViewSet):
    name = "judging_onboarding"
    url_prefix = "judging/onboarding"
    icon = "upload"
    menu_label = gettext_lazy("导入评委")
    menu_item_class = OrganizerMenuItem
    menu_hook = JUDGING_SUBMENU_HOOK
    menu_order = 900

    def get_urlpatterns(self):
        return [
            path("", JudgesImportView.as_view(), name="judges"),
            path("template/", JudgesTemplateView.as_view(), name="template"),
        ]

    @property
    def menu_url(self):
        return reverse("judging_onboarding:judges")


class CoordinatorsImportViewSet(ViewSet):
    name = "judging_onboarding_coordinators"
    url_prefix = "judging/onboarding-coordinators"
    icon = "upload"
    menu_label = gettext_lazy("导入县区管理员")
    menu_item_class = OrganizerMenuItem
    menu_hook = COMPETITION_SUBMENU_HOOK
    menu_order = 910

    def get_urlpatterns(self):
        return [
            path("", CoordinatorsImportView.as_view(), name="coordinators"),
            path("template/", CoordinatorsTemplateView.as_view(), name="template"),
        ]

    @property
    def menu_url(self):
        return reverse("judging_onboarding_coordinators:coordinators")


judges_import_viewset = JudgesImportViewSet()
coordinators_import_viewset = CoordinatorsImportViewSet()
