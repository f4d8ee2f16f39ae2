"""Back-office screens for entries: the eligibility review (资格审查) and recommendation.

Entries are written by teams only; in the back office they are read and reviewed. Who sees
which entry is decided by ``rules`` and ``selectors.entries_visible_to``: a coordinator sees
only their county, and an entry outside it is a 404.
"""

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from accounts.roles import is_organizer, is_supervisor

from . import exports, phases, rules, selectors, services
from .audit import describe_entry_events
from .errors import EntryError
from .forms import BulkReviewForm, EligibilityForm
from .models import Category, Contest, County, Entry


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


class StateColumn(Column):
    """Where the entry stands (``phases.entry_state``): a withdrawn entry is 已撤回, never 待审查."""

    cell_template_name = "wagtailadmin/tables/status_tag_cell.html"

    def get_value(self, instance):
        return phases.entry_state(instance).label

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["primary"] = phases.entry_state(instance) in (phases.ELIGIBLE, phases.RECOMMENDED)
        return context


class RecommendedColumn(Column):
    """是/否 by the review state: a withdrawn entry's old flag is no recommendation."""

    def get_value(self, instance):
        return _("是") if phases.entry_state(instance) is phases.RECOMMENDED else _("否")


class PickColumn(Column):
    """A tick box per row, belonging to the bulk form above the list (``form`` attribute), so
    that the list refreshed by filtering keeps working without a script of our own."""

    cell_template_name = "competition/admin/pick_cell.html"
    header_template_name = "competition/admin/pick_header.html"

    def get_value(self, instance):
        return instance.public_id


def _state_choices():
    return [(state.code, state.label) for state in phases.LISTED_STATES]


