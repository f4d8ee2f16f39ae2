"""网络投票 in the back office (under 评审管理): the windows, a window's settings (organizers
create and change them; supervisors read), its tallies with the export, and freezing the final
tallies once the window has closed. Anyone else gets a 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.access import BackOfficeMenuItem, OrganizersChangeSupervisorsRead
from competition.models import Entry
from judging.menu import JUDGING_SUBMENU_HOOK

from ..errors import VotingError
from ..models import VoteFlag, VotingWindow
from ..reviews import before_after, flag_groups, flagged_votes, reviews, votes_restore, votes_void
from ..tallies.combined import combined_results
from ..tallies.exports import XLSX_TYPE, tallies_xlsx
from ..tallies.selectors import tally_rows, window_totals
from ..tallies.services import window_freeze
from ..tasks import flag_votes
from .forms import WindowForm
from .selectors import window_for_admin, windows_for_admin
from .services import window_save

MAX_ROWS = 2000


class WindowMixin(OrganizersChangeSupervisorsRead):
    def load(self, pk=None, **kwargs):
        self.window = None
        if pk is not None:
            self.window = window_for_admin(pk=pk)
            if self.window is None:
                raise Http404


class WindowsIndexView(WindowMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "voting/admin/index.html"
    page_title = gettext_lazy("网络投票")
    header_icon = "pick"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "windows": windows_for_admin(),
            "can_change": self.can_change,
        }


class WindowFormView(WindowMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "voting/admin/form.html"
    header_icon = "pick"

    def get_page_title(self):
        return _("修改投票") if self.window else _("新建投票")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("voting_admin:index"), "label": _("网络投票")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, form=None, **kwargs):
        form = form or WindowForm(instance=self.window)
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "window": self.window,
            "can_change": self.can_change,
        }

    def post(self, request, *args, **kwargs):
        form = WindowForm(request.POST, instance=self.window or VotingWindow())
        if form.is_valid():
            try:
                window = window_save(window=form.save(commit=False))
            except VotingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("投票设置已保存。"))
                return redirect("voting_admin:tally", window.pk)
        return self.render_to_response(self.get_context_data(form=form))


class WindowTallyView(WindowMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "voting/admin/tally.html"
    header_icon = "pick"

    def get_page_title(self):
        return self.window.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("voting_admin:index"), "label": _("网络投票")},
            {"url": "", "label": self.window.title},
        ]

    def get_context_data(self, **kwargs):
        rows = list(tally_rows(window=self.window)[: MAX_ROWS + 1])
        return {
            **super().get_context_data(**kwargs),
            "window": self.window,
            "phase": self.window.phase,
            "rows": rows[:MAX_ROWS],
            "more": len(rows) > MAX_ROWS,
            "totals": window_totals(window=self.window),
            "can_change": self.can_change,
            "public_url": reverse("voting:gallery", args=[self.window.contest.slug]),
            "combined": self.combined(),
        }

    def combined(self) -> list[dict]:
        """The round's ranking with the vote beside it (or in it, with a weight): the top 100."""
        rows = combined_results(window=self.window)[:100]
        titles = dict(Entry.objects.filter(pk__in=[r.entry_id for r in rows]).values_list("pk", "title"))
        return [{"row": r, "title": titles.get(r.entry_id, "")} for r in rows]


class WindowFreezeView(WindowMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            window_freeze(window=self.window)
        except VotingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("最终票数已锁定。"))
        return redirect("voting_admin:tally", self.window.pk)


class WindowExportView(WindowMixin, View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(tallies_xlsx(window=self.window), content_type=XLSX_TYPE)
        name = f"votes-{self.window.contest.year}-{self.window.pk}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


MAX_FLAGGED = 500
MAX_REVIEWS = 200


class WindowFlagsView(WindowMixin, WagtailAdminTemplateMixin, TemplateView):
    """可疑投票: the flags grouped by reason, the flagged votes (of one reason), the counts per
    entry before and after voiding them, voiding and restoring with a reason, and the log."""

    template_name = "voting/admin/flags.html"
    header_icon = "warning"

    def get_page_title(self):
        return _("可疑投票")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("voting_admin:index"), "label": _("网络投票")},
            {"url": reverse("voting_admin:tally", args=[self.window.pk]), "label": self.window.title},
            {"url": "", "label": _("可疑投票")},
        ]

    def chosen_reason(self) -> str:
        reason = self.request.GET.get("reason") or self.request.POST.get("group") or ""
        return reason if reason in VoteFlag.Reason.values else ""

    def get_context_data(self, reason_text="", **kwargs):
        reason = self.chosen_reason()
        votes = list(flagged_votes(window=self.window, reason=reason)[: MAX_FLAGGED + 1])
        return {
            **super().get_context_data(**kwargs),
            "window": self.window,
            "phase": self.window.phase,
            "groups": flag_groups(window=self.window),
            "reason": reason,
            "reason_label": VoteFlag.Reason(reason).label if reason else "",
            "votes": votes[:MAX_FLAGGED],
            "more": len(votes) > MAX_FLAGGED,
            "entries": before_after(window=self.window),
            "totals": window_totals(window=self.window),
            "reviews": reviews(window=self.window)[:MAX_REVIEWS],
            "can_change": self.can_change,
            "reason_text": reason_text,
        }

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        reason = self.chosen_reason()
        back = reverse("voting_admin:flags", args=[self.window.pk]) + (f"?reason={reason}" if reason else "")
        if action == "recompute":
            flag_votes.enqueue(self.window.pk)
            messages.success(request, _("已重新计算可疑投票标记。"))
            return redirect(back)
        service = {"void": votes_void, "restore": votes_restore}.get(action)
        text = request.POST.get("reason_text", "")
        if service is None:
            messages.error(request, _("请选择要处理的投票。"))
            return redirect(back)
        whole = request.POST.get("scope") == "group"
        try:
            done = service(
                window=self.window,
                by=request.user,
                reason=text,
                vote_ids=[] if whole else request.POST.getlist("vote"),
                flag_reason=reason if whole else "",
            )
        except VotingError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data(reason_text=text))
        if action == "void":
            said = _("已作废 %(n)s 张投票；有效票由 %(before)s 张变为 %(after)s 张。")
        else:
            said = _("已恢复 %(n)s 张投票；有效票由 %(before)s 张变为 %(after)s 张。")
        messages.success(
            request, said % {"n": done.changed, "before": done.valid_before, "after": done.valid_after}
        )
        return redirect(back)


class VotingViewSet(ViewSet):
    name = "voting_admin"
    url_prefix = "voting"
    icon = "pick"
    menu_label = gettext_lazy("网络投票")
    menu_item_class = BackOfficeMenuItem
    menu_hook = JUDGING_SUBMENU_HOOK
    menu_order = 170

    def get_urlpatterns(self):
        return [
            path("", WindowsIndexView.as_view(), name="index"),
            path("add/", WindowFormView.as_view(), name="add"),
            path("<int:pk>/", WindowTallyView.as_view(), name="tally"),
            path("<int:pk>/edit/", WindowFormView.as_view(), name="edit"),
            path("<int:pk>/freeze/", WindowFreezeView.as_view(), name="freeze"),
            path("<int:pk>/export/", WindowExportView.as_view(), name="export"),
            path("<int:pk>/flags/", WindowFlagsView.as_view(), name="flags"),
        ]


voting_viewset = VotingViewSet()
