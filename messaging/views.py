"""站内消息: a signed-in user's inbox (teams, judges, coordinators, organizers alike)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .selectors import inbox as inbox_rows
from .services import inbox_mark_read


@login_required
def inbox(request):
    page = Paginator(inbox_rows(user=request.user), 20).get_page(request.GET.get("p"))
    response = render(request, "messaging/inbox.html", {"page": page})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def mark_read(request):
    raw = request.POST.get("message", "")
    inbox_mark_read(user=request.user, message_id=int(raw) if raw.isdigit() else None)
    return redirect("inbox:index")
