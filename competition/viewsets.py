"""Wagtail admin screens for the contest's reference data (one back office)."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from accounts.roles import accounts_managed_by, is_organizer
from common.admin_columns import YesNoColumn

from . import phases, roles, services
from .admin_views import EntryViewSet
from .errors import ContestError
from .menu import COMPETITION_SUBMENU_HOOK
from .models import Category, Contest, Coordinator, County, Organization, Team, Town
from .stations.forms import StationPicker
from .templatetags.competition_tags import mask_phone


class ContestForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("submission_opens"), cleaned.get("submission_closes")
        if opens and closes and closes <= opens:
            # Said here in words; otherwise the database constraint's name would be the message.
            self.add_error("submission_closes", gettext("截止申报时间必须晚于开始申报时间。"))
        return cleaned


class DuplicateColumn(Column):
    """The way to next year's contest, for organizers (who alone may make one)."""

    cell_template_name = "competition/admin/duplicate_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context["may_duplicate"] = bool(request and is_organizer(request.user))
        return context

    def get_value(self, instance):
        return reverse("contest:duplicate", args=[instance.pk])


class ContestDuplicateForm(forms.Form):
    year = forms.IntegerField(label=_("新一届的年度"), min_value=2000, max_value=2200)


class ContestDuplicateView(WagtailAdminTemplateMixin, FormView):
    """Confirm, then make next year's contest (``services.contest_duplicate``)."""

    template_name = "competition/admin/contest_duplicate.html"
    form_class = ContestDuplicateForm
    header_icon = "copy"

    def dispatch(self, request, *args, **kwargs):
        if not is_organizer(request.user):
            raise Http404  # need to know (DESIGN §4): others are told nothing

        self.source = get_object_or_404(Contest, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return gettext("复制为新一届大赛")

    def get_page_subtitle(self):
        return self.source.title

    def get_initial(self):
        return {"year": self.source.year + 1}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(source=self.source)
        return context

    def form_valid(self, form):
        try:
            copy = services.contest_duplicate(
                source=self.source, year=form.cleaned_data["year"], by=self.request.user
            )
        except ContestError as error:
            form.add_error("year", error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("已复制为“%(title)s”，请核对日期、名额和页面后再开始申报。") % {"title": copy.title},
        )
        return redirect("contest:edit", copy.pk)


class ContestViewSet(ModelViewSet):
    model = Contest
    icon = "date"
    menu_label = _("大赛设置")
    list_display = [
        "title",
        "year",
        "submission_opens",
        "submission_closes",
        "max_entries_per_team",
        DuplicateColumn("duplicate", label=_("新一届")),
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("duplicate/<int:pk>/", ContestDuplicateView.as_view(), name="duplicate"),
        ]

    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("title"),
                    FieldRowPanel([FieldPanel("year"), FieldPanel("slug")]),
                    FieldPanel("description"),
                ],
                heading=_("基本信息"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("submission_opens"), FieldPanel("submission_closes")]),
                    FieldPanel("max_entries_per_team"),
                ],
                heading=_("申报规则"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("recommendation_closes"),
                    FieldPanel("recommendation_quota"),
                    InlinePanel(
                        "county_quotas",
                        heading=_("分县推荐名额"),
                        label=_("分县推荐名额"),
                        help_text=_("为个别县（市、区）单独设置名额；未列出的县使用上面的“每县推荐名额”。"),
                    ),
                ],
                heading=_("县区推荐"),
            ),
            FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
        ],
        base_form_class=ContestForm,
    )


class CountyViewSet(ModelViewSet):
    model = County
    icon = "site"
    menu_label = _("县（市、区）")
    list_display = ["name", "short_name", "sort_order"]
    form_fields = ["name", "short_name", "sort_order"]
    search_fields = ["name"]


class TownViewSet(ModelViewSet):
    model = Town
    icon = "site"
    menu_label = _("乡镇（街道）")
    list_display = ["name", "county"]
    list_filter = ["county"]
    form_fields = ["county", "name"]
    search_fields = ["name", "search_key"]
    list_per_page = 50


class OrganizationForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Parents are centers and institutes (a few hundred), never the thousands of stations.
        self.fields["parent"].queryset = Organization.objects.filter(
            kind__in=[Organization.Kind.CENTER, Organization.Kind.INSTITUTE]
        ).select_related("county")
        self.fields["town"].queryset = Town.objects.select_related("county")


class OrganizationViewSet(ModelViewSet):
    model = Organization
    icon = "home"
    menu_label = _("文明实践阵地")
    list_display = [
        "name",
        "kind",
        "county",
        "town",
        "star_level",
        YesNoColumn("confirmed", label=_("已确认"), accessor="confirmed"),
    ]
    list_filter = ["kind", "county", "star_level", "confirmed"]
    search_fields = ["name", "search_key"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("short_name"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("star_level")]),
            FieldRowPanel([FieldPanel("county"), FieldPanel("town")]),
            FieldPanel("parent"),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_phone")]),
        ],
        base_form_class=OrganizationForm,
    )