class EntryFilterSet(WagtailFilterSet):
    """Contest, county (organizers and supervisors only: a coordinator has one), category,
    review state, eligibility and recommendation."""

    contest = django_filters.ModelChoiceFilter(
        label=gettext_lazy("大赛"), queryset=Contest.objects.all(), empty_label=gettext_lazy("全部")
    )
    county = django_filters.ModelChoiceFilter(
        label=gettext_lazy("县（市、区）"),
        field_name="team__organization__county",
        queryset=County.objects.all(),
        empty_label=gettext_lazy("全部"),
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("项目类别"), queryset=Category.objects.all(), empty_label=gettext_lazy("全部")
    )
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("状态"),
        choices=_state_choices,
        method="filter_state",
        empty_label=gettext_lazy("全部"),
    )
    eligibility = django_filters.ChoiceFilter(
        label=gettext_lazy("资格审查"), choices=Entry.Eligibility.choices, empty_label=gettext_lazy("全部")
    )
    recommended = django_filters.ChoiceFilter(
        label=gettext_lazy("推荐"),
        choices=[("1", gettext_lazy("是")), ("0", gettext_lazy("否"))],
        method="filter_recommended",
        empty_label=gettext_lazy("全部"),
    )

    class Meta:
        model = Entry
        fields = ["contest", "county", "category", "state", "eligibility", "recommended"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and not (is_organizer(user) or is_supervisor(user)):
            del self.filters["county"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(phases.entry_state_q(value))

    def filter_recommended(self, queryset, name, value):
        recommended = phases.entry_state_q(phases.RECOMMENDED.code)
        return queryset.filter(recommended) if value == "1" else queryset.exclude(recommended)


class EntryIndexView(generic.IndexView):
    default_ordering = "-submitted_at"
    filterset_class = EntryFilterSet
    template_name = "competition/admin/entry_index.html"
    results_template_name = "competition/admin/entry_index_results.html"

    def get_base_queryset(self):
        return selectors.entries_visible_to(self.request.user)

    def get_edit_url(self, instance):
        return reverse("competition_entries:review", args=[instance.public_id])

    @cached_property
    def may_review(self) -> bool:
        user = self.request.user
        return is_organizer(user) or rules.coordinator_county_id(user) is not None

    @property
    def columns(self):
        columns = [PickColumn("pick", label="", classname="entry-pick")] if self.may_review else []
        columns += [
            TitleColumn("title", label=gettext_lazy("项目名称"), get_url=self.get_edit_url, sort_key="title"),
            Column("category", label=gettext_lazy("类别"), accessor="category", classname="entry-wide"),
        ]
        if rules.coordinator_county_id(self.request.user) is None:  # a coordinator has one county
            columns.append(CountyColumn("county", label=gettext_lazy("县（市、区）")))
        return columns + [
            Column("team", label=gettext_lazy("参赛团队"), accessor="team", classname="entry-wide"),
            StateColumn("state", label=gettext_lazy("状态")),
            RecommendedColumn("recommended", label=gettext_lazy("推荐")),
            DateColumn(
                "submitted_at",
                label=gettext_lazy("提交时间"),
                sort_key="submitted_at",
                classname="entry-wide",
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export_url"] = reverse("competition_entries:export") + "?" + self.request.GET.urlencode()
        if not self.results_only:
            context.update(
                may_review=self.may_review,
                bulk_form=BulkReviewForm(),
                county_work=county_work(self.request.user, contest=self._chosen_contest()),
            )
        return context

    def _chosen_contest(self):
        chosen = (
            self.filters.form.cleaned_data.get("contest")
            if self.filters and self.filters.is_valid()
            else None
        )
        return chosen or selectors.current_contest()


def county_work(user, *, contest) -> dict | None:
    """What a coordinator's pages show about their county's work in ``contest``: its quota,
    what is left of it and the deadline (None for users without a county)."""
    county_id = rules.coordinator_county_id(user)
    if county_id is None or contest is None:
        return None
    quota = selectors.recommendation_quota(contest=contest, county_id=county_id)
    used = selectors.recommended_count(contest=contest, county_id=county_id)
    return {
        "contest": contest,
        "quota": quota,
        "used": used,
        "remaining": None if quota is None else max(quota - used, 0),
        "closes": contest.recommendation_closes,
        "closed": phases.county_deadline_passed(contest),
    }


class EntryExportView(EntryIndexView):
    """The list as filtered (a coordinator: their county), all pages, as an xlsx file."""

    def get(self, request, *args, **kwargs):
        entries = self.get_queryset()
        body = exports.entries_xlsx(entries, whole_phone=is_organizer(request.user))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(body, content_type=exports.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="entries-{stamp}.xlsx"'
        return response


@require_POST
def entry_bulk_review(request):
    """Decide or recommend the ticked entries with one reason; each entry is checked on its
    own and every refusal is listed by title. Entries the user may not see are only counted."""
    if not EntryPermissionPolicy(Entry).user_has_permission(request.user, "review"):
        raise Http404
    form = BulkReviewForm(request.POST)
    back = request.POST.get("next") or reverse("competition_entries:index")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("competition_entries:index")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    ids = form.cleaned_data["entries"]
    entries = list(
        selectors.entries_visible_to(request.user).filter(public_id__in=ids).order_by("submitted_at", "pk")
    )
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    if action in ("eligible", "ineligible"):
        outcome = services.entries_decide_eligibility(
            entries=entries, eligible=action == "eligible", reason=reason, by=request.user
        )
    else:
        outcome = services.entries_set_recommended(
            entries=entries, recommended=action == "recommend", reason=reason, by=request.user
        )
    if outcome.done:
        messages.success(request, _("已处理 %(n)s 个项目。") % {"n": len(outcome.done)})
    for entry, why in outcome.failed:
        messages.error(request, _("“%(title)s”未处理：%(why)s") % {"title": entry.title, "why": why})
    unseen = len(set(ids)) - len(entries)
    if unseen:
        messages.error(request, _("%(n)s 个项目不存在或不在您的审查范围内，未处理。") % {"n": unseen})
    return redirect(back)


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
        user, contest = self.request.user, self.entry.contest
        organizer = is_organizer(user)
        context.update(
            entry=self.entry,
            state=phases.entry_state(self.entry),
            can_review=rules.can_review_eligibility(user, self.entry),
            may_decide=phases.may_decide_eligibility(contest, organizer=organizer),
            may_recommend=phases.may_recommend(contest, organizer=organizer),
            phase=phases.contest_phase(contest),
            history=describe_entry_events(selectors.entry_history(entry=self.entry)),
            show_phone=organizer,
            county_work=county_work(user, contest=contest),
            next_entry=selectors.next_pending_entry(user=user, contest=contest, after=self.entry),
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
        if "next" in self.request.POST:
            following = selectors.next_pending_entry(
                user=self.request.user, contest=self.entry.contest, after=self.entry
            )
            if following is not None:
                return redirect("competition_entries:review", public_id=following.public_id)
        return redirect("competition_entries:review", public_id=self.entry.public_id)


class EntryViewSet(ModelViewSet):
    model = Entry
    icon = "clipboard-list"
    menu_label = gettext_lazy("参赛项目")
    url_prefix = "competition/entries"
    name = "competition_entries"
    index_view_class = EntryIndexView
    search_fields = ["title", "team__name"]
    copy_view_enabled = False
    add_to_reference_index = False

    @property
    def export_view(self):
        return self.construct_view(EntryExportView, **self.get_index_view_kwargs())

    def get_urlpatterns(self):
        # Only listing and review: no add, edit, copy or delete of a team's entry here.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("review/<uuid:public_id>/", EntryReviewView.as_view(), name="review"),
            path("bulk/", entry_bulk_review, name="bulk"),
            path("export/", self.export_view, name="export"),
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
