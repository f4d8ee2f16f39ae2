"""Templates organizers edit, rendered safely: Django's template language on a context of only
the kind's listed variables (no model objects, so no attribute walks into the database), with
no autoescaping (plain text) and no tags beyond the built-in ones."""

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

_ENGINE = Engine(autoescape=False, debug=False, libraries={}, loaders=[])


class TemplateError(ValueError):
    """A template organizers wrote that does not render; the message is for them."""


def sandboxed(variables: dict[str, str], context: dict) -> dict:
    """Only the listed variables, as plain values (text, numbers, booleans)."""
    clean = {}
    for name in variables:
        value = context.get(name, "")
        clean[name] = value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
    return clean


def check(source: str) -> None:
    try:
        _ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateError(_("模板有语法错误：%(error)s") % {"error": error}) from error


def render(source: str, variables: dict[str, str], context: dict) -> str:
    try:
        template = _ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateError(_("模板有语法错误：%(error)s") % {"error": error}) from error
    return template.render(Context(sandboxed(variables, context), autoescape=False)).strip()
