"""A judge declares a conflict with an assigned entry."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.errors import DomainError
from judging.conflicts.forms import DeclareConflictForm
from judging.conflicts.services import conflict_declare
from judging.scoring.views import _assignment_or_404, judge_page


@judge_page
def declare_conflict(request, judge, round_code, blind_code):
    assignment = _assignment_or_404(judge, round_code, blind_code)
    form = DeclareConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conflict_declare(
                judge=judge, assignment=assignment, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("judging:score", round_code=round_code, blind_code=blind_code)
        messages.success(request, _("已为您回避这个项目，组委会将另行安排评委。"))
        return redirect("judging:dashboard")
    return render(
        request,
        "judging/declare_conflict.html",
        {"assignment": assignment, "round_entry": assignment.round_entry, "form": form},
    )
