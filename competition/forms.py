"""Forms validate input and hand clean values to ``competition.services``."""

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import MOBILE_PHONE_VALIDATOR, Category, Entry
from .services import ENTRY_FIELDS, PDFS_MAX, PHOTOS_MAX, EntryFileChanges
from .stations.forms import StationFormMixin
from .uploads import PixelBudget, clean_pdf, clean_photo, count_uploads, display_name, duplicate_photos

User = get_user_model()


class SignupForm(StationFormMixin, UserCreationForm):
    """A new team account. Each personal field says why it is asked (personal-information law)."""

    email = forms.EmailField(label=_("电子邮箱"), help_text=_("用于找回密码和接收评审结果通知。"))
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        validators=[MOBILE_PHONE_VALIDATOR],
        help_text=_("组委会联系参赛事宜时使用，不向评委和公众展示。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    team_name = forms.CharField(label=_("团队名称"), max_length=100)
    contact_name = forms.CharField(
        label=_("联系人姓名"), max_length=50, help_text=_("组委会就参赛事宜与之联系的人。")
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, picker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_picker(params=picker)

    def clean_email(self):
        # A known address is not refused here: that would tell anyone which addresses are
        # registered. ``services.team_signup`` answers the same and says by e-mail.
        return self.cleaned_data["email"].strip().lower()


class TeamProfileForm(StationFormMixin, forms.Form):
    name = forms.CharField(label=_("团队名称"), max_length=100)
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=11,
        validators=[MOBILE_PHONE_VALIDATOR],
        help_text=_("仅用于组委会联系参赛事宜，不向评委和公众展示。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )

    def __init__(self, *args, identity_fixed: bool = False, picker=None, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_picker(params=picker, current_organization_id=organization_id, disabled=identity_fixed)
        if identity_fixed:
            # competition.phases.team_can_change_identity: fixed once eligibility review began.
            for name in ("name", "organization"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("资格审查已经开始，不能再修改；如确需更正，请联系组委会。")


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    role = forms.CharField(label=_("分工"), max_length=50, required=False)


TeamMemberFormSet = forms.formset_factory(TeamMemberForm, extra=2, max_num=50, validate_max=True)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; returns a list."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class EntryForm(forms.ModelForm):
    """The team's entry form: text, figures, consent and file changes in one post.

    ``version`` carries the version the user started from (see ``services.entry_update``);
    ``creation_token`` makes a double-clicked create produce one entry.
    """

    OWNER_SALT = "competition.entry-form-owner"
    OWNER_MAX_AGE = 7 * 24 * 60 * 60

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    creation_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # One per form shown: a save retried after a lost answer is recognised (services.entry_update).
    save_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Signed id of the user the form was shown to: text rescued after a session expired is
    # given back to that user only (see views._rescue_and_login).
    owner = forms.CharField(widget=forms.HiddenInput, required=False)
    new_photos = MultipleFileField(
        label=_("添加照片"),
        required=False,
        help_text=_(
            "JPEG、PNG 或 WebP，每张不超过 10 MB；共 1–9 张。上传后照片的拍摄信息（含位置）会被清除。"
        ),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    new_attachments = MultipleFileField(
        label=_("添加 PDF 附件"),
        required=False,
        help_text=_("可选，最多 3 个 PDF，每个不超过 20 MB。"),
        widget=MultipleFileInput(attrs={"accept": "application/pdf"}),
    )

    class Meta:
        model = Entry
        fields = ENTRY_FIELDS
        widgets = {
            "title": forms.TextInput(attrs={"placeholder": _("例如：“银龄课堂”社区老年人智能手机帮学")}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "need": forms.Textarea(attrs={"rows": 4}),
            "approach": forms.Textarea(attrs={"rows": 6}),
            "innovation": forms.Textarea(attrs={"rows": 4}),
            "outcomes": forms.Textarea(attrs={"rows": 6}),
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "volunteers": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "beneficiaries": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "service_hours": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "activities": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }
        help_texts = {
            "summary": _("用 500 字以内概括项目：做什么、为谁做、做成了什么。"),
            "need": _("项目针对的群众需求或社会问题。"),
            "approach": _("项目如何组织实施：服务内容、流程、团队分工、管理制度。"),
            "innovation": _("与同类项目相比的特色和创新。"),
            "outcomes": _("取得的服务成效、群众评价、社会反响。"),
        }
        labels = {
            "consent_publish": _("我们同意：项目如入选优秀项目，其文字和照片可在大赛网站等渠道公开展示。"),
            "consent_guardians": _("照片中如有未成年人，我们已取得其监护人同意。"),
        }

    def __init__(self, *args, contest, user, entry: Entry | None = None, **kwargs):
        super().__init__(*args, instance=entry, **kwargs)
        self.contest = contest
        self.entry = entry
        self.user = user
        self._upload_refusal: ValidationError | None = None
        self._uploads_counted = False
        self.fields["owner"].initial = signing.dumps(user.pk, salt=self.OWNER_SALT)
        self.fields["category"].queryset = contest.categories.all()
        self.fields["category"].empty_label = gettext("请选择")
        self.fields["category"].label_from_instance = lambda c: c.label
        self.fields["title"].help_text = _("不超过 60 字。")
        self.photos = list(entry.photos.all()) if entry else []
        self.attachments = list(entry.attachments.all()) if entry else []
        for photo in self.photos:
            self.fields[f"photo-{photo.public_id}-caption"] = forms.CharField(
                label=_("图片说明"), max_length=100, required=False, initial=photo.caption
            )
            self.fields[f"photo-{photo.public_id}-delete"] = forms.BooleanField(
                label=_("删除这张照片"), required=False
            )
        for attachment in self.attachments:
            self.fields[f"attachment-{attachment.public_id}-delete"] = forms.BooleanField(
                label=_("删除这个附件"), required=False
            )
        if entry is not None:
            self.fields["version"].initial = entry.version
            self.fields["save_token"].initial = uuid.uuid4()
        else:
            self.fields["creation_token"].initial = uuid.uuid4()

    def photo_rows(self):
        """(photo, caption field, delete field) for the template."""
        return [
            (p, self[f"photo-{p.public_id}-caption"], self[f"photo-{p.public_id}-delete"])
            for p in self.photos
        ]

    def attachment_rows(self):
        return [(a, self[f"attachment-{a.public_id}-delete"]) for a in self.attachments]

    def clean_category(self):
        category = self.cleaned_data.get("category")
        if category and not isinstance(category, Category):
            raise ValidationError(_("请选择项目类别。"))
        return category

    def _count_uploads(self) -> None:
        """The account's hourly upload limit, counted once per request for all its files and
        before any is read (``competition.uploads.count_uploads``)."""
        if not self._uploads_counted:
            self._uploads_counted = True
            files = len(self.files.getlist("new_photos")) + len(self.files.getlist("new_attachments"))
            try:
                count_uploads(user=self.user, files=files)
            except ValidationError as error:
                self._upload_refusal = error
        if self._upload_refusal is not None:
            raise self._upload_refusal

    def clean_new_photos(self):
        uploads = self.cleaned_data.get("new_photos") or []
        if not uploads:
            return []
        self._count_uploads()
        budget = PixelBudget()  # one request's decoding, across all its photos
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append((clean_photo(upload, budget=budget), ""))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def clean_new_attachments(self):
        uploads = self.cleaned_data.get("new_attachments") or []
        if not uploads:
            return []
        self._count_uploads()
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append((clean_pdf(upload), display_name(upload.name, fallback="附件.pdf")))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get("save_token")
        if self.entry is not None and token and self.entry.last_save_token == token:
            # This very save again (its answer was lost on the way): ``services.entry_update``
            # answers as it did the first time; its photos are not new.
            return cleaned
        kept_photos = [p for p in self.photos if not cleaned.get(f"photo-{p.public_id}-delete")]
        new_photos = cleaned.get("new_photos") or []
        if len(kept_photos) + len(new_photos) > PHOTOS_MAX:
            self.add_error(
                "new_photos",
                gettext("每个项目最多 %(max)s 张照片：已有 %(kept)s 张，本次又选了 %(new)s 张。")
                % {"max": PHOTOS_MAX, "kept": len(kept_photos), "new": len(new_photos)},
            )
        elif new_photos:
            duplicates = duplicate_photos(
                [clean for clean, _caption in new_photos], [p.sha256 for p in kept_photos]
            )
            if duplicates:
                self.add_error("new_photos", duplicates)
        kept_pdfs = [a for a in self.attachments if not cleaned.get(f"attachment-{a.public_id}-delete")]
        new_pdfs = cleaned.get("new_attachments") or []
        if len(kept_pdfs) + len(new_pdfs) > PDFS_MAX:
            self.add_error(
                "new_attachments",
                gettext("每个项目最多 %(max)s 个 PDF 附件：已有 %(kept)s 个，本次又选了 %(new)s 个。")
                % {"max": PDFS_MAX, "kept": len(kept_pdfs), "new": len(new_pdfs)},
            )
        return cleaned

    def entry_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ENTRY_FIELDS}

    def file_changes(self) -> EntryFileChanges:
        data = self.cleaned_data
        return EntryFileChanges(
            new_photos=data.get("new_photos") or [],
            new_attachments=data.get("new_attachments") or [],
            photo_captions={
                str(p.public_id): data.get(f"photo-{p.public_id}-caption", "") for p in self.photos
            },
            delete_photos={str(p.public_id) for p in self.photos if data.get(f"photo-{p.public_id}-delete")},
            delete_attachments={
                str(a.public_id) for a in self.attachments if data.get(f"attachment-{a.public_id}-delete")
            },
        )

    def start_from_version(self, version: int) -> None:
        """After an edit conflict the form is shown again; saving it once more is a deliberate
        choice made after the warning, so it starts from the stored ``version``."""
        self.data = self.data.copy()
        self.data["version"] = str(version)

    # Text fields that are kept for the user if their session expired mid-edit.
    RESCUABLE = (*ENTRY_FIELDS, "version", "creation_token", "save_token")

    @classmethod
    def owner_in(cls, data) -> int | None:
        """The id of the user a posted form was shown to, if its signature holds."""
        try:
            return signing.loads(data.get("owner") or "", salt=cls.OWNER_SALT, max_age=cls.OWNER_MAX_AGE)
        except signing.BadSignature:
            return None


class EligibilityForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审查结论"),
        choices=[("eligible", _("符合参赛资格")), ("ineligible", _("不符合参赛资格"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("审查意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不符合资格时必填，参赛团队将看到这条意见。"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "ineligible" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("判定为不符合资格时，请填写理由。"))
        return cleaned


class BulkReviewForm(forms.Form):
    """One action and one reason for the entries ticked in the list."""

    ACTIONS = [
        ("eligible", _("判定为符合参赛资格")),
        ("ineligible", _("判定为不符合参赛资格")),
        ("recommend", _("推荐到市级评审")),
        ("unrecommend", _("取消推荐")),
    ]
    action = forms.ChoiceField(label=_("批量操作"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("理由（所选项目共用）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("判定为不符合资格时必填，参赛团队将看到这条理由。"),
    )
    entries = forms.TypedMultipleChoiceField(coerce=str, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(v, v) for v in (self.data.getlist("entries") if self.data else [])]

    def clean_entries(self):
        ids = []
        for value in self.cleaned_data["entries"]:
            try:
                ids.append(uuid.UUID(value))
            except ValueError:
                continue
        if not ids:
            raise forms.ValidationError(_("请先在列表中勾选要处理的项目。"))
        return ids

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "ineligible" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("判定为不符合资格时，请填写理由。"))
        return cleaned
