"""Reference views for `make bench` (bench/public.py); routed only when BENCH_VIEWS is set.

``trivial`` is the floor: a constant response through the whole middleware stack.
``template_page`` is a static template of about the size of a rendered project page, rendered
by Django's template engine on the site's base template, with no database access.
"""

from django.http import HttpResponse
from django.template.response import TemplateResponse


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain; charset=utf-8")


def template_page(request):
    return TemplateResponse(request, "bench/template_page.html")
