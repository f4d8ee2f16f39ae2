"""A judge's sign-up through an invitation link."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from common.errors import DomainError
from judging.judges.forms import AcceptInvitationForm
from judging.judges.services import invitation_for_token, judge_accept_invitation


def accept_invitation(request, token):
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "judging/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            judge = judge_accept_invitation(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            login(request, judge.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("欢迎您担任评委！评审开始后，分配给您的项目会出现在这里。"))
            return redirect("judging:dashboard")
    response = render(request, "judging/accept_invitation.html", {"invitation": invitation, "form": form})
    response["Cache-Control"] = "private, no-store"
    return response
