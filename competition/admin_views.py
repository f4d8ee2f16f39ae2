"""Back-office screens for entries: the eligibility review (资格审查) and recommendation.

Entries are written by teams only; in the back office they are read and reviewed. Who sees
which entry is decided by ``rules`` and ``selectors.entries_visible_to``: a coordinator sees
only their county, and an entry outside it is a 404.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from accounts.roles import is_organizer, is_supervisor
from common.admin_columns import YesNoColumn

from . import rules, selectors, services
from .audit import describe_entry_events
from .errors import EntryError
from .forms import EligibilityForm
from .models import Entry
from .phases import contest_phase


class EntryPermissionPolicy(BasePermissionPolicy):
    """Back-office permissions on entries, as predicates rather than model permissions."""

    def user_has_permission(self, user, action):
        if not (user.is_authenticated and user.is_active):
            return False
        if action == "view":
            return is_organizer(user) or is_supervisor(user) or rules.coordinator_county_id(user) is not None
        if action == "review":
            return is_organizer(user) or rules.coordinator_county_id(user) is not None
        return False  # add, change, delete: entries are written by their teams only

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "view":
            return rules.can_view_entry(user, instance)
        if action == "review":
            return rules.can_review_eligibility(user, instance)
        return False

    def instances_user_has_any_permission_for(self, user, actions):
        return selectors.entries_visible_to(user)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.none()


class CountyColumn(Column):
    def get_value(self, instance):
        return instance.team.organization.county.name


class EntryIndexView(generic.IndexView):
    default_ordering = "-submitted_at"

    def get_base_queryset(self):
        return selectors.entries_visible_to(self.request.user)

    def get_edit_url(self, instance):
        return reverse("competition_entries:review", args=[instance.public_id])

    @property
    def columns(self):
        return [
            TitleColumn("title", label=gettext_lazy("项目名称"), get_url=self.get_edit_url, sort_key="title"),
            Column("category", label=gettext_lazy("类别"), accessor="category"),
            CountyColumn("county", label=gettext_lazy("县（市、区）")),
            Column("team", label=gettext_lazy("参赛团队"), accessor="team"),
            Column("eligibility", label=gettext_lazy("资格审查"), accessor="get_eligibility_display"),
            YesNoColumn("recommended", label=gettext_lazy("推荐"), accessor="recommended"),
            DateColumn("submitted_at", label=gettext_lazy("提交时间"), sort_key="submitted_at"),
        ]


class EntryReviewView(WagtailAdminTemplateMixin, FormView):
    """Read the entry, then decide eligibility (and recommend it, where a quota applies)."""

    template_name = "competition/admin/entry_review.html"
    form_class = EligibilityForm
    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        entry = selectors.entry_with_files(public_id=kwargs["public_id"])
        if (
            entry is None
            or entry.status == Entry.Status.DRAFT
            or not rules.can_view_entry(request.user, entry)
        ):
            raise Http404
        self.entry = entry
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("资格审查")

    def get_page_subtitle(self):
        return self.entry.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("competition_entries:index"), "label": _("参赛项目")},
            {"url": "", "label": self.entry.title},
        ]

    def get_initial(self):
        if self.entry.eligibility == Entry.Eligibility.PENDING:
            return {}
        return {"decision": self.entry.eligibility, "reason": self.entry.eligibility_reason}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            entry=self.entry,
            can_review=rules.can_review_eligibility(self.request.user, self.entry),
            phase=contest_phase(self.entry.contest),
            history=describe_entry_events(selectors.entry_history(entry=self.entry)),
            show_phone=is_organizer(self.request.user),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not rules.can_review_eligibility(request.user, self.entry):
            raise Http404
        if "recommend" in request.POST or "unrecommend" in request.POST:
            try:
                services.entry_set_recommended(
                    entry=self.entry, recommended="recommend" in request.POST, by=request.user
                )
            except EntryError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("推荐状态已更新。"))
            return redirect("competition_entries:review", public_id=self.entry.public_id)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.entry_decide_eligibility(
                entry=self.entry,
                eligible=form.cleaned_data["decision"] == "eligible",
                reason=form.cleaned_data["reason"],
                by=self.request.user,
            )
        except EntryError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("资格审查结论已保存，参赛团队可以看到。"))
        return redirect("competition_entries:review", public_id=self.entry.public_id)


class EntryViewSet(ModelViewSet):
    model = Entry
    icon = "clipboard-list"
    menu_label = gettext_lazy("参赛项目")
    url_prefix = "competition/entries"
    name = "competition_entries"
    index_view_class = EntryIndexView
    list_filter = ["contest", "category", "status", "eligibility", "recommended"]
    search_fields = ["title"]
    copy_view_enabled = False
    add_to_reference_index = False

    def get_urlpatterns(self):
        # Only listing and review: no add, edit, copy or delete of a team's entry here.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("review/<uuid:public_id>/", EntryReviewView.as_view(), name="review"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )
