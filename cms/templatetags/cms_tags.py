"""Tags for the public pages: navigation, breadcrumbs, share tags, footer, language link."""

from urllib.parse import urlencode

from django import template
from django.core.cache import cache
from django.utils.translation import get_language
from wagtail.models import Site

from .. import cache as public_cache

register = template.Library()


def _site(request):
    return Site.find_for_request(request) if request is not None else None


@register.inclusion_tag("cms/tags/nav.html", takes_context=True)
def public_nav(context):
    """The home page's children that are shown in menus (cached with the site's generation)."""
    request = context.get("request")
    site = _site(request)
    items = []
    if site is not None:
        key = public_cache.key(f"nav:{site.pk}:{get_language()}")
        items = cache.get(key)
        if items is None:
            items = [
                {"title": page.title, "url": page.url, "path": page.path}
                for page in site.root_page.get_children().live().in_menu().order_by("path")
            ]
            cache.set(key, items, public_cache.PAGE_SECONDS)
    current = getattr(context.get("page"), "path", "")
    for item in items:
        item["active"] = bool(current) and current.startswith(item["path"])
    return {"items": items, "request": request}


@register.inclusion_tag("cms/tags/breadcrumbs.html")
def breadcrumbs(page):
    """The way from the home page to this one (no crumbs on the home page itself)."""
    ancestors = list(page.get_ancestors().filter(depth__gt=1).specific(defer=True)) if page.depth > 2 else []
    return {"ancestors": ancestors, "page": page}


@register.inclusion_tag("cms/tags/meta.html", takes_context=True)
def public_meta(context):
    """Description, canonical address and Open Graph tags (shared links in WeChat)."""
    page = context.get("page")
    request = context.get("request")
    image = page.og_image() if page is not None and hasattr(page, "og_image") else None
    return {
        "page": page,
        "request": request,
        "description": getattr(page, "search_description", "") or getattr(page, "intro", "")
        or getattr(page, "summary", ""),
        "image": image,
        "og_type": "article" if page is not None and hasattr(page, "date") else "website",
    }


@register.inclusion_tag("cms/tags/footer.html", takes_context=True)
def public_footer(context):
    from ..models import SiteSettings

    request = context.get("request")
    return {"settings": SiteSettings.for_request(request) if request is not None else None, "request": request}


@register.inclusion_tag("cms/tags/language_link.html", takes_context=True)
def language_link(context):
    """A plain link, not a form: a cached page can carry no CSRF token."""
    request = context.get("request")
    other = "zh-hans" if (get_language() or "").startswith("en") else "en"
    query = urlencode({"language": other, "next": request.get_full_path() if request else "/"})
    return {"other": other, "query": query}
