"""Forms of the documents pages: the document settings (with the seal upload) and an adjusted
template."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.documents.seal import MAX_BYTES, seal_png
from awards.documents.services import SETTINGS_FIELDS
from awards.errors import AwardsError
from awards.models import DocumentSettings


class DocumentSettingsForm(forms.ModelForm):
    seal_upload = forms.FileField(
        label=gettext_lazy("上传印章图片"),
        required=False,
        help_text=gettext_lazy("PNG 或 JPG，不超过 5 MB、长宽不超过 4000 像素；透明背景的 PNG 效果最好。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_seal = forms.BooleanField(label=gettext_lazy("删除现有印章"), required=False)

    class Meta:
        model = DocumentSettings
        fields = list(SETTINGS_FIELDS)
        widgets = {"issue_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "issuing_body": gettext_lazy("留空则为“志愿服务项目大赛组委会”。"),
            "issue_date": gettext_lazy("留空则为生成当天。"),
            "list_title": gettext_lazy("留空则为“大赛名称 + 优秀志愿服务项目名单”。"),
        }

    def clean_seal_upload(self):
        upload = self.cleaned_data.get("seal_upload")
        if not upload:
            return None
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("印章图片太大（%(size)s MB），请上传不超过 5 MB 的图片。")
                % {"size": f"{upload.size / 1048576:.1f}"}
            )
        try:
            return seal_png(upload.read())
        except AwardsError as error:
            raise forms.ValidationError(error.message) from None


class TemplateForm(forms.Form):
    html = forms.CharField(
        label=gettext_lazy("模板（HTML）"),
        required=False,  # the service says what is wrong, with the line
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "document-template-text"}),
    )
