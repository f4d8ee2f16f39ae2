"""The contest's shortlist (入围名单) in the back office: the list with its overrides, the
what-if preview and commit, the public notice and finalization, objections and the log.

Organizers act, supervisors (监督委员会) read every page and change nothing (their POSTs are
404), anyone else gets a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages as wagtail_messages
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.access import BackOfficeMenuItem, OrganizersChangeSupervisorsRead
from awards.errors import AwardsError
from awards.extensions import outcome_panels
from awards.models import DEFAULT_TIER_NAME
from awards.notice.forms import AnswerForm, NoticeForm
from awards.notice.selectors import shortlist_objection, shortlist_objection_counts, shortlist_objections
from awards.notice.services import notice_publish, objection_answer
from awards.outcomes.services import shortlist_finalize
from awards.phases import tiers_settable
from awards.shortlist.audit import describe_events
from awards.shortlist.forms import AddForm, RemoveForm, SwapForm, WhatIfForm
from awards.shortlist.selectors import (
    contest_for_shortlist,
    contest_shortlist,
    contests_for_shortlist,
    selection_uncertainty,
    shortlist_events,
    shortlist_item,
    shortlist_items,
    shortlist_reserve,
    shortlist_round_entry,
)
from awards.shortlist.services import (
    shortlist_add,
    shortlist_commit,
    shortlist_preview,
    shortlist_remove,
    shortlist_swap,
)
from awards.tiers.forms import TierMoveForm, tier_formset
from awards.tiers.selectors import contest_tiers
from awards.tiers.services import tier_move, tiers_set
from common.errors import DomainError
from common.pages import paginate, query_suffix
from competition.selectors import contest_categories, counties_named
from judging.menu import JUDGING_SUBMENU_HOOK
from judging.models import Round, RoundEntry, chance_text
from judging.results.selectors import entries_short_of_sheets, round_entries_for_report
from judging.rounds.selectors import rounds_with_results

SHORTLIST_PAGES = [
    ("shortlist", gettext_lazy("入围名单")),
    ("preview", gettext_lazy("筛选预览")),
    ("objections", gettext_lazy("异议处理")),
    ("events", gettext_lazy("记录")),
]


SHORTLIST_LABELS = dict(SHORTLIST_PAGES)


PROBLEMS = {
    "too_few_entries": gettext_lazy("有成绩的项目只有 %(available)s 个，不够入围 %(needed)s 个。"),
    "category_min": gettext_lazy(
        "“%(category)s”类要求至少 %(needed)s 个，但最多只能选出 %(available)s 个"
        "（有成绩的项目不够，或受每县上限所限）。"
    ),
    "category_min_above_max": gettext_lazy("“%(category)s”类的最少数量 %(min)s 大于最多数量 %(max)s。"),
    "minimums_above_size": gettext_lazy("各类别最少数量之和为 %(sum)s，超过了入围数量 %(size)s。"),
    "caps_below_size": gettext_lazy(
        "在各类别最多数量和每县上限之下，最多只能选出 %(capacity)s 个项目，不够入围 %(size)s 个。"
    ),
}


DISPLACED = {
    "county_cap": gettext_lazy("%(entry)s 因%(county)s已达每县上限，被 %(other)s 替换"),
    "category_max": gettext_lazy("%(entry)s 因“%(category)s”类已达最多数量，被 %(other)s 替换"),
    "category_min": gettext_lazy("%(entry)s 被 %(other)s 替换，以满足“%(category)s”类的最少数量"),
}


DISPLACED_ALONE = {
    "county_cap": gettext_lazy("%(entry)s 因%(county)s已达每县上限而落选"),
    "category_max": gettext_lazy("%(entry)s 因“%(category)s”类已达最多数量而落选"),
    "category_min": gettext_lazy("%(entry)s 为满足“%(category)s”类的最少数量而落选"),
}


def entry_label(round_entry: RoundEntry | None, fallback) -> str:
    if round_entry is None:
        return _("项目 %(id)s") % {"id": fallback}
    result = getattr(round_entry, "result", None)
    if result is None:
        return _("%(title)s（%(code)s）") % {
            "title": round_entry.entry.title,
            "code": round_entry.blind_code,
        }
    return _("%(title)s（%(code)s，第 %(rank)s 名）") % {
        "rank": result.combined_rank,
        "title": round_entry.entry.title,
        "code": round_entry.blind_code,
    }


def report_ids(report: dict) -> set[int]:
    """Entry ids a report names (displaced entries and those who took their places)."""
    ids = set()
    for item in report.get("displaced", []):
        ids.add(item["entry"])
        if item.get("replaced_by"):
            ids.add(item["replaced_by"])
    return ids


def report_lines(report: dict, *, round: Round, categories: dict) -> dict:
    """The report of a shortlist (stored, or of a preview) in words: one line per problem
    and one per displaced entry (three queries at most, whatever the size)."""
    displaced = report.get("displaced", [])
    entries = round_entries_for_report(round=round, entry_ids=report_ids(report)) if displaced else {}
    counties = (
        counties_named(ids={d["group"] for d in displaced if d["reason"] == "county_cap"})
        if displaced
        else {}
    )

    def category_name(pk):
        category = categories.get(pk)
        return category.label if category else "—"

    problems = []
    for problem in report.get("problems", []):
        template = PROBLEMS.get(problem.get("kind"))
        if template is None:
            problems.append(_("这些条件无法同时满足，请调整后再试。"))
            continue
        values = {**problem}
        if "category" in problem:
            values["category"] = category_name(problem["category"])
        problems.append(str(template) % values)
    lines = []
    for item in displaced:
        county = counties.get(item["group"])
        values = {
            "entry": entry_label(entries.get(item["entry"]), item["entry"]),
            "other": entry_label(entries.get(item.get("replaced_by")), item.get("replaced_by")),
            "county": county.name if county else "—",
            "category": category_name(item["group"]),
        }
        table = DISPLACED if item.get("replaced_by") else DISPLACED_ALONE
        lines.append(str(table.get(item["reason"], DISPLACED_ALONE["category_min"])) % values)
    return {"problems": problems, "displaced": lines, "promoted": len(report.get("promoted", []))}


class ShortlistPageView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    """A page about a contest's shortlist: organizers and supervisors only; supervisors read."""

    page_name = ""
    header_icon = "list-ol"

    def load(self, **kwargs):
        self.contest = contest_for_shortlist(pk=kwargs["contest_id"])
        if self.contest is None:
            raise Http404
        self.shortlist = contest_shortlist(contest=self.contest)

    def url(self, name: str | None = None) -> str:
        return reverse(f"awards_shortlist:{name or self.page_name}", args=[self.contest.pk])

    def get_page_title(self):
        return SHORTLIST_LABELS[self.page_name]

    def get_page_subtitle(self):
        return self.contest.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("awards_shortlist:index"), "label": _("入围名单")},
            {"url": self.url("shortlist"), "label": self.contest.title},
            {"url": "", "label": SHORTLIST_LABELS[self.page_name]},
        ]

    @cached_property
    def categories(self) -> dict:
        return {c.pk: c for c in contest_categories(contest=self.contest)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contest=self.contest,
            shortlist=self.shortlist,
            can_change=self.can_change,
            editable=self.shortlist is not None and self.shortlist.phase.can_override,
            shortlist_nav=[
                {"label": label, "url": self.url(name), "current": name == self.page_name}
                for name, label in SHORTLIST_PAGES
            ],
        )
        return context

    def done(self, text: str, link: tuple[str, str] | None = None):
        buttons = [wagtail_messages.button(*link)] if link else None
        wagtail_messages.success(self.request, text, buttons=buttons)
        return redirect(self.url())


