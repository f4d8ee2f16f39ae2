"""Team pages. Views validate input with forms, check permission with ``rules`` and call
``services``; nothing else happens here."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import throttle
from accounts.forms import retry_message
from common.http import client_address, private_file_response
from common.renditions import WIDTHS, rendition_response

from . import errors, extensions, phases, rules, selectors, services
from .forms import EntryForm, SignupForm, TeamMemberFormSet, TeamProfileForm
from .models import Contest, Entry, EntryAttachment, EntryPhoto, Team

RESCUE_KEY = "rescued_form"


def _team_or_none(user) -> Team | None:
    return Team.objects.filter(user=user).select_related("organization__county").first()


def _team_required(request) -> Team:
    team = _team_or_none(request.user)
    if team is None:
        raise Http404
    return team


def signup(request):
    if request.user.is_authenticated:
        return redirect("competition:dashboard")
    form = SignupForm(request.POST or None, picker=request.GET)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        until = throttle.count_account_mail(email=data["email"], address=client_address(request))
        if until is not None:
            form.add_error(None, retry_message(until))
        else:
            try:
                services.team_signup(
                    username=data["username"],
                    password=data["password1"],
                    email=data["email"],
                    phone=data["phone"],
                    team_name=data["team_name"],
                    organization=data["organization"],
                    contact_name=data["contact_name"],
                )
            except errors.StationError as error:
                form.add_error("new_station_name", error.message)
            else:
                # The same answer for a known and a new address; the e-mail says which it was.
                return redirect("signup_sent")
    return render(request, "competition/signup.html", {"form": form})


def signup_sent(request):
    return render(request, "competition/signup_sent.html")


@login_required
def dashboard(request):
    team = _team_or_none(request.user)
    if team is None:
        # Judges work on their own pages (registered by judging; this app never imports it):
        # logging in lands them there.
        home = extensions.staff_home(request.user)
        if home:
            return redirect(home)
        return render(request, "competition/dashboard_staff.html", {})
    return render(
        request,
        "competition/dashboard.html",
        {
            "team": team,
            "contests": selectors.contests_for_team_dashboard(team=team),
            "entries": selectors.entries_for_team(team=team),
        },
    )


@login_required
def team_profile(request):
    team = _team_required(request)
    members = [{"name": m.name, "role": m.role} for m in team.members.all()]
    form = TeamProfileForm(
        request.POST or None,
        identity_fixed=not phases.team_can_change_identity(team),
        picker=request.GET,
        organization_id=team.organization_id,
        initial={
            "name": team.name,
            "organization": team.organization_id,
            "contact_name": team.contact_name,
            "contact_phone": team.contact_phone,
        },
    )
    formset = TeamMemberFormSet(request.POST or None, initial=members, prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            data = form.cleaned_data
            services.team_update(
                team=team,
                name=data["name"],
                organization=data["organization"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                members=[
                    (f["name"].strip(), f["role"].strip())
                    for f in formset.cleaned_data
                    if f and f.get("name", "").strip()
                ],
            )
        except errors.StationError as error:
            form.add_error("new_station_name", error.message)
        except errors.TeamError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("团队信息已保存。"))
            return redirect("competition:team")
    return render(request, "competition/team.html", {"team": team, "form": form, "formset": formset})


def _rescue_and_login(request):
    """The session expired while the form was open: keep what was typed, then log in again.

    The text is kept only for the user the form was shown to (signed in the form)."""
    owner = EntryForm.owner_in(request.POST)
    if owner is None:
        messages.warning(request, _("登录已过期，请重新登录。"))
        return redirect_to_login(request.get_full_path())
    data = {
        key: request.POST.get(key, "")[:6000]
        for key in request.POST
        if key in EntryForm.RESCUABLE or (key.startswith("photo-") and key.endswith("-caption"))
    }
    data.update({key: "on" for key in ("consent_publish", "consent_guardians") if request.POST.get(key)})
    request.session[RESCUE_KEY] = {"path": request.path, "owner": owner, "data": data}
    messages.warning(
        request,
        _("登录已过期。您填写的文字已为您保留，重新登录后会自动填回（照片和附件需要重新选择）。"),
    )
    return redirect_to_login(request.get_full_path())


def _take_rescued(request) -> dict | None:
    rescued = request.session.get(RESCUE_KEY)
    if not rescued or rescued.get("path") != request.path:
        return None
    del request.session[RESCUE_KEY]
    if rescued.get("owner") != request.user.pk:
        return None
    messages.info(request, _("已填回您登录过期前填写的内容，请检查后保存。"))
    return rescued["data"]


def _show_problems(request, error: errors.EntryError) -> None:
    messages.warning(request, " ".join([error.message, *error.problems]))


def _answers_upload_script(view):
    """The entry form sent by the upload script (``static/js/site.js``, which shows the bytes
    sent) gets JSON instead of a page: where to go after a save, or the messages of a refusal
    and the version to save from next. The form without JavaScript is answered as before."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method != "POST" or request.headers.get("X-Requested-With") != "XMLHttpRequest":
            return response
        if isinstance(response, HttpResponseRedirect):
            return JsonResponse({"ok": True, "redirect": response.url})
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is None:
            return response
        problems = list(form.non_field_errors())
        problems += [
            f"{form[name].label}{_('：')}{' '.join(messages)}"
            for name, messages in form.errors.items()
            if name != "__all__"
        ]
        summary = (
            _("未能保存：")
            if form.non_field_errors()
            else _("有几处需要修改，请查看下方标红的内容。您填写的文字都还在。")
        )
        fields = {name: list(messages) for name, messages in form.errors.items() if name != "__all__"}
        return JsonResponse(
            {
                "ok": False,
                "summary": summary,
                "errors": problems,
                "fields": fields,
                "version": form.data.get("version"),
            },
            status=400,
        )

    return wrapper


