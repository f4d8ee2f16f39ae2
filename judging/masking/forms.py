"""The form of the masked texts and photo captions."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
