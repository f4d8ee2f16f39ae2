"""匿名文本: what judges read, next to the original, and the organizers' corrections."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from common.errors import DomainError
from common.http import private_file_response
from common.pages import paginate
from competition.models import Entry
from judging.masking.copies import copy_add_box, round_copies_request, round_copy_counts
from judging.masking.forms import CopyBoxForm, MaskedTextForm
from judging.masking.redact import page_picture
from judging.masking.selectors import copy_pages, round_entry_copies, round_masked_entries
from judging.masking.services import MASKED_FIELDS, entry_masking_terms, round_entry_edit_masked
from judging.models import BlindFile, RoundEntry
from judging.rounds.admin_views import PAGE_LABELS, RoundPageView
from judging.rounds.selectors import round_entry_for_admin


class MaskedListView(RoundPageView):
    page_name = "masked"
    template_name = "judging/admin/round_masked.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        page, page_range = paginate(self.request, round_masked_entries(round=self.round, query=query))
        context.update(
            entries=page,
            elided_page_range=page_range,
            query=query,
            editable=self.phase.can_edit_masked,
            copies=round_copy_counts(round=self.round),
        )
        return context

    def post(self, request, *args, **kwargs):
        """(Re)make every judge copy of the round's PDFs in the background."""
        try:
            queued = round_copies_request(round=self.round, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("已开始生成 %(count)s 份匿名副本，请稍后刷新本页查看进度。") % {"count": queued}
            )
        return redirect(self.url())


class MaskedEditView(RoundPageView):
    page_name = "masked"
    template_name = "judging/admin/round_masked_edit.html"

    def dispatch(self, request, *args, **kwargs):
        self.code = kwargs["code"]
        return super().dispatch(request, *args, **kwargs)

    def get_round_entry(self) -> RoundEntry:
        round_entry = round_entry_for_admin(round=self.round, blind_code=self.code)
        if round_entry is None:
            raise Http404
        return round_entry

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        items[-1] = {"url": self.url(), "label": PAGE_LABELS["masked"]}
        return items + [{"url": "", "label": self.code}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_entry = kwargs.get("round_entry") or self.get_round_entry()
        editable = self.can_change and self.phase.can_edit_masked
        form = kwargs.get("form") or MaskedTextForm(
            initial={name: getattr(round_entry, name) for name in MASKED_FIELDS}
        )
        terms = entry_masking_terms(round_entry.entry)
        masked = " ".join(getattr(round_entry, name) for name in MASKED_FIELDS)
        context.update(
            round_entry=round_entry,
            entry=round_entry.entry,
            editable=editable,
            setup=self.phase.can_edit_masked,
            form=form,
            fields=[
                {
                    "label": Entry._meta.get_field(name).verbose_name,
                    "original": getattr(round_entry.entry, name),
                    "masked": getattr(round_entry, name),
                    "field": form[name],
                }
                for name in MASKED_FIELDS
            ],
            terms=terms,
            leftovers=[term for term in terms if term in masked],
            copies=[
                {"file": blind, "pages": copy_pages(blind), "ready": blind.status == BlindFile.Status.READY}
                for blind in round_entry_copies(round_entry=round_entry)
            ],
            box_form=kwargs.get("box_form") or CopyBoxForm(),
            box_for=kwargs.get("box_for"),
        )
        return context

    def post(self, request, *args, **kwargs):
        round_entry = self.get_round_entry()
        form = MaskedTextForm(request.POST)
        if form.is_valid():
            # Only what changed goes to the service (and so into the log's before and after).
            texts = {name: value.replace("\r\n", "\n") for name, value in form.cleaned_data.items()}
            changed = {name: value for name, value in texts.items() if value != getattr(round_entry, name)}
            try:
                round_entry_edit_masked(round_entry=round_entry, data=changed, by=request.user)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect(self.url("masked_edit", round_entry.blind_code))
            messages.success(request, _("已保存 %(code)s 的匿名文本。") % {"code": round_entry.blind_code})
            return redirect(self.url("masked_edit", round_entry.blind_code))
        return self.render_to_response(self.get_context_data(form=form, round_entry=round_entry))


class CopyPageView(MaskedEditView):
    """One page of a PDF's judge copy, as judges will see it (organizers and supervisors)."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        blind = _copy_or_404(self.get_round_entry(), kwargs["n"])
        if blind.status != BlindFile.Status.READY or not 1 <= kwargs["page"] <= (blind.pages or 0):
            raise Http404
        with blind.file.open("rb") as stored:
            picture = page_picture(stored.read(), kwargs["page"])
        response = HttpResponse(picture, content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        return response


class CopyOriginalView(MaskedEditView):
    """The team's own PDF, which organizers keep (never a judge)."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        blind = _copy_or_404(self.get_round_entry(), kwargs["n"])
        if blind.attachment is None:
            raise Http404
        return private_file_response(
            blind.attachment.file, content_type="application/pdf", filename=f"original-{blind.position}.pdf"
        )


class CopyBoxView(MaskedEditView):
    """An organizer blacks out a region of a page by hand; the copy is made again."""

    def get(self, request, *args, **kwargs):
        return redirect(self.url("masked_edit", self.code))

    def post(self, request, *args, **kwargs):
        round_entry = self.get_round_entry()
        blind = _copy_or_404(round_entry, kwargs["n"])
        form = CopyBoxForm(request.POST)
        if form.is_valid():
            try:
                copy_add_box(
                    blind_file=blind, page=form.cleaned_data["page"], box=form.box(), by=request.user
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("已加入涂黑区域，正在重新生成附件 %(n)s 的匿名副本。") % {"n": blind.position}
                )
                return redirect(self.url("masked_edit", round_entry.blind_code))
        return self.render_to_response(
            self.get_context_data(round_entry=round_entry, box_form=form, box_for=blind.position)
        )


def _copy_or_404(round_entry: RoundEntry, n: int) -> BlindFile:
    blind = next((b for b in round_entry_copies(round_entry=round_entry) if b.position == n), None)
    if blind is None:
        raise Http404
    return blind