@_answers_upload_script
def entry_create(request, contest_slug):
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _rescue_and_login(request)
        return redirect_to_login(request.get_full_path())
    team = _team_required(request)
    contest = get_object_or_404(Contest, slug=contest_slug)
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, contest=contest, user=request.user)
        if form.is_valid():
            try:
                entry = services.entry_create(
                    team=team,
                    contest=contest,
                    data=form.entry_data(),
                    files=form.file_changes(),
                    creation_token=form.cleaned_data.get("creation_token"),
                    submit="submit" in request.POST,
                    by=request.user,
                )
            except errors.EntryIncomplete as error:
                _show_problems(request, error)
                return redirect("competition:entry_edit", public_id=error.entry.public_id)
            except errors.EntryError as error:
                form.add_error(None, " ".join([error.message, *error.problems]))
            else:
                return _after_save(request, entry, submitted="submit" in request.POST)
    else:
        rescued = _take_rescued(request)
        form = (
            EntryForm(data=rescued, contest=contest, user=request.user)
            if rescued
            else EntryForm(contest=contest, user=request.user)
        )
    return TemplateResponse(
        request, "competition/entry_form.html", {"form": form, "contest": contest, "team": team}
    )


@_answers_upload_script
def entry_edit(request, public_id):
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _rescue_and_login(request)
        return redirect_to_login(request.get_full_path())
    team = _team_or_none(request.user)
    entry = selectors.entry_for_team(team=team, public_id=public_id)
    phase = phases.contest_phase(entry.contest)
    if request.method != "POST" and not phase.can_submit:
        messages.info(request, _frozen_message(phase))
        return redirect("competition:entry_detail", public_id=entry.public_id)
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, contest=entry.contest, entry=entry, user=request.user)
        if form.is_valid():
            try:
                entry = services.entry_update(
                    entry=entry,
                    data=form.entry_data(),
                    files=form.file_changes(),
                    expected_version=form.cleaned_data.get("version") or 0,
                    save_token=form.cleaned_data.get("save_token"),
                    submit="submit" in request.POST,
                    by=request.user,
                )
            except errors.EntryIncomplete as error:
                if error.entry is not None:
                    _show_problems(request, error)
                    return redirect("competition:entry_edit", public_id=entry.public_id)
                form.add_error(None, " ".join([error.message, *error.problems]))
            except errors.EditConflict as error:
                form.add_error(None, error.message)
                form.start_from_version(error.version)
            except errors.EntryError as error:
                form.add_error(None, " ".join([error.message, *error.problems]))
            else:
                return _after_save(request, entry, submitted="submit" in request.POST)
    else:
        rescued = _take_rescued(request)
        form = (
            EntryForm(data=rescued, contest=entry.contest, entry=entry, user=request.user)
            if rescued
            else EntryForm(contest=entry.contest, entry=entry, user=request.user)
        )
    return TemplateResponse(
        request,
        "competition/entry_form.html",
        {"form": form, "contest": entry.contest, "entry": entry, "team": team},
    )


