"""Public pages served from the cache to anonymous readers.

``PublicPageCacheMiddleware`` sits right after WhiteNoise, so a hit skips everything else
(sessions, CSRF, the URL resolver, Wagtail, the database). What it stores is the response as
the inner middleware left it: CSP, X-Frame-Options, Content-Language and Vary included.
SecurityMiddleware, outside it, adds its headers to hits and misses alike.

A response is stored only when everything agrees:

* the request: GET (HEAD may read but never writes), no session cookie, no messages cookie,
  no Authorization header, not under a private prefix (admin, team, judging, accounts, the
  notice page with its form, documents, media), a query string of at most 200 characters,
  not a Wagtail preview;
* the view opted in (``cms.cache.mark_cacheable``: the public Wagtail pages through
  ``PublicPage.serve``, the search page, the sitemap and feeds through
  ``cms.cache.public_cacheable``);
* the response: status 200, not streamed, no cookie set, no CSRF token used, no
  ``Cache-Control`` private, no-store or no-cache, varying on nothing but Cookie,
  Accept-Language and Accept-Encoding.

The key is scheme + host + language (as LocaleMiddleware resolves it: language cookie, then
Accept-Language) + path and query string. The site's generation (``cms.cache``) is stored in
the entry, not the key, so a hit is one cache round trip (get_many of the generation and the
page); an entry of an older generation is a miss and is overwritten. The generation is read
before rendering: a page rendered while a purge happens is stored under the old generation.

Stored responses get ``Cache-Control: public, max-age=60``, an ETag (hash of the content) and
``Vary: Cookie, Accept-Language``; If-None-Match is answered with 304 on hits and misses.
``X-Cache`` says hit, miss or bypass (an opted-in page that was not stored or served from
the cache, e.g. to a signed-in reader, who also gets ``Cache-Control: private``).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import (
    get_conditional_response,
    has_vary_header,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.translation import get_language_from_request

from . import cache as public_cache

# Never read from or written to the cache, whatever the view says.
PRIVATE_PREFIXES = (
    "/admin/",
    "/my/",
    "/judging/",
    "/accounts/",
    "/notice/",
    "/documents/",
    "/i18n/",
    "/language/",
    "/healthz",
)
MAX_QUERY_LENGTH = 200
MAX_CONTENT_BYTES = 2 * 1024 * 1024
# The messages framework's cookie (django.contrib.messages.storage.cookie.CookieStorage): a
# reader with a message waiting must get a page rendered for them.
MESSAGES_COOKIE = "messages"
ALLOWED_VARY = {"cookie", "accept-language", "accept-encoding"}
UNCACHEABLE_CONTROL = ("private", "no-store", "no-cache")


def _private_prefixes() -> tuple[str, ...]:
    prefixes = PRIVATE_PREFIXES + tuple(getattr(settings, "ADMIN_URL_PREFIXES", ()))
    for url in (settings.MEDIA_URL, settings.STATIC_URL):
        if url and url.startswith("/") and url != "/":
            prefixes += (url,)
    return prefixes


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.private_prefixes = _private_prefixes()

    def __call__(self, request):
        key = self.cache_key(request)
        if key is None:
            response = self.get_response(request)
            if public_cache.is_cacheable(response):
                # A page for this reader only (signed in, or with a session or message): no
                # shared cache may keep it.
                patch_cache_control(response, private=True)
                patch_vary_headers(response, ("Cookie",))
                response["X-Cache"] = "bypass"
            return response

        values = cache.get_many([public_cache.GENERATION_KEY, key])
        generation = values.get(public_cache.GENERATION_KEY)
        if generation is None:
            generation = public_cache.generation()
        stored = values.get(key)
        if stored is not None and stored[0] == generation:
            return self.conditional(request, self.rebuild(stored), "hit")

        response = self.get_response(request)
        if not public_cache.is_cacheable(response):
            return response
        # A page holding a CSRF token is the reader's own (Django re-sends the cookie whenever
        # the token is used, so the cookie check catches it too).
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or not self.storable(response):
            response["X-Cache"] = "bypass"
            return response
        patch_cache_control(response, public=True, max_age=public_cache.BROWSER_SECONDS)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        set_response_etag(response)
        if request.method == "GET":
            entry = (generation, response.status_code, response.content, list(response.items()))
            cache.set(key, entry, public_cache.PAGE_SECONDS)
        return self.conditional(request, response, "miss")

    def cache_key(self, request) -> str | None:
        """The page's key, or None if this request may neither read nor fill the cache."""
        if request.method not in ("GET", "HEAD"):
            return None
        if getattr(request, "is_dummy", False) or getattr(request, "is_preview", False):
            return None  # a Wagtail preview runs the middleware on a made-up request
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
            return None
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        path = request.path
        if path.startswith(self.private_prefixes):
            return None
        query = request.META.get("QUERY_STRING", "")
        if len(query) > MAX_QUERY_LENGTH:
            return None
        language = get_language_from_request(request)
        identity = "\n".join([request.scheme, request.get_host(), language, path, query])
        digest = hashlib.blake2b(identity.encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()
        return f"cms:page:{digest}"

    @staticmethod
    def storable(response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if len(response.content) > MAX_CONTENT_BYTES:
            return False
        control = response.get("Cache-Control", "").lower()
        if any(word in control for word in UNCACHEABLE_CONTROL):
            return False
        if response.has_header("Vary"):
            if has_vary_header(response, "*"):
                return False
            vary = {part.strip().lower() for part in response["Vary"].split(",") if part.strip()}
            if not vary <= ALLOWED_VARY:
                return False
        return True

    @staticmethod
    def rebuild(stored) -> HttpResponse:
        _generation, status, content, headers = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response

    @staticmethod
    def conditional(request, response, state: str):
        response["X-Cache"] = state
        conditional = get_conditional_response(request, etag=response.get("ETag"), response=response)
        if conditional is not response:
            conditional["X-Cache"] = state
        return conditional