class ShortlistIndexView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    template_name = "awards/admin/shortlist_index.html"
    page_title = gettext_lazy("入围名单")
    header_icon = "list-ol"
    read_only = True

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": _("入围名单")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contests"] = contests_for_shortlist()
        return context


OVERRIDE_FORMS = {"add": AddForm, "remove": RemoveForm, "swap": SwapForm}


class ShortlistView(ShortlistPageView):
    page_name = "shortlist"
    template_name = "awards/admin/shortlist.html"

    @cached_property
    def tiers(self) -> list:
        return contest_tiers(contest=self.contest)

    def tier_context(self, items, bound=None) -> dict:
        """The award tiers with how many entries each holds, and their forms."""
        counts: dict = {}
        for item in items:
            counts[item.tier_id] = counts.get(item.tier_id, 0) + 1
        labels = {c.code: c.label for c in self.categories.values()}

        def limits(tier) -> str:
            parts = [
                _("%(category)s至少 %(n)s") % {"category": labels.get(code, code), "n": n}
                for code, n in tier.category_min.items()
            ] + [
                _("%(category)s至多 %(n)s") % {"category": labels.get(code, code), "n": n}
                for code, n in tier.category_max.items()
            ]
            return "；".join(parts)

        tiers = [{"tier": t, "count": counts.get(t.pk, 0), "limits": limits(t)} for t in self.tiers]
        places = sum(t.places for t in self.tiers)
        shortlist = self.shortlist
        return {
            "tiers": tiers,
            "tiers_settable": tiers_settable(shortlist),
            "tiers_mismatch": bool(self.tiers) and shortlist is not None and places != shortlist.size,
            "tiers_places": places,
            "default_tier_name": DEFAULT_TIER_NAME,
            "tiers_formset": (
                bound[1]
                if bound and bound[0] == "tiers"
                else tier_formset(tiers=self.tiers, categories=list(self.categories.values()))
            ),
            "tier_form": (
                bound[1]
                if bound and bound[0] == "tier"
                else TierMoveForm(prefix="tier", items=items, tiers=self.tiers)
            ),
        }

    def forms(self, items, bound=None) -> dict:
        made = {
            "add_form": AddForm(prefix="add"),
            "remove_form": RemoveForm(prefix="remove", items=items),
            "swap_form": SwapForm(prefix="swap", items=items),
            "notice_form": NoticeForm(prefix="notice"),
        }
        if bound is not None:
            made[f"{bound[0]}_form"] = bound[1]
        return made

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shortlist = self.shortlist
        if shortlist is None:
            context.update(self.tier_context([], kwargs.get("bound")))
            return context
        items = kwargs.get("items") or shortlist_items(shortlist=shortlist)
        context.update(self.tier_context(items, kwargs.get("bound")))
        editable = shortlist.phase.can_override
        counts = {"computed": 0, "override": 0}
        for item in items:
            counts[item.via] = counts.get(item.via, 0) + 1
        categories = self.categories
        by_code = {c.code: c for c in categories.values()}
        context.update(
            items=items,
            counts=counts,
            report=report_lines(shortlist.report or {}, round=shortlist.round, categories=categories),
            constraints=[
                {
                    "category": by_code[code].label if code in by_code else code,
                    "min": shortlist.category_min.get(code, ""),
                    "max": shortlist.category_max.get(code, ""),
                }
                for code in sorted(
                    set(shortlist.category_min) | set(shortlist.category_max),
                    key=lambda code: (by_code[code].sort_order if code in by_code else 999, code),
                )
            ],
            objections=shortlist_objection_counts(shortlist=shortlist),
            reserve=shortlist_reserve(shortlist=shortlist) if editable else [],
            outcome_panels=(
                outcome_panels(self.request, self.contest, can_change=self.can_change)
                if shortlist.phase.final
                else []
            ),
            **self.forms(items, kwargs.get("bound")),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "tiers":
            return self.set_tiers()
        if self.shortlist is None:
            raise Http404
        if action == "tier":
            return self.move_tier()
        if action in OVERRIDE_FORMS:
            return self.override(action)
        if action == "publish":
            form = NoticeForm(request.POST, prefix="notice")
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(bound=("notice", form)))
            try:
                shortlist = notice_publish(
                    shortlist=self.shortlist, by=request.user, days=form.cleaned_data["days"]
                )
            except DomainError as error:
                messages.error(request, error.message)
                return redirect(self.url())
            return self.done(
                _("入围名单已发布公示，公示期至 %(end)s。")
                % {"end": date_format(timezone.localtime(shortlist.notice_ends_at), "Y-m-d H:i")}
            )
        if action == "finalize":
            try:
                featured = shortlist_finalize(shortlist=self.shortlist, by=request.user)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect(self.url())
            # The project pages are drafted in the background, one per featured project; they
            # wait for review on this page (the outcome panels), where they are published.
            return self.done(
                _(
                    "入围名单已正式公布：%(count)s 个优秀项目。"
                    "%(count)s 个项目页面草稿待审阅，审阅后可在本页“项目页面”处一键发布。"
                )
                % {"count": len(featured)},
                link=(f"{self.url()}#project-pages", _("审阅并发布项目页面")),
            )
        raise Http404

    def set_tiers(self):
        formset = tier_formset(
            tiers=self.tiers, categories=list(self.categories.values()), data=self.request.POST
        )
        if formset.is_valid():
            try:
                tiers = tiers_set(contest=self.contest, tiers=formset.specs(), by=self.request.user)
            except DomainError as error:
                formset._non_form_errors = formset.error_class([error.message])
            else:
                if not tiers:
                    return self.done(_("已恢复为单一奖项“%(name)s”。") % {"name": DEFAULT_TIER_NAME})
                return self.done(_("已保存 %(count)s 个奖项等次，并按成绩重新评定。") % {"count": len(tiers)})
        messages.error(self.request, _("奖项等次没有保存，请看表单中的提示。"))
        return self.render_to_response(self.get_context_data(bound=("tiers", formset)))

    def move_tier(self):
        items = shortlist_items(shortlist=self.shortlist)
        form = TierMoveForm(self.request.POST, prefix="tier", items=items, tiers=self.tiers)
        if form.is_valid():
            data = form.cleaned_data
            item = next((i for i in items if i.entry_id == data["entry"]), None)
            tier = next((t for t in self.tiers if t.pk == data["tier"]), None)
            try:
                if item is None or tier is None:
                    raise AwardsError(_("请选择名单中的项目和本届的奖项。"))
                tier_move(
                    shortlist=self.shortlist,
                    entry=item.entry,
                    tier=tier,
                    reason=data["reason"],
                    by=self.request.user,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return self.done(
                    _("已将“%(title)s”调整为“%(tier)s”。") % {"title": item.entry.title, "tier": tier.name}
                )
        messages.error(self.request, _("调整没有完成，请看表单中的提示。"))
        return self.render_to_response(self.get_context_data(items=items, bound=("tier", form)))

    def override(self, action: str):
        items = shortlist_items(shortlist=self.shortlist)
        form_class = OVERRIDE_FORMS[action]
        kwargs = {"items": items} if action != "add" else {}
        form = form_class(self.request.POST, prefix=action, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                text = self.apply(action, data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return self.done(text)
        messages.error(self.request, _("调整没有完成，请看表单中的提示。"))
        return self.render_to_response(self.get_context_data(items=items, bound=(action, form)))

    def apply(self, action: str, data: dict) -> str:
        """Run one override through the service; returns what to tell the organizer."""
        shortlist, by, reason = self.shortlist, self.request.user, data["reason"]
        incoming = None
        if action in ("add", "swap"):
            incoming = shortlist_round_entry(shortlist=shortlist, blind_code=data["code"])
            if incoming is None:
                raise AwardsError(
                    _("本名单的来源轮次中没有匿名编号为“%(code)s”的项目。") % {"code": data["code"].strip()}
                )
        outgoing = None
        if action in ("remove", "swap"):
            outgoing = shortlist_item(shortlist=shortlist, entry_id=data["entry"])
            if outgoing is None:
                raise AwardsError(_("该项目不在入围名单中。"))
        if action == "add":
            shortlist_add(shortlist=shortlist, entry=incoming.entry, reason=reason, by=by)
            return _("已将“%(title)s”调入入围名单。") % {"title": incoming.entry.title}
        if action == "remove":
            shortlist_remove(shortlist=shortlist, entry=outgoing.entry, reason=reason, by=by)
            return _("已将“%(title)s”调出入围名单。") % {"title": outgoing.entry.title}
        shortlist_swap(
            shortlist=shortlist, out_entry=outgoing.entry, in_entry=incoming.entry, reason=reason, by=by
        )
        return _("已用“%(in)s”替换“%(out)s”。") % {"in": incoming.entry.title, "out": outgoing.entry.title}


class ShortlistPreviewView(ShortlistPageView):
    page_name = "preview"
    template_name = "awards/admin/shortlist_preview.html"

    def make_form(self, data=None) -> WhatIfForm:
        rounds = rounds_with_results(contest=self.contest)
        categories = list(self.categories.values())
        if data is not None:
            return WhatIfForm(data, rounds=rounds, categories=categories)
        initial = {"size": 100, "round": rounds[0].pk if rounds else None}
        shortlist = self.shortlist
        if shortlist is not None:
            initial.update(size=shortlist.size, county_cap=shortlist.county_cap, round=shortlist.round_id)
            initial.update({f"min_{code}": n for code, n in shortlist.category_min.items()})
            initial.update({f"max_{code}": n for code, n in shortlist.category_max.items()})
        return WhatIfForm(initial=initial, rounds=rounds, categories=categories)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.make_form(self.request.GET if "size" in self.request.GET else None)
        committable = self.shortlist is None or self.shortlist.phase.can_recommit
        context.update(form=form, committable=committable, has_rounds=bool(form.rounds))
        if form.is_bound and form.is_valid():
            constraints = form.constraints()
            try:
                result, _rules = shortlist_preview(**constraints)
            except DomainError as error:
                form.add_error(None, error.message)
                return context
            round = constraints["round"]
            report = {
                "problems": result.problems,
                "displaced": [d.__dict__ for d in result.displaced],
                "promoted": result.promoted,
            }
            entries = round_entries_for_report(
                round=round, entry_ids=set(result.selected) | report_ids(report)
            )
            promoted = set(result.promoted)
            sureness = selection_uncertainty(round_id=round.pk, entry_ids=result.selected)
            chance = sureness.chance if sureness else {}
            rows = [
                {
                    "round_entry": entries.get(e),
                    "promoted": e in promoted,
                    "chance": chance.get(e),
                    "chance_text": chance_text(chance.get(e)),
                }
                for e in result.selected
            ]
            context.update(
                result=result,
                rows=rows,
                source_round=round,
                short_count=entries_short_of_sheets(round=round).count(),
                misses=sureness.misses if sureness else None,
                report=report_lines(report, round=round, categories=self.categories),
                by_category=self.tally(rows, constraints, "category"),
                by_county=self.tally(rows, constraints, "county"),
                query=self.request.GET.urlencode(),
            )
        return context

    def tally(self, rows, constraints, kind: str) -> list[dict]:
        """How many of the selection fall in each category (with its bounds) or county."""
        counts: dict = {}
        for row in rows:
            round_entry = row["round_entry"]
            if round_entry is None:
                continue
            if kind == "category":
                key = round_entry.entry.category
            else:
                key = round_entry.entry.team.organization.county
            counts[key] = counts.get(key, 0) + 1
        if kind == "county":
            return [
                {"name": county.name, "count": n, "limit": constraints["county_cap"]}
                for county, n in sorted(counts.items(), key=lambda kv: (kv[0].sort_order, kv[0].name))
            ]
        return [
            {
                "name": category.label,
                "count": counts.get(category, 0),
                "min": constraints["category_min"].get(category.code),
                "max": constraints["category_max"].get(category.code),
            }
            for category in self.categories.values()
        ]

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            shortlist = shortlist_commit(by=request.user, **form.constraints())
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(self.url())
        messages.success(
            request, _("已确定入围名单：%(count)s 个项目。") % {"count": shortlist.items.count()}
        )
        return redirect(self.url("shortlist"))


OBJECTIONS_PER_PAGE = 20


class ObjectionsView(ShortlistPageView):
    page_name = "objections"
    template_name = "awards/admin/shortlist_objections.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.shortlist is None:
            return context
        paginator = WagtailPaginator(shortlist_objections(shortlist=self.shortlist), OBJECTIONS_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("p"))
        bound = kwargs.get("bound")
        for objection in page:
            objection.form = (
                bound[1]
                if bound and bound[0] == objection.pk
                else AnswerForm(prefix=f"o{objection.pk}", initial={"answer": objection.answer})
            )
        context.update(
            objections=page,
            elided_page_range=paginator.get_elided_page_range(page.number),
            counts=shortlist_objection_counts(shortlist=self.shortlist),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.shortlist is None:
            raise Http404
        objection = shortlist_objection(shortlist=self.shortlist, pk=request.POST.get("objection"))
        if objection is None:
            raise Http404
        form = AnswerForm(request.POST, prefix=f"o{objection.pk}")
        if form.is_valid():
            try:
                objection_answer(objection=objection, answer=form.cleaned_data["answer"], by=request.user)
            except DomainError as error:
                form.add_error("answer", error.message)
            else:
                messages.success(request, _("已答复 %(name)s 的异议。") % {"name": objection.name})
                return redirect(self.url() + query_suffix(request))
        return self.render_to_response(self.get_context_data(bound=(objection.pk, form)))


class ShortlistEventsView(ShortlistPageView):
    page_name = "events"
    template_name = "awards/admin/shortlist_events.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.shortlist is None:
            return context
        page, page_range = paginate(self.request, shortlist_events(shortlist=self.shortlist))
        describe_events(events=page)
        context.update(events=page, elided_page_range=page_range)
        return context


class ShortlistViewSet(ViewSet):
    """入围名单 under 评审管理: one page per contest."""

    name = "awards_shortlist"
    url_prefix = "awards/shortlist"
    icon = "list-ol"
    menu_label = gettext_lazy("入围名单")
    menu_item_class = BackOfficeMenuItem
    menu_hook = JUDGING_SUBMENU_HOOK
    menu_order = 150

    def get_urlpatterns(self):
        return [
            path("", ShortlistIndexView.as_view(), name="index"),
            path("<int:contest_id>/", ShortlistView.as_view(), name="shortlist"),
            path("<int:contest_id>/preview/", ShortlistPreviewView.as_view(), name="preview"),
            path("<int:contest_id>/objections/", ObjectionsView.as_view(), name="objections"),
            path("<int:contest_id>/events/", ShortlistEventsView.as_view(), name="events"),
        ]


shortlist_viewset = ShortlistViewSet()
