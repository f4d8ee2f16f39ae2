"""Highlighting of the searched words on the search page."""

from django import template

from .. import search

register = template.Library()


@register.filter
def highlight(text, terms):
    """*text* HTML-escaped with the search terms wrapped in ``<mark>`` (see cms.search)."""
    return search.highlight(text, terms)
