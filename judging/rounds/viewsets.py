"""The round listing and editor (Wagtail ModelViewSet), with every per-round page's URLs."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

from common.admin_columns import ReadableInspectView
from common.errors import DomainError
from judging.assignment.admin_views import AdjustView, AssignView
from judging.masking.admin_views import (
    CopyBoxView,
    CopyOriginalView,
    CopyPageView,
    MaskedEditView,
    MaskedListView,
)
from judging.models import Round, ScoreSheet
from judging.phases import round_phase
from judging.results.admin_views import AdvanceView, JudgeStatsView, ResultsView
from judging.rounds.admin_views import ROUND_PAGES, EventsView, RoundStatusConfirmView, RoundStatusView
from judging.rounds.forms import RoundForm
from judging.rounds.services import check_rubric_change, round_add_default_rubric
from judging.scoring.admin_views import ProgressView, SheetReopenView, SheetsView


class TimeColumn(Column):
    """A date and time as it is (Wagtail's DateColumn says "just now" for future times)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


class RoundCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        # A round saved without criteria gets the default rubric (a no-op when it has some).
        round_add_default_rubric(round=Round.objects.get(pk=instance.pk))
        return instance


class RoundEditView(generic.EditView):
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)

    def save_instance(self):
        with transaction.atomic():
            # Asked again under a lock: the round may have opened since the form was checked.
            current = Round.objects.select_for_update().get(pk=self.object.pk)
            check_rubric_change(round=current, reshaped=self.form.rubric_reshaped())
            instance = super().save_instance()
        round_add_default_rubric(round=Round.objects.get(pk=instance.pk))
        return instance


class RefusingDeleteView(generic.DeleteView):
    """A delete that is refused, with a message in words, when other records depend on it
    (rather than a database error)."""

    def refusal(self) -> str | None:
        return None

    def _refused(self):
        reason = self.refusal()
        if reason is None:
            return None
        messages.error(self.request, reason)
        return redirect(self.index_url_name)

    def get(self, request, *args, **kwargs):
        return self._refused() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refused() or super().post(request, *args, **kwargs)


class RoundDeleteView(RefusingDeleteView):
    def refusal(self):
        if (
            not round_phase(self.object).can_delete
            or ScoreSheet.objects.filter(assignment__round=self.object).exists()
        ):
            return gettext("评分已经开始的轮次不能删除。")
        return None


class RoundIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super().get_base_queryset().select_related("contest").annotate(entry_count=Count("round_entries"))
        )

    def get_list_buttons(self, instance):
        progress = ListingButton(
            gettext("评审进度"),
            url=reverse("judging_rounds:progress", args=[instance.pk]),
            icon_name="tasks",
            priority=5,
        )
        return [progress, *super().get_list_buttons(instance)]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for priority, (name, label, icon) in enumerate(ROUND_PAGES, start=40):
            if name == "progress":
                continue
            url = reverse(f"judging_rounds:{name}", args=[instance.pk])
            buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons


class RoundViewSet(ModelViewSet):
    model = Round
    icon = "date"
    menu_label = _("评审轮次")
    url_prefix = "judging/rounds"
    name = "judging_rounds"
    index_view_class = RoundIndexView
    add_view_class = RoundCreateView
    edit_view_class = RoundEditView
    delete_view_class = RoundDeleteView
    inspect_view_enabled = True
    inspect_view_class = ReadableInspectView
    copy_view_enabled = False
    add_to_reference_index = False
    list_filter = ["contest", "status"]
    list_display = [
        "name",
        "contest",
        Column("status", label=_("状态"), accessor="get_status_display"),
        TimeColumn("scoring_closes", label=_("评分截止时间"), sort_key="scoring_closes"),
        "judges_per_entry",
        Column("entry_count", label=_("参评项目数"), sort_key="entry_count"),
    ]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("contest"),
                    FieldRowPanel([FieldPanel("name"), FieldPanel("order")]),
                    FieldRowPanel([FieldPanel("scoring_opens"), FieldPanel("scoring_closes")]),
                ],
                heading=_("基本信息"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("entry_source"),
                    FieldRowPanel([FieldPanel("judges_per_entry"), FieldPanel("min_sheets")]),
                    FieldPanel("proportional_to_capacity"),
                ],
                heading=_("参评项目与分配"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("method"),
                    FieldRowPanel([FieldPanel("shrinkage"), FieldPanel("disagreement_threshold")]),
                    FieldRowPanel([FieldPanel("tie_criterion_position"), FieldPanel("stage_weight")]),
                    FieldPanel("combine_earlier"),
                ],
                heading=_("计分"),
                help_text=_("修改后请在“成绩”页重新计算；每种方法的分数都会保留，并排显示。"),
            ),
            InlinePanel(
                "criteria",
                heading=_("评分标准"),
                label=_("评分项"),
                help_text=_("不填写评分项时，保存后自动使用默认评分标准（六项，满分 100 分）。"),
                panels=[
                    FieldPanel("name"),
                    FieldPanel("guidance"),
                    FieldRowPanel([FieldPanel("max_points"), FieldPanel("weight")]),
                ],
            ),
        ],
        base_form_class=RoundForm,
    )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/status/", RoundStatusView.as_view(), name="status"),
            path("<int:pk>/status/<str:status>/", RoundStatusConfirmView.as_view(), name="status_confirm"),
            path("<int:pk>/assign/", AssignView.as_view(), name="assign"),
            path("<int:pk>/adjust/", AdjustView.as_view(), name="adjust"),
            path("<int:pk>/progress/", ProgressView.as_view(), name="progress"),
            path("<int:pk>/masked/", MaskedListView.as_view(), name="masked"),
            path("<int:pk>/masked/<str:code>/", MaskedEditView.as_view(), name="masked_edit"),
            path(
                "<int:pk>/masked/<str:code>/copies/<int:n>/pages/<int:page>/",
                CopyPageView.as_view(),
                name="copy_page",
            ),
            path(
                "<int:pk>/masked/<str:code>/copies/<int:n>/original/",
                CopyOriginalView.as_view(),
                name="copy_original",
            ),
            path("<int:pk>/masked/<str:code>/copies/<int:n>/boxes/", CopyBoxView.as_view(), name="copy_box"),
            path("<int:pk>/sheets/", SheetsView.as_view(), name="sheets"),
            path("<int:pk>/sheets/<int:sheet_id>/reopen/", SheetReopenView.as_view(), name="sheet_reopen"),
            path("<int:pk>/results/", ResultsView.as_view(), name="results"),
            path("<int:pk>/judge-stats/", JudgeStatsView.as_view(), name="judge_stats"),
            path("<int:pk>/advance/", AdvanceView.as_view(), name="advance"),
            path("<int:pk>/events/", EventsView.as_view(), name="events"),
        ]
