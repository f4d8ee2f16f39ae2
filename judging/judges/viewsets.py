"""Judges and invitations in the back office (Wagtail ModelViewSets)."""

from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import ListingButton
from wagtail.log_actions import log

from accounts.roles import is_organizer
from common.admin_columns import ReadableInspectView, YesNoColumn
from judging.errors import JudgingError
from judging.judges.forms import JudgeForm, JudgeInvitationForm
from judging.judges.services import (
    INVITATION_DAYS,
    invitation_link,
    judge_create,
    judge_invitation_resend,
    judge_invite,
    judge_sync_county,
)
from judging.models import Assignment, Judge, JudgeInvitation
from judging.rounds.viewsets import RefusingDeleteView, TimeColumn


class JudgeCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        judge = judge_create(
            user=data["user"],
            name=data["name"],
            title=data.get("title", ""),
            phone=data.get("phone", ""),
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
        judge_sync_county(instance)
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
    inspect_view_class = ReadableInspectView
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        "name",
        "title",
        "county",
        "organization",
        "capacity",
        YesNoColumn("active", label=_("在任"), sort_key="active"),
        "user",
    ]
    list_filter = ["active", "county", "expertise"]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("user"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("title"), FieldPanel("phone")]),
            FieldPanel("expertise", widget=forms.CheckboxSelectMultiple),
            FieldRowPanel([FieldPanel("organization"), FieldPanel("county")]),
            FieldRowPanel([FieldPanel("capacity"), FieldPanel("active")]),
        ],
        base_form_class=JudgeForm,
    )


# Session key of the links shown once: {invitation pk: link}. Only a hash of a token is stored,
# so the link exists in this session alone until the organizer has seen it.
SHOWN_ONCE_LINKS = "judge_invitation_links"


def remember_link(request, invitation: JudgeInvitation, token: str) -> None:
    links = request.session.get(SHOWN_ONCE_LINKS, {})
    links[str(invitation.pk)] = invitation_link(token)
    request.session[SHOWN_ONCE_LINKS] = links


class InvitationCreateView(generic.CreateView):
    page_subtitle = _("邀请评委")
    submit_button_label = _("发送邀请")
    submit_button_active_label = _("正在发送…")

    def save_instance(self):
        data = self.form.cleaned_data
        invitation, token = judge_invite(
            email=data["email"],
            name=data["name"],
            by=self.request.user,
            expertise=data.get("expertise", ()),
            county=data.get("county"),
            organization=data.get("organization"),
            capacity=data.get("capacity"),
            title=data.get("title", ""),
            phone=data.get("phone", ""),
        )
        remember_link(self.request, invitation, token)
        return invitation

    def get_success_message(self, instance):
        return gettext("已向 %(email)s 发出邀请，注册链接 %(days)s 天内有效。") % {
            "email": instance.email,
            "days": INVITATION_DAYS,
        }

    def get_success_url(self):
        return reverse("judging_invitations:link", args=[self.object.pk])

    def get_edit_url(self):
        return reverse(self.index_url_name)  # invitations are not edited: back to the list

    def get_success_buttons(self):
        return []


class InvitationPageView(WagtailAdminTemplateMixin, TemplateView):
    """Organizers only (anyone else: 404); ``self.invitation`` is the invitation of the URL."""

    header_icon = "mail"

    def dispatch(self, request, *args, pk, **kwargs):
        if not is_organizer(request.user):
            raise Http404
        self.invitation = JudgeInvitation.objects.filter(pk=pk).first()
        if self.invitation is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("judging_invitations:index"), "label": gettext("邀请评委")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation=self.invitation, days=INVITATION_DAYS, **kwargs)


class InvitationResendView(InvitationPageView):
    """重新发送: a new link (the old one stops working) and the e-mail sent again."""

    page_title = _("重新发送邀请")
    template_name = "judging/admin/invitation_resend.html"

    def post(self, request, *args, **kwargs):
        try:
            invitation, token = judge_invitation_resend(invitation=self.invitation, by=request.user)
        except JudgingError as error:
            return self.render_to_response(self.get_context_data(error=error.message))
        remember_link(request, invitation, token)
        return redirect("judging_invitations:link", invitation.pk)


class InvitationLinkView(InvitationPageView):
    """The sign-up link to copy (e.g. into WeChat), shown once after inviting or re-sending."""

    page_title = _("邀请链接")
    template_name = "judging/admin/invitation_link.html"

    def get_context_data(self, **kwargs):
        links = self.request.session.get(SHOWN_ONCE_LINKS, {})
        link = links.pop(str(self.invitation.pk), None)
        self.request.session[SHOWN_ONCE_LINKS] = links
        return super().get_context_data(link=link, **kwargs)


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

    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        if instance.accepted_at is None:
            resend = ListingButton(
                gettext("重新发送"),
                url=reverse("judging_invitations:resend", args=[instance.pk]),
                icon_name="mail",
                priority=5,
            )
            buttons = [resend, *buttons]
        return buttons


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
            path("resend/<int:pk>/", InvitationResendView.as_view(), name="resend"),
            path("link/<int:pk>/", InvitationLinkView.as_view(), name="link"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"edit_url_name": None, "history_url_name": None, "usage_url_name": None, **kwargs}
        )
