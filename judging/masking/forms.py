"""The form of the masked texts."""

from django import forms

from judging.masking.services import MASKED_FIELDS
from judging.models import RoundEntry


class MaskedTextForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(RoundEntry, fields=MASKED_FIELDS))
