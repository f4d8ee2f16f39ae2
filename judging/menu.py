"""评审管理 in the back office: the menu group of judging's screens. Other screens join its
submenu by registering with ``JUDGING_SUBMENU_HOOK`` (导出与导入; awards: 入围名单)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSetGroup

from judging.conflicts.viewsets import ConflictViewSet
from judging.judges.viewsets import JudgeInvitationViewSet, JudgeViewSet
from judging.rounds.viewsets import RoundViewSet

JUDGING_SUBMENU_HOOK = "register_judging_menu_item"


class JudgingViewSetGroup(ModelViewSetGroup):
    menu_label = _("评审管理")
    menu_icon = "tasks"
    menu_order = 160
    submenu_hook = JUDGING_SUBMENU_HOOK
    items = (RoundViewSet, JudgeViewSet, ConflictViewSet, JudgeInvitationViewSet)


judging_viewset_group = JudgingViewSetGroup()
