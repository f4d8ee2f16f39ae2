"""匿名文本: what judges read, next to the original, and the organizers' corrections."""

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from common.errors import DomainError
from common.pages import paginate
from competition.models import Entry
from judging.masking.forms import MaskedTextForm, caption_field_name
from judging.masking.selectors import round_masked_entries
from judging.masking.services import (
    MASKED_FIELDS,
    entry_masking_terms,
    photo_captions,
    round_entry_edit_masked,
)
from judging.masking.text import compile_terms, matched_terms
from judging.models import RoundEntry
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
        )
        return context


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
