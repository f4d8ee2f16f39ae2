"""What every document template is given, and how a template is found: the organizer's
adjusted one (``DocumentTemplate``) or the built-in ``awards/documents/<kind>.html``."""

import base64

from django.template import Context, Engine, Template
from django.template.loader import get_template
from django.utils.translation import gettext as _

from awards.documents.engine import SANS, SERIF
from awards.models import DocumentSettings, DocumentTemplate


def document_settings(contest) -> DocumentSettings:
    """The contest's settings, unsaved defaults when the organizer has set none."""
    found = DocumentSettings.objects.filter(contest=contest).first()
    return found or DocumentSettings(contest=contest)


def seal_data_uri(settings: DocumentSettings) -> str:
    """The seal as a data: URL (the engine fetches nothing else), or "" without one."""
    if not settings.seal:
        return ""
    with settings.seal.open("rb") as handle:
        return "data:image/png;base64," + base64.b64encode(handle.read()).decode("ascii")


def document_words(contest, settings: DocumentSettings | None = None) -> dict:
    """The issuing body, date and titles, the organizer's or the defaults (no file is read:
    the public list page shows them too)."""
    settings = settings or document_settings(contest)
    return {
        "issuing_body": settings.issuing_body or _("志愿服务项目大赛组委会"),
        "issue_date": settings.issue_date,
        "list_title": settings.list_title or _("%(title)s优秀志愿服务项目名单") % {"title": contest.title},
        "certificate_title": settings.certificate_title or _("荣誉证书"),
        "compendium_title": settings.compendium_title
        or _("%(title)s优秀项目汇编") % {"title": contest.title},
    }


def base_context(contest) -> dict:
    settings = document_settings(contest)
    return {
        "contest": contest,
        **document_words(contest, settings),
        "seal": seal_data_uri(settings),
        "serif": SERIF,
        "sans": SANS,
    }


def built_in_template(kind: str):
    return get_template(f"awards/documents/{kind}.html")


def document_template(contest, kind: str):
    """The organizer's template for this kind when there is one, else the built-in one. Both
    have ``render(context_dict)``."""
    adjusted = DocumentTemplate.objects.filter(contest=contest, kind=kind).first()
    if adjusted is None:
        return built_in_template(kind)
    return _StringTemplate(adjusted.html)


class _StringTemplate:
    """An organizer's template text, compiled by Django's engine with autoescaping (names and
    titles come from teams) and the project's template libraries."""

    def __init__(self, html: str):
        self.template = Template(html, engine=Engine.get_default())

    def render(self, context: dict) -> str:
        return self.template.render(Context(context, autoescape=True))
