"""The form of the masked texts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from judging.masking.services import MASKED_FIELDS
from judging.models import RoundEntry


class MaskedTextForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(RoundEntry, fields=MASKED_FIELDS))


class CopyBoxForm(forms.Form):
    """A region of a judge copy's page to black out, in percent of the page from its top left."""

    page = forms.IntegerField(label=_("页码"), min_value=1)
    left = forms.DecimalField(label=_("左（%）"), min_value=0, max_value=100, decimal_places=2)
    top = forms.DecimalField(label=_("上（%）"), min_value=0, max_value=100, decimal_places=2)
    right = forms.DecimalField(label=_("右（%）"), min_value=0, max_value=100, decimal_places=2)
    bottom = forms.DecimalField(label=_("下（%）"), min_value=0, max_value=100, decimal_places=2)

    def box(self) -> tuple[float, float, float, float]:
        data = self.cleaned_data
        return tuple(float(data[name]) / 100 for name in ("left", "top", "right", "bottom"))
