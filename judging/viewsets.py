"""Wagtail admin screens for judging (one back office): rounds with their rubric, judges,
conflicts and invitations, grouped under 评审管理.

Writes that carry rules go through ``judging.services``: a new judge joins the judges' group,
a conflict set here drops the pair from open rounds and gets a replacement, an invitation is
e-mailed by the tasks framework. The per-round pages (assignment, progress, …) live in
``judging.admin_views`` and hang off the round listing.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import ListingButton
from wagtail.log_actions import log

from competition.models import Entry

from . import admin_views, result_admin_views, services
from .models import DEFAULT_RUBRIC, Assignment, Conflict, Judge, JudgeInvitation, Round, ScoreSheet


class TimeColumn(Column):
    """A date and time as it is (Wagtail's DateColumn says "just now" for future times)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


# --- Rounds and their rubric ---------------------------------------------------------------


class RoundForm(WagtailAdminModelForm):
    """The round and its rubric (criteria inline). Once scoring has started the rubric keeps
    its shape: criteria can be reworded but not added, removed or re-weighted."""

    # The 计分 panel: left out or blank, each keeps its current value (the model's default).
    SCORING_FIELDS = ("method", "shrinkage", "disagreement_threshold", "stage_weight")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SCORING_FIELDS:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.SCORING_FIELDS:
            if name in self.fields and cleaned.get(name) in (None, "") and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        opens, closes = cleaned.get("scoring_opens"), cleaned.get("scoring_closes")
        if opens and closes and closes <= opens:
            # Said here in words; otherwise the database constraint's name would be the message.
            self.add_error("scoring_closes", gettext("评分截止时间必须晚于评分开始时间。"))
        if self.instance.pk and "contest" in self.changed_data and self.instance.round_entries.exists():
            self.add_error("contest", gettext("这个轮次已有参评项目，不能再更换大赛。"))
        self._check_scoring(cleaned)
        criteria = self.formsets.get("criteria")
        if criteria is not None and criteria.is_valid():
            if self.instance.pk and self.instance.status != Round.Status.SETUP and self._rubric_reshaped():
                raise ValidationError(gettext("评分开始后不能增删评分项，也不能修改满分或权重。"))
            self._number_new_criteria()
        return cleaned

    def _check_scoring(self, cleaned) -> None:
        """The 计分 panel: no negative figures, and a tie criterion that is in the rubric."""
        for name in ("shrinkage", "disagreement_threshold", "stage_weight"):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, gettext("不能为负数。"))
        position = cleaned.get("tie_criterion_position")
        criteria = self.formsets.get("criteria")
        if position and criteria is not None and criteria.is_valid():
            count = sum(1 for _form, deleted in self._kept_forms() if not deleted) or len(DEFAULT_RUBRIC)
            if position > count:
                message = gettext("评分标准只有 %(count)s 项，请填写 1 到 %(count)s 之间的序号。")
                self.add_error("tie_criterion_position", message % {"count": count})

    def _kept_forms(self):
        formset = self.formsets["criteria"]
        for form in formset.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue  # an empty extra form
            deleted = formset.can_delete and formset._should_delete_form(form)
            yield form, deleted

    def _rubric_reshaped(self) -> bool:
        for form, deleted in self._kept_forms():
            if form.instance.pk is None and not deleted:
                return True
            if form.instance.pk is not None and (
                deleted or {"max_points", "weight"} & set(form.changed_data)
            ):
                return True
        return False

    def _number_new_criteria(self) -> None:
        """New criteria go after the existing ones (the rubric is listed by sort order)."""
        kept = [form for form, deleted in self._kept_forms() if not deleted]
        last = max((form.instance.sort_order for form in kept if form.instance.pk), default=0)
        for form in kept:
            if form.instance.pk is None:
                last += 1
                form.instance.sort_order = last


class RoundCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        # A round saved without criteria gets the default rubric (a no-op when it has some).
        services.round_add_default_rubric(round=Round.objects.get(pk=instance.pk))
        return instance


