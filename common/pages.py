"""Helpers of back-office pages: a page of a listing and numbers from a query string (audit
records as text: common/audit.py)."""

from wagtail.admin.paginator import WagtailPaginator

PER_PAGE = 50


def paginate(request, queryset, per_page: int = PER_PAGE):
    """A page of a queryset (a count and a slice) and the page numbers to link to."""
    paginator = WagtailPaginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("p"))
    return page, paginator.get_elided_page_range(page.number)


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def query_suffix(request) -> str:
    """The request's query string, to come back to the same filtered page after a POST."""
    query = request.GET.urlencode()
    return f"?{query}" if query else ""
