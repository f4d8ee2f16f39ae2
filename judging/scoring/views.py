"""Judge pages under /judging/. Every page is private and uncached, and anything a judge may
not see (not assigned, conflicted, unknown code, round not open to judges) is the same 404."""

from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.defaults import page_not_found

from common.errors import DomainError
from common.http import private_file_response
from common.renditions import WIDTHS, rendition_response
from competition import selectors as competition_selectors
from judging.extensions import judge_home_panels
from judging.judges.selectors import judge_for_user
from judging.models import BlindFile, ScoreSheet
from judging.phases import round_phase
from judging.roles import is_judge
from judging.scoring.forms import SheetForm
from judging.scoring.selectors import (
    STATUS_FILTERS,
    blind_file,
    blind_files,
    dashboard_assignments,
    dashboard_counts,
    judge_assignment,
    judge_rounds,
    next_unscored,
    sheet_scores,
)
from judging.scoring.services import SheetInput, sheet_save


def judge_page(view=None, *, explain_inactive: bool = False):
    """Log-in required, judges only (others: 404), and ``Cache-Control: private, no-store`` on
    every response, the log-in redirect and the 404 page included.

    ``explain_inactive``: a member of the judges' group without an active profile is told so
    instead of getting a 404 (the dashboard, where logging in sends the judges' group)."""
    if view is None:
        return partial(judge_page, explain_inactive=explain_inactive)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = _judge_response(view, explain_inactive, request, *args, **kwargs)
        if not getattr(response, "revalidated_private", False):  # photo renditions: no-cache
            response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def _judge_response(view, explain_inactive, request, *args, **kwargs):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        judge = judge_for_user(request.user)
        if judge is None:
            if explain_inactive and is_judge(request.user):
                return render(request, "judging/judge_inactive.html")
            raise Http404
        return view(request, judge, *args, **kwargs)
    except Http404:
        # Always the plain 404 page (also with DEBUG on): it must not differ by cause.
        return page_not_found(request, Http404())


def _assignment_or_404(judge, round_code, blind_code):
    assignment = judge_assignment(judge=judge, round_code=round_code, blind_code=blind_code)
    if assignment is None:
        raise Http404
    return assignment


def _sheet(assignment) -> ScoreSheet | None:
    return getattr(assignment, "sheet", None)


DASHBOARD_PAGE_SIZE = 40


@judge_page(explain_inactive=True)
def dashboard(request, judge):
    status = request.GET.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    query = request.GET.get("q", "")
    page = Paginator(dashboard_assignments(judge=judge, status=status, query=query), DASHBOARD_PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    return render(
        request,
        "judging/dashboard.html",
        {
            "judge": judge,
            "assignments": page,
            "rounds": judge_rounds(judge=judge),
            "counts": dashboard_counts(judge=judge),
            "status": status,
            "query": query,
            # What other apps show the judge (awards: letters of thanks to download).
            "panels": judge_home_panels(request, judge),
        },
    )


@judge_page
def score(request, judge, round_code, blind_code):
    assignment = _assignment_or_404(judge, round_code, blind_code)
    round = assignment.round
    round_entry = assignment.round_entry
    sheet = _sheet(assignment)
    criteria = list(round.criteria.all())
    form = SheetForm(
        request.POST or None,
        criteria=criteria,
        scores=sheet_scores(sheet=sheet),
        initial={
            "version": sheet.version if sheet else 0,
            "comment_to_organizers": sheet.comment_to_organizers if sheet else "",
            "feedback_to_team": sheet.feedback_to_team if sheet else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            sheet_save(
                assignment=assignment,
                data=SheetInput(
                    points=form.points(),
                    comment_to_organizers=form.cleaned_data["comment_to_organizers"],
                    feedback_to_team=form.cleaned_data["feedback_to_team"],
                ),
                expected_version=form.cleaned_data.get("version") or 0,
                submit=submit,
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if submit:
                messages.success(request, _("评分已提交。本轮截止前仍可修改。"))
                following = next_unscored(judge=judge, round=round, after=assignment)
                if following is not None:
                    return redirect(
                        "judging:score", round_code=round.code, blind_code=following.round_entry.blind_code
                    )
                messages.info(request, _("本轮分配给您的项目都已评完，感谢您的辛勤工作！"))
                return redirect("judging:dashboard")
            messages.success(request, _("已暂存。"))
            return redirect("judging:score", round_code=round.code, blind_code=round_entry.blind_code)
    photos, attachments = blind_files(round_entry=round_entry)
    phase = round_phase(round)
    return render(
        request,
        "judging/score.html",
        {
            "assignment": assignment,
            "round": round,
            "round_entry": round_entry,
            "sheet": sheet,
            "form": form,
            "photos": [
                {"n": p.position, "caption": p.caption, "width": p.width, "height": p.height} for p in photos
            ],
            "attachments": [
                {
                    "n": a.position,
                    "pages": a.pages,
                    "size": a.size,
                    "ready": a.status == BlindFile.Status.READY,
                }
                for a in attachments
            ],
            "figures": competition_selectors.entry_figures(entry_id=round_entry.entry_id),
            "editable": phase.may_save_sheet(reopened=bool(sheet and sheet.reopened)),
            "can_declare": phase.can_declare_conflict
            and (sheet is None or sheet.status != ScoreSheet.Status.SUBMITTED),
            "next_assignment": next_unscored(judge=judge, round=round, after=assignment),
        },
    )


def _blind_file_or_404(judge, round_code, blind_code, kind, n) -> BlindFile:
    assignment = _assignment_or_404(judge, round_code, blind_code)
    item = blind_file(round_entry=assignment.round_entry, kind=kind, position=n)
    if item is None:
        raise Http404
    return item


@judge_page
def photo(request, judge, round_code, blind_code, n):
    item = _blind_file_or_404(judge, round_code, blind_code, BlindFile.Kind.PHOTO, n)
    # Frozen when the round opened, re-encoded without metadata; served without any name.
    return private_file_response(item.file, content_type=item.content_type)


@judge_page
def photo_rendition(request, judge, round_code, blind_code, n, width):
    """A photo at a screen's size, made from the judge's blind copy (never the team's file)."""
    if width not in WIDTHS:
        raise Http404
    item = _blind_file_or_404(judge, round_code, blind_code, BlindFile.Kind.PHOTO, n)
    return rendition_response(request, item.file, width)


@judge_page
def attachment(request, judge, round_code, blind_code, n):
    item = _blind_file_or_404(judge, round_code, blind_code, BlindFile.Kind.ATTACHMENT, n)
    if item.status != BlindFile.Status.READY:
        # The judge copy is still being made (or failed): never the original in its place.
        messages.info(request, _("正在生成匿名副本，请稍后再打开附件 %(n)s。") % {"n": n})
        return redirect("judging:score", round_code=round_code, blind_code=blind_code)
    # The judge copy: pages as pictures with identifying text blacked out, nothing else.
    return private_file_response(item.file, content_type="application/pdf", filename=f"attachment-{n}.pdf")


@judge_page
@require_POST
def next_entry(request, judge, round_code):
    round = next((r for r in judge_rounds(judge=judge) if r.code == round_code), None)
    if round is None:
        raise Http404
    following = next_unscored(judge=judge, round=round)
    if following is None:
        messages.info(request, _("本轮分配给您的项目都已评完。"))
        return redirect("judging:dashboard")
    return redirect("judging:score", round_code=round.code, blind_code=following.round_entry.blind_code)
