"""The form of the masked texts and photo captions."""

from django import forms
from django.utils.translation import gettext as _

from judging.masking.services import CAPTION_LENGTH, MASKED_FIELDS
from judging.models import RoundEntry


def caption_field_name(position: int) -> str:
    return f"caption_{position}"


class MaskedTextForm(forms.Form):
    """The six masked texts and one masked caption per photo (``photos``: how many)."""

    def __init__(self, *args, photos: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(RoundEntry, fields=MASKED_FIELDS))
        for n in range(1, photos + 1):
            self.fields[caption_field_name(n)] = forms.CharField(
                label=_("照片%(n)s的说明") % {"n": n}, max_length=CAPTION_LENGTH, required=False
            )
