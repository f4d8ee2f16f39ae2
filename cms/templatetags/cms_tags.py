"""Tags for the public pages: navigation, breadcrumbs, share tags, footer, language link."""

from urllib.parse import urlencode, urljoin

from django import template
from django.conf import settings
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
        items = public_cache.remembered(
            f"nav:{site.pk}:{get_language()}",
            lambda: [
                {"title": page.title, "url": page.url, "path": page.path}
                for page in site.root_page.get_children().live().in_menu().order_by("path")
            ],
        )
    current = getattr(context.get("page"), "path", "")
    for item in items:
        item["active"] = bool(current) and current.startswith(item["path"])
    return {"items": items, "request": request}


@register.inclusion_tag("cms/tags/breadcrumbs.html")
def breadcrumbs(page):
    """The way from the home page to this one (no crumbs on the home page itself)."""
    return {"ancestors": _ancestors_below_home(page), "page": page}


def _ancestors_below_home(page) -> list:
    """The page's ancestors under the home page (depth 2), nearest last. Routing leaves each
    page's parent cached on it (Wagtail's ``route``): walking that chain costs no query; a page
    that was not routed to (a preview, a test) asks the database once."""
    chain = []
    node = page
    while node.depth > 3:
        parent = getattr(node, "_cached_parent_obj", None)
        if parent is None:
            return list(page.get_ancestors().filter(depth__gt=2))
        chain.insert(0, parent)
        node = parent
    return chain


@register.inclusion_tag("cms/tags/meta.html", takes_context=True)
def public_meta(context):
    """Description, canonical address and Open Graph tags (shared links in WeChat)."""
    page = context.get("page")
    request = context.get("request")
    image = page.og_image() if page is not None and hasattr(page, "og_image") else None
    rendition = None
    if image is not None and request is not None:
        # The page's selector has prefetched the image's renditions: no query here.
        rendition = image.get_rendition("fill-1200x630")
    english = (get_language() or "").startswith("en")
    description = ""
    if page is not None:
        description = next(
            (
                text
                for text in (getattr(page, name, "") for name in DESCRIPTION_FIELDS)
                if isinstance(text, str) and text.strip()
            ),
            "",
        )
    return {
        "page": page,
        "request": request,
        "description": description,
        # The public address (SITE_URL), as for the canonical one: a crawler's Host may be another.
        "image_url": urljoin(settings.SITE_URL + "/", rendition.url) if rendition else "",
        "image_width": rendition.width if rendition else None,
        "image_height": rendition.height if rendition else None,
        # A share image has no alt text of its own; the cover has.
        "image_alt": "" if getattr(page, "share_image_id", None) else getattr(page, "cover_alt", ""),
        "og_type": "article" if page is not None and hasattr(page, "date") else "website",
        "og_locale": "en_US" if english else "zh_CN",
        "site_name": settings.PLATFORM_NAME_EN if english else settings.PLATFORM_NAME,
    }


# Where a page's description comes from, first found first: the editor's search description,
# then the page's own lead text.
DESCRIPTION_FIELDS = ("search_description", "intro", "summary", "hero_text")

# Bootstrap icons for the default category codes (other codes get a star).
CATEGORY_ICONS = {
    "theory": "bi-megaphone",
    "culture": "bi-music-note-beamed",
    "education": "bi-book",
    "health": "bi-heart-pulse",
    "science": "bi-lightbulb",
    "legal": "bi-shield-check",
    "environment": "bi-tree",
    "relief": "bi-people",
}


@register.filter
def big_number(value) -> str:
    """A large count as readers write it: 20275 → "2.03万", 1306771 → "130.7万" in Chinese,
    "1,306,771" in English."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    if (get_language() or "").startswith("en"):
        return f"{number:,}"
    if abs(number) >= 100_000_000:
        return f"{number / 100_000_000:.1f}".rstrip("0").rstrip(".") + "亿"
    if abs(number) >= 10_000:
        # Two decimals below a million (2.03万), one above (130.7万); no trailing zeros.
        digits = 1 if abs(number) >= 1_000_000 else 2
        return f"{number / 10_000:.{digits}f}".rstrip("0").rstrip(".") + "万"
    return str(number)


@register.filter
def category_icon(code) -> str:
    """The icon class for a category code: ``{{ category.code|category_icon }}``."""
    return CATEGORY_ICONS.get(code or "", "bi-star")


@register.inclusion_tag("cms/tags/footer.html", takes_context=True)
def public_footer(context):
    from ..models import SiteSettings

    request = context.get("request")
    settings_ = None
    site = _site(request)
    if site is not None:
        # Saving the settings purges the public cache (cms.cache_receivers).
        settings_ = public_cache.remembered(f"site-settings:{site.pk}", lambda: SiteSettings.for_site(site))
    return {
        "settings": settings_,
        "request": request,
        "platform_name": context.get("platform_name", ""),
    }


@register.inclusion_tag("cms/tags/language_link.html", takes_context=True)
def language_link(context):
    """A plain link, not a form: a cached page can carry no CSRF token."""
    request = context.get("request")
    other = "zh-hans" if (get_language() or "").startswith("en") else "en"
    query = urlencode({"language": other, "next": request.get_full_path() if request else "/"})
    return {"other": other, "query": query}


CARD_TEMPLATES = {"project": "cms/includes/project_card.html", "story": "cms/includes/story_card.html"}


@register.simple_tag(takes_context=True)
def cards(context, pages, kind, heading="h3"):
    """Project or story cards, each rendered once per site generation and then read back
    from the cache, all of a page's cards in one round trip. A card's picture tag alone asks
    Wagtail for six renditions, which makes rendering cards the bulk of a listing's time."""
    from django.template.loader import get_template
    from django.utils.safestring import mark_safe

    pages = list(pages)
    language = get_language()
    prefix = public_cache.key(f"card:{kind}:{heading}:{language}")  # reads the generation once
    keys = {page.pk: f"{prefix}:{page.pk}" for page in pages}
    found = cache.get_many(list(keys.values()))
    stale = [page for page in pages if keys[page.pk] not in found]
    if stale:
        # The covers (and their renditions) of the cards to render, in two queries at most;
        # pages whose cards are cached cost nothing.
        from ..selectors import load_images, prefetch_renditions

        prefetch_renditions(load_images([(page, "cover_image") for page in stale]))
        template = get_template(CARD_TEMPLATES[kind])
        for page in stale:
            found[keys[page.pk]] = template.render({kind: page, "heading": heading}, context.get("request"))
    missing = {keys[page.pk]: found[keys[page.pk]] for page in stale}
    parts = [found[keys[page.pk]] for page in pages]
    if missing:
        cache.set_many(missing, public_cache.PAGE_SECONDS)
    return mark_safe("".join(parts))  # noqa: S308 (rendered by our own templates, autoescaped)
