"""Writes of the documents: asking for a document to be generated, the organizer's document
settings (with the seal made safe by ``seal.seal_png``) and adjusted templates, each saved
only once it compiles and renders."""

from functools import cache

from django.core.files.base import ContentFile
from django.db import transaction
from django.template import Context, Engine, Template
from django.utils.translation import gettext as _

from awards.documents.context import base_context
from awards.documents.engine import engine_problem
from awards.documents.kinds import KINDS, TEMPLATE_SAMPLES
from awards.documents.progress import document_queue
from awards.errors import AwardsError
from awards.models import DocumentSettings, DocumentTemplate, GeneratedDocument, Shortlist
from common.storage import random_file_name

SETTINGS_FIELDS = (
    "issuing_body",
    "issue_date",
    "list_title",
    "certificate_title",
    "compendium_title",
    "thank_you_letters",
    "judge_letters",
)
MAX_TEMPLATE_CHARS = 200_000


def outcome_final(contest) -> bool:
    """The documents exist once the shortlist is finalized (the featured projects are known)."""
    shortlist = Shortlist.objects.filter(contest=contest).first()
    return shortlist is not None and shortlist.phase.final


def document_request(*, contest, kind: str, by=None) -> GeneratedDocument:
    """Queue one document for the background worker (shown at once as 排队中)."""
    document_kind = KINDS.get(kind)
    if document_kind is None:
        raise AwardsError(_("没有这种文书。"))
    if not outcome_final(contest):
        raise AwardsError(_("入围名单正式公布后才能生成文书。"))
    if document_kind.needs_engine:
        problem = engine_problem()
        if problem is not None:
            raise AwardsError(problem)
    from awards.documents.tasks import build_document

    with transaction.atomic():
        document = document_queue(contest=contest, kind=kind, by=by)
        transaction.on_commit(lambda: build_document.enqueue(contest.pk, kind))
    return document


@transaction.atomic
def document_settings_save(
    *, contest, values: dict, seal: bytes | None = None, remove_seal=False
) -> DocumentSettings:
    """Store the settings; ``seal`` is a PNG made by ``seal_png`` (it replaces the old seal)."""
    settings, _created = DocumentSettings.objects.select_for_update().get_or_create(contest=contest)
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(settings, name, values[name])
    old_seal = settings.seal.name if settings.seal else ""
    if seal is not None:
        settings.seal.name = settings.seal.storage.save(
            random_file_name(f"seals/{contest.pk}", "png"), ContentFile(seal)
        )
    elif remove_seal:
        settings.seal = ""
    settings.save()
    if old_seal and old_seal != (settings.seal.name or ""):
        storage = settings.seal.storage
        transaction.on_commit(lambda: storage.delete(old_seal))
    return settings


@cache
def _checking_engine() -> Engine:
    """The project's template engine, in debug mode so that an error knows its line."""
    default = Engine.get_default()
    return Engine(
        dirs=default.dirs,
        loaders=default.loaders,
        libraries=default.libraries,
        builtins=default.builtins[len(Engine.default_builtins) :],
        debug=True,
        autoescape=True,
    )


def _line(error: Exception) -> int | None:
    debug = getattr(error, "template_debug", None)
    return debug.get("line") if debug else None


def template_check(*, contest, kind: str, html: str) -> None:
    """Raise AwardsError (with the line, when known) unless the template compiles and renders
    with a sample of what it will be given."""
    if not html.strip():
        raise AwardsError(_("模板不能为空。要使用内置模板，请点击“还原默认”。"))
    if len(html) > MAX_TEMPLATE_CHARS:
        raise AwardsError(_("模板太长（超过 20 万个字符）。"))
    try:
        template = Template(html, engine=_checking_engine())
    except Exception as error:  # TemplateSyntaxError, and what a broken {% load %} raises
        raise AwardsError(_message(_("模板有语法错误"), error)) from None
    sample = TEMPLATE_SAMPLES.get(kind)
    context = sample(contest) if sample else base_context(contest)
    try:
        template.render(Context(context, autoescape=True))
    except Exception as error:
        raise AwardsError(_message(_("模板无法生成文书"), error)) from None


def _message(what: str, error: Exception) -> str:
    line = _line(error)
    if line:
        return _("%(what)s（第 %(line)s 行）：%(error)s。之前的模板仍然有效。") % {
            "what": what,
            "line": line,
            "error": error,
        }
    return _("%(what)s：%(error)s。之前的模板仍然有效。") % {"what": what, "error": error}


def document_template_save(*, contest, kind: str, html: str, by=None) -> DocumentTemplate:
    """Save the organizer's template for this kind, only after ``template_check`` passes."""
    if kind not in DocumentTemplate.Kind.values:
        raise AwardsError(_("没有这种文书模板。"))
    template_check(contest=contest, kind=kind, html=html)
    template, _created = DocumentTemplate.objects.update_or_create(
        contest=contest, kind=kind, defaults={"html": html, "updated_by": by}
    )
    return template


def document_template_reset(*, contest, kind: str) -> None:
    """Back to the built-in template."""
    DocumentTemplate.objects.filter(contest=contest, kind=kind).delete()