def _frozen_message(phase) -> str:
    if phase is phases.DRAFT:
        return _("本届大赛尚未开始申报。")
    return _("本届大赛已进入“%(phase)s”阶段，参赛项目不能再修改。") % {"phase": phase.label}


def _after_save(request, entry: Entry, *, submitted: bool):
    if entry.status == Entry.Status.SUBMITTED and submitted:
        messages.success(request, _("项目已提交。截止时间前仍可修改或撤回。"))
        return redirect("competition:entry_detail", public_id=entry.public_id)
    if entry.status == Entry.Status.SUBMITTED:
        messages.success(request, _("修改已保存，项目仍为“已提交”状态。"))
        return redirect("competition:entry_detail", public_id=entry.public_id)
    messages.success(request, _("草稿已保存。"))
    return redirect("competition:entry_edit", public_id=entry.public_id)


@login_required
def entry_detail(request, public_id):
    team = _team_or_none(request.user)
    entry = selectors.entry_for_team(team=team, public_id=public_id)
    return render(
        request,
        "competition/entry_detail.html",
        {
            "entry": entry,
            "team": team,
            "history": selectors.entry_history(entry=entry),
            "missing": services.entry_missing_parts(entry, photo_count=len(entry.photos.all()))
            if entry.status == Entry.Status.DRAFT
            else [],
            "can_edit": phases.contest_phase(entry.contest).can_submit,
            "panels": extensions.entry_panels(request, entry),
        },
    )


@login_required
@require_POST
def entry_withdraw(request, public_id):
    entry = selectors.entry_for_team(team=_team_or_none(request.user), public_id=public_id)
    try:
        services.entry_withdraw(entry=entry, by=request.user)
    except errors.EntryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("项目已撤回。截止时间前可以恢复为草稿继续申报。"))
    return redirect("competition:entry_detail", public_id=entry.public_id)


@login_required
@require_POST
def entry_reopen(request, public_id):
    entry = selectors.entry_for_team(team=_team_or_none(request.user), public_id=public_id)
    try:
        services.entry_reopen(entry=entry, by=request.user)
    except errors.EntryError as error:
        messages.error(request, error.message)
        return redirect("competition:entry_detail", public_id=entry.public_id)
    messages.success(request, _("项目已恢复为草稿。"))
    return redirect("competition:entry_edit", public_id=entry.public_id)


@login_required
def photo_file(request, public_id):
    photo = EntryPhoto.objects.select_related("entry__team__organization").filter(public_id=public_id).first()
    if photo is None or not rules.can_view_entry(request.user, photo.entry):
        raise Http404
    return private_file_response(photo.file, content_type=photo.content_type)


@login_required
def photo_rendition(request, public_id, width):
    """A photo at a screen's size (thumbnails of the team's, coordinator's and organizers' pages);
    the same readers as the photo itself."""
    if width not in WIDTHS:
        raise Http404
    photo = EntryPhoto.objects.select_related("entry__team__organization").filter(public_id=public_id).first()
    if photo is None or not rules.can_view_entry(request.user, photo.entry):
        raise Http404
    return rendition_response(request, photo.file, width)


@login_required
def attachment_file(request, public_id):
    attachment = (
        EntryAttachment.objects.select_related("entry__team__organization")
        .filter(public_id=public_id)
        .first()
    )
    if attachment is None or not rules.can_view_entry(request.user, attachment.entry):
        raise Http404
    # Only the team itself gets its own file name back; everyone else gets a neutral one.
    name = attachment.title if rules.owns_entry(request.user, attachment.entry) else "attachment.pdf"
    return private_file_response(attachment.file, content_type="application/pdf", filename=name)
