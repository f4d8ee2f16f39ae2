"""Forms of the spreadsheet pages in the back office: requesting an export, uploading scores."""

from django import forms
from django.utils.translation import gettext_lazy as _

from competition.selectors import contests_newest_first
from judging.models import ExportJob, Round, export_kinds
from judging.phases import rounds_where
from judging.spreadsheets.imports import MAX_UPLOAD_BYTES, Submitted
from judging.spreadsheets.tables import EXPORTS


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.contest.title} · {obj.name}"


class ExportRequestForm(forms.Form):
    """What to export. Round exports need a round; the contest's entries, shortlist and
    objection log need a contest (taken from the round when one is chosen)."""

    kind = forms.ChoiceField(label=_("导出内容"), choices=export_kinds)
    round = RoundChoiceField(
        label=_("评审轮次"),
        queryset=Round.objects.select_related("contest").order_by("-contest__year", "contest_id", "order"),
        required=False,
        empty_label=_("（不选）"),
        help_text=_("评分表、成绩排名、评委统计和评审分配按轮次导出；选了轮次时，参赛项目只导出本轮的项目。"),
    )
    contest = forms.ModelChoiceField(
        label=_("大赛"),
        queryset=contests_newest_first(),
        required=False,
        empty_label=_("（不选）"),
        help_text=_("入围名单和异议记录按大赛导出；选了轮次时可不选。"),
    )
    format = forms.ChoiceField(
        label=_("文件格式"), choices=ExportJob.Format.choices, initial=ExportJob.Format.XLSX
    )

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, label) for k, label in export_kinds() if k in kinds]

    def clean(self):
        cleaned = super().clean()
        kind, round, contest = cleaned.get("kind"), cleaned.get("round"), cleaned.get("contest")
        if kind in EXPORTS and EXPORTS[kind].per_round and round is None:
            self.add_error("round", _("这项内容按轮次导出，请选择评审轮次。"))
        elif kind in EXPORTS and round is None and contest is None:
            self.add_error("contest", _("请选择大赛或评审轮次。"))
        return cleaned


class ScoreImportForm(forms.Form):
    round = RoundChoiceField(
        label=_("评审轮次"),
        queryset=Round.objects.select_related("contest")
        .filter(rounds_where(can_import_reopened=True))
        .order_by("-contest__year", "contest_id", "order"),
        empty_label=_("请选择轮次"),
        help_text=_("只有评分中的轮次（或有重开评分表的已截止轮次）才能导入评分。"),
    )
    file = forms.FileField(
        label=_("评分文件"),
        help_text=_("用本轮评分导入模板填写的 Excel 文件（.xlsx），不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件太大：最大 5 MB。"))
        return upload


class ScoreImportConfirmForm(forms.Form):
    """The check step's answer: what to do with the submitted sheets the file would change."""

    token = forms.CharField(max_length=64)
    digest = forms.CharField(max_length=64)
    submitted = forms.ChoiceField(
        choices=[
            (Submitted.OVERWRITE, _("覆盖这些已提交的评分表")),
            (Submitted.KEEP, _("只导入空白的评分表，保留已提交的")),
        ]
    )
