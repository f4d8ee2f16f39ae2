"""匿名文本: what judges read, next to the original, and the organizers' corrections."""

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from common.errors import DomainError
from common.http import private_file_response
from common.pages import paginate
from competition.models import Entry
from judging.masking.copies import copy_add_box, round_copies_request, round_copy_counts
from judging.masking.forms import CopyBoxForm, MaskedTextForm, caption_field_name
from judging.masking.redact import page_picture
from judging.masking.selectors import copy_pages, round_entry_copies, round_masked_entries
from judging.masking.services import (
    MASKED_FIELDS,
    entry_masking_terms,
    photo_captions,
    round_entry_edit_masked,
)
from judging.masking.text import compile_terms, matched_terms
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
        prefetch_related_objects([round_entry.entry], "photos", "team__members")
        return round_entry

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        items[-1] = {"url": self.url(), "label": PAGE_LABELS["masked"]}
        return items + [{"url": "", "label": self.code}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_entry = kwargs.get("round_entry") or self.get_round_entry()
        entry = round_entry.entry
        editable = self.can_change and self.phase.can_edit_masked
        terms = entry_masking_terms(entry)
        compiled = compile_terms(terms)
        photos = photo_captions(round_entry, entry, compiled)
        form = kwargs.get("form") or MaskedTextForm(
            initial={name: getattr(round_entry, name) for name in MASKED_FIELDS}
            | {caption_field_name(photo["position"]): photo["masked"] for photo in photos},
            photos=len(photos),
        )
        masked = [getattr(round_entry, name) for name in MASKED_FIELDS] + [
            photo["masked"] for photo in photos
        ]
        found = {term for text in masked for term in matched_terms(text, compiled)}
        context.update(
            round_entry=round_entry,
            entry=entry,
            editable=editable,
            setup=self.phase.can_edit_masked,
            form=form,
            fields=[
                {
                    "label": Entry._meta.get_field(name).verbose_name,
                    "original": getattr(entry, name),
                    "masked": getattr(round_entry, name),
                    "field": form[name],
                }
                for name in MASKED_FIELDS
            ],
            captions=[
                {
                    "label": form[caption_field_name(photo["position"])].label,
                    "original": photo["original"],
                    "masked": photo["masked"],
                    "field": form[caption_field_name(photo["position"])],
                }
                for photo in photos
            ],
            terms=terms,
            leftovers=[term for term in terms if term in found],
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
        photos = list(round_entry.entry.photos.all())
        form = MaskedTextForm(request.POST, photos=len(photos))
        if form.is_valid():
            # Only the texts that changed go to the service (and so into the log's before and
            # after); the service compares the captions itself.
            texts = {name: form.cleaned_data[name].replace("\r\n", "\n") for name in MASKED_FIELDS}
            changed = {name: value for name, value in texts.items() if value != getattr(round_entry, name)}
            if photos:
                changed["captions"] = {
                    photo.public_id.hex: form.cleaned_data[caption_field_name(n)]
                    for n, photo in enumerate(photos, start=1)
                }
            try:
                round_entry_edit_masked(round_entry=round_entry, data=changed, by=request.user)
            except DomainError as error:
                # Shown with what the organizer typed, not lost to a redirect.
                messages.error(request, error.message)
                return self.render_to_response(self.get_context_data(form=form, round_entry=round_entry))
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
