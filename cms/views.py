"""Public views outside the page tree: the language link and search."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_safe

from . import search_service


@require_GET
def switch_language(request):
    """Set the reader's language from a plain link (public pages are cached, so they carry no
    CSRF token for Django's POST-only ``set_language``) and go back where they were. Changing
    someone's language from another site is harmless; the redirect stays on this site."""
    language = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@require_safe
def search(request):
    """Search the live projects and stories (``cms.search_service`` does the work). Whatever
    the query holds, the reader gets a page: no input reaches the databases' query syntax."""
    outcome = search_service.run(request.GET)
    return render(request, "cms/search.html", {"search": outcome, "query": outcome.query})
