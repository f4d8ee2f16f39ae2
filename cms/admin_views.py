"""The back office's part of the public site that is not Wagtail's own: publishing, in one
step, the project pages drafted from a finalized shortlist.

The shortlist page (awards) shows ``project_pages_panel`` through ``awards.extensions``: how
many pages wait for publication, and a link here. Here organizers confirm (POST) and the
worker publishes; the page then shows its progress and reloads itself until it is done.
Supervisors read; anyone else gets a 404."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.access import OrganizersChangeSupervisorsRead
from competition.selectors import contest_by_id

from .models import ProjectPage
from .services import publishing_progress, queue_contest_drafts_publishing

# While the worker publishes, the progress page reloads itself this often (seconds).
REFRESH_SECONDS = 3


def project_page_counts(contest) -> dict:
    """How many of the contest's project pages are drafts and how many live (one query)."""
    return ProjectPage.objects.filter(featured__contest=contest).aggregate(
        drafts=Count("pk", filter=Q(live=False)), live=Count("pk", filter=Q(live=True))
    )


def project_pages_panel(request, contest, can_change: bool) -> str:
    """On a finalized shortlist's page: the project pages waiting for publication."""
    return render_to_string(
        "cms/admin/project_pages_panel.html",
        {
            "contest": contest,
            "counts": project_page_counts(contest),
            "progress": publishing_progress(contest),
            "can_change": can_change,
        },
        request=request,
    )


class PublishDraftsView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    template_name = "cms/admin/publish_drafts.html"
    header_icon = "doc-full-inverse"

    def load(self, **kwargs):
        self.contest = contest_by_id(kwargs["contest_id"])
        if self.contest is None:
            raise Http404

    def get_page_title(self):
        return _("发布项目页面")

    def get_page_subtitle(self):
        return self.contest.title

    def shortlist_url(self) -> str:
        return reverse("awards_shortlist:shortlist", args=[self.contest.pk])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("awards_shortlist:index"), "label": _("入围名单")},
            {"url": self.shortlist_url(), "label": self.contest.title},
            {"url": "", "label": _("发布项目页面")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = publishing_progress(self.contest)
        context.update(
            contest=self.contest,
            counts=project_page_counts(self.contest),
            progress=progress,
            running=bool(progress and progress["running"]),
            refresh_seconds=REFRESH_SECONDS,
            can_change=self.can_change,
            shortlist_url=self.shortlist_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        progress = publishing_progress(self.contest)
        if not (progress and progress["running"]):
            total = queue_contest_drafts_publishing(self.contest, user=request.user)
            if not total:
                messages.info(request, _("没有待发布的项目页面。"))
                return redirect(self.shortlist_url())
        return redirect(reverse("cms_publish_drafts", args=[self.contest.pk]))
