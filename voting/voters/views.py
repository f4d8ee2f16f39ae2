"""The voter proves a mobile number: ask for a code (button "获取验证码"), type it ("验证").
What they typed stays in the form whatever is refused; a gateway that is down is said so. A
suspect client first types the characters of an image; "看不清？换一张" fetches another
(``captcha-refresh``, voting/static/voting/verify.js) or, without JavaScript, posts the form
back for a new one."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.http import client_address

from ..defences import (
    ChallengeRequired,
    Client,
    challenge_discard,
    challenge_needed,
    challenge_new,
    guarded_code_request,
)
from ..errors import VerificationError
from ..gallery.views import window_or_404
from . import session
from .forms import VerifyForm
from .services import code_verify


def _next_url(request, slug: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = f"/vote/{slug}/"
    if target.startswith(prefix) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return prefix


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request, slug):
    window = window_or_404(slug)
    phase = window.phase
    action = request.POST.get("action")
    if action == "refresh":
        # "看不清？换一张" without JavaScript: the form again, with what was typed and a new image.
        challenge_discard(key=request.POST.get("challenge_key", ""))
        form = VerifyForm(initial={"number": request.POST.get("number", "")[:20]})
    else:
        form = VerifyForm(request.POST or None)
    context = {"window": window, "contest": window.contest, "phase": phase, "next": _next_url(request, slug)}
    sent = False
    client = Client(address=client_address(request), device_id=session.device_id(request))
    if request.method == "POST" and phase.takes_votes and form.is_bound and form.is_valid():
        try:
            if action == "send":
                guarded_code_request(
                    window=window,
                    number=form.cleaned_data["number"],
                    client=client,
                    challenge_key=request.POST.get("challenge_key", ""),
                    challenge_answer=request.POST.get("challenge", ""),
                )
                sent = True
            else:
                voter = code_verify(
                    window=window, number=form.cleaned_data["number"], code=form.cleaned_data["code"]
                )
                session.remember(request, voter=voter)
                return redirect(context["next"])
        except ChallengeRequired as error:
            form.add_error(None, error.message)
        except VerificationError as error:
            form.add_error(None, error.message)
            sent = action != "send"
    if phase.takes_votes and challenge_needed(client=client):
        key = challenge_new()
        context["challenge"] = {
            "key": key,
            "image": reverse("captcha-image", args=[key]),
            "refresh": reverse("captcha-refresh"),
        }
    context.update(form=form, sent=sent, verified=session.voter_id(request, window=window) is not None)
    if request.method == "POST" and not phase.takes_votes:
        context["refusal"] = _("投票现在不在进行中。")
    response = render(request, "voting/verify.html", context, status=200)
    session.ensure_device(request, response)
    return response