class RoundEditView(generic.EditView):
    def save_instance(self):
        instance = super().save_instance()
        services.round_add_default_rubric(round=Round.objects.get(pk=instance.pk))
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
            self.object.status != Round.Status.SETUP
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
        for priority, (name, label, icon) in enumerate(admin_views.ROUND_PAGES, start=40):
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
                    FieldPanel("judges_per_entry"),
                    FieldPanel("proportional_to_capacity"),
                ],
                heading=_("参评项目与分配"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("method"),
                    FieldRowPanel([FieldPanel("shrinkage"), FieldPanel("disagreement_threshold")]),
                    FieldRowPanel([FieldPanel("tie_criterion_position"), FieldPanel("stage_weight")]),
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
        return (
            super().get_urlpatterns()
            + admin_views.round_urlpatterns()
            + result_admin_views.round_urlpatterns()
        )


# --- Judges --------------------------------------------------------------------------------


class JudgeForm(WagtailAdminModelForm):
    """A judge is a user account (not a team's) with a profile. The account is chosen once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(team__isnull=True).order_by("username")
        field = self.fields["user"]
        field.label = gettext("账号")
        if self.instance.pk:
            field.queryset = users.filter(pk=self.instance.user_id)
            field.disabled = True
            field.help_text = gettext("评委的账号创建后不能更换。")
        else:
            field.queryset = users.filter(judge__isnull=True, is_active=True)
            field.help_text = gettext(
                "选择一个已有账号（参赛团队的账号不能做评委）；也可以用“邀请评委”请对方自己注册。"
            )


class JudgeCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        judge = services.judge_create(
            user=data["user"],
            name=data["name"],
            title=data.get("title", ""),
            expertise=data.get("expertise", ()),
            county=data.get("county"),
            organization=data.get("organization"),
            capacity=data.get("capacity"),
            active=data.get("active", True),
        )
        log(judge, "wagtail.create", user=self.request.user)
        return judge


class JudgeEditView(generic.EditView):
    def save_instance(self):
        instance = super().save_instance()
        services.judge_sync_county(instance)
        return instance


class JudgeDeleteView(RefusingDeleteView):
    def refusal(self):
        if Assignment.objects.filter(judge=self.object).exists():
            return gettext("这位评委已有评审任务，不能删除；如不再参加评审，请取消“在任”。")
        return None


class JudgeIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("county", "organization", "user")


class JudgeViewSet(ModelViewSet):
    model = Judge
    icon = "user"
    menu_label = _("评委")
    url_prefix = "judging/judges"
    name = "judging_judges"
    index_view_class = JudgeIndexView
    add_view_class = JudgeCreateView
    edit_view_class = JudgeEditView
    delete_view_class = JudgeDeleteView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = ["name", "title", "county", "organization", "capacity", "active", "user"]
    list_filter = ["active", "county", "expertise"]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("user"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("title")]),
            FieldPanel("expertise", widget=forms.CheckboxSelectMultiple),
            FieldRowPanel([FieldPanel("organization"), FieldPanel("county")]),
            FieldRowPanel([FieldPanel("capacity"), FieldPanel("active")]),
        ],
        base_form_class=JudgeForm,
    )


# --- Conflicts set by organizers -------------------------------------------------------------


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}（{obj.team.name}）"


class ConflictForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry = self.fields["entry"]
        self.fields["entry"] = EntryChoiceField(
            queryset=Entry.objects.filter(status=Entry.Status.SUBMITTED)
            .select_related("team")
            .order_by("title", "pk"),
            label=entry.label,
            help_text=entry.help_text,
            disabled=bool(self.instance.pk),
        )
        self.fields["judge"].queryset = Judge.objects.order_by("name", "pk")
        if self.instance.pk:
            self.fields["judge"].disabled = True


class ConflictCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.conflict_set(
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


# --- Invitations -------------------------------------------------------------------------------


class JudgeInvitationForm(WagtailAdminModelForm):
    class Meta:
        model = JudgeInvitation
        fields = ["name", "email", "expertise", "organization", "county", "capacity"]
        labels = {
            "county": _("所在县（市、区）"),
            "organization": _("所在单位"),
            "capacity": _("评审容量"),
        }
        help_texts = {
            "county": _("同一县（市、区）的项目自动回避。"),
            "organization": _("同一单位的项目自动回避；选了单位时，县（市、区）跟随单位。"),
            "capacity": _("每轮最多评审的项目数；留空表示不限。"),
        }
        widgets = {"expertise": forms.CheckboxSelectMultiple}


class InvitationCreateView(generic.CreateView):
    page_subtitle = _("邀请评委")
    submit_button_label = _("发送邀请")
    submit_button_active_label = _("正在发送…")

    def save_instance(self):
        data = self.form.cleaned_data
        invitation, _token = services.judge_invite(
            email=data["email"],
            name=data["name"],
            by=self.request.user,
            expertise=data.get("expertise", ()),
            county=data.get("county"),
            organization=data.get("organization"),
            capacity=data.get("capacity"),
        )
        return invitation

    def get_success_message(self, instance):
        return gettext("已向 %(email)s 发出邀请，注册链接 %(days)s 天内有效。") % {
            "email": instance.email,
            "days": services.INVITATION_DAYS,
        }

    def get_success_url(self):
        return reverse(self.index_url_name)

    def get_edit_url(self):
        return reverse(self.index_url_name)  # invitations are not edited: back to the list

    def get_success_buttons(self):
        return []


class InvitationStatusColumn(Column):
    def get_value(self, instance):
        if instance.accepted_at:
            return gettext("已接受")
        if instance.expires_at <= timezone.now():
            return gettext("已过期")
        return gettext("待接受")


class InvitationIndexView(generic.IndexView):
    @cached_property
    def add_item_label(self):
        return gettext("邀请评委")

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("judge", "created_by")


class JudgeInvitationViewSet(ModelViewSet):
    model = JudgeInvitation
    icon = "mail"
    menu_label = _("邀请评委")
    url_prefix = "judging/invitations"
    name = "judging_invitations"
    index_view_class = InvitationIndexView
    add_view_class = InvitationCreateView
    copy_view_enabled = False
    add_to_reference_index = False
    form_class = JudgeInvitationForm
    list_display = [
        "name",
        "email",
        InvitationStatusColumn("status", label=_("状态")),
        DateColumn("created_at", label=_("邀请时间"), sort_key="created_at"),
        TimeColumn("expires_at", label=_("有效期至"), sort_key="expires_at"),
    ]
    search_fields = ["name", "email"]

    def get_form_class(self, for_update=False):
        return JudgeInvitationForm

    def get_urlpatterns(self):
        # Invitations are sent, listed and withdrawn (deleted); they are not edited.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("delete/<int:pk>/", self.delete_view, name="delete"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"edit_url_name": None, "history_url_name": None, "usage_url_name": None, **kwargs}
        )


class JudgingViewSetGroup(ModelViewSetGroup):
    menu_label = _("评审管理")
    menu_icon = "tasks"
    menu_order = 160
    items = (
        RoundViewSet,
        result_admin_views.ShortlistViewSet,
        JudgeViewSet,
        ConflictViewSet,
        JudgeInvitationViewSet,
    )


judging_viewset_group = JudgingViewSetGroup()