class CategoryViewSet(ModelViewSet):
    model = Category
    icon = "tag"
    menu_label = _("项目类别")
    list_display = ["name", "name_en", "code", "sort_order"]
    form_fields = ["code", "name", "name_en", "sort_order"]


class PhoneColumn(Column):
    """Whole numbers for organizers only; everyone else sees 138****1234."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if not (request and is_organizer(request.user)):
            context["value"] = mask_phone(context["value"])
        return context


IDENTITY_FIELDS = {"name", "organization"}


class TeamForm(WagtailAdminModelForm):
    """A team's profile. Once eligibility review began, a change of its name or organization
    (and so county) needs a reason and goes through ``services.team_change_identity``."""

    reason = forms.CharField(
        label=_("修改原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("资格审查开始后修改团队名称或所属阵地时必填，记入团队记录。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The station picker instead of a <select> of every organization (thousands); stations
        # teams named stay out of it until confirmed, but the team's own is kept.
        field = self.fields["organization"]
        field.queryset = Organization.objects.filter(Q(confirmed=True) | Q(pk=self.instance.organization_id))
        field.widget = StationPicker()
        field.widget.own_id = self.instance.organization_id

    def identity_changed(self) -> bool:
        return bool(self.instance.pk and IDENTITY_FIELDS & set(self.changed_data))

    def clean(self):
        cleaned = super().clean()
        locked = self.instance.pk and not phases.team_can_change_identity(self.instance)
        if self.identity_changed() and locked and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", gettext("资格审查已经开始，修改团队名称或所属阵地请写明原因。"))
        return cleaned


class TeamEditView(generic.EditView):
    def save_instance(self):
        form = self.form
        if not form.identity_changed() or phases.team_can_change_identity(self.object):
            return super().save_instance()
        with transaction.atomic():
            stored = Team.objects.select_related("organization").get(pk=self.object.pk)
            name, organization = form.cleaned_data["name"], form.cleaned_data["organization"]
            # The rest of the profile saves as usual; the identity through the service, logged.
            form.instance.name, form.instance.organization = stored.name, stored.organization
            instance = super().save_instance()
            return services.team_change_identity(
                team=instance,
                name=name,
                organization=organization,
                reason=form.cleaned_data["reason"],
                by=self.request.user,
            )


class TeamViewSet(ModelViewSet):
    model = Team
    icon = "group"
    menu_label = _("参赛团队")
    edit_view_class = TeamEditView
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("organization"),
            FieldPanel("reason"),
            FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_phone")]),
        ],
        base_form_class=TeamForm,
    )
    list_filter = ["organization__county"]
    search_fields = ["name"]
    list_display = [
        "name",
        "organization",
        "contact_name",
        PhoneColumn("contact_phone", label=_("联系电话")),
    ]


class CoordinatorCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        roles.sync_coordinator_group(instance.user)
        return instance


class CoordinatorEditView(generic.EditView):
    def save_instance(self):
        previous_user = type(self.object).objects.get(pk=self.object.pk).user
        instance = super().save_instance()
        roles.sync_coordinator_group(instance.user)
        if previous_user != instance.user:
            roles.sync_coordinator_group(previous_user)
        return instance


class CoordinatorDeleteView(generic.DeleteView):
    def delete_action(self):
        user = self.object.user
        super().delete_action()
        roles.sync_coordinator_group(user)


class CoordinatorForm(WagtailAdminModelForm):
    """The account is one the user may manage: never a superuser's, organizer's or
    supervisor's (``accounts.roles.accounts_managed_by``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = accounts_managed_by(self.for_user, field.queryset) | field.queryset.filter(
            pk=self.instance.user_id
        )


class CoordinatorViewSet(ModelViewSet):
    """Naming a user here makes them the county's coordinator (and puts them in the group)."""

    model = Coordinator
    icon = "user"
    menu_label = _("县区管理员")
    list_display = ["user", "county", "phone"]
    edit_handler = ObjectList(
        [FieldPanel("user"), FieldPanel("county"), FieldPanel("phone")], base_form_class=CoordinatorForm
    )
    add_view_class = CoordinatorCreateView
    edit_view_class = CoordinatorEditView
    delete_view_class = CoordinatorDeleteView


class CompetitionViewSetGroup(ModelViewSetGroup):
    menu_label = _("大赛管理")
    menu_icon = "list-ul"
    menu_order = 150
    submenu_hook = COMPETITION_SUBMENU_HOOK
    items = (
        EntryViewSet,
        ContestViewSet,
        TeamViewSet,
        OrganizationViewSet,
        TownViewSet,
        CountyViewSet,
        CategoryViewSet,
        CoordinatorViewSet,
    )


competition_viewset_group = CompetitionViewSetGroup()
