"""Conflicts set by organizers, in the back office (Wagtail ModelViewSet)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from judging.conflicts.forms import ConflictForm
from judging.conflicts.services import conflict_set
from judging.models import Conflict


class ConflictCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return conflict_set(
            judge=data["judge"], entry=data["entry"], reason=data.get("reason", ""), by=self.request.user
        )

    def get_success_message(self, instance):
        return gettext(
            "已设定回避：%(judge)s 不再评审“%(entry)s”；进行中的轮次会撤销这对分配并补派评委。"
        ) % {
            "judge": instance.judge.name,
            "entry": instance.entry.title,
        }


class ConflictIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("judge", "entry", "created_by")


class ConflictViewSet(ModelViewSet):
    model = Conflict
    icon = "no-view"
    menu_label = _("回避关系")
    url_prefix = "judging/conflicts"
    name = "judging_conflicts"
    index_view_class = ConflictIndexView
    add_view_class = ConflictCreateView
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        "judge",
        Column("entry", label=_("参赛项目"), accessor="entry.title"),
        Column("source", label=_("来源"), accessor="get_source_display"),
        "reason",
        DateColumn("created_at", label=_("设定时间"), sort_key="created_at"),
    ]
    list_filter = ["source", "judge"]
    edit_handler = ObjectList(
        [FieldPanel("judge"), FieldPanel("entry"), FieldPanel("reason")], base_form_class=ConflictForm
    )
