"""The picker's search endpoint: public (a team searches before it has an account), JSON,
confirmed organizations only and only their public fields."""

from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.http import client_address

from .forms import PickerQuery
from .search import search_allowed, search_stations


@require_GET
def station_search(request):
    """``?q=xjz&county=ID&town=ID`` → ``{"results": [{id, name, kind, town, county}], "more": bool}``."""
    if not search_allowed(client_address(request)):
        response = JsonResponse(
            {"results": [], "more": False, "error": _("搜索太频繁，请稍等一分钟再试。")}, status=429
        )
        response["Retry-After"] = "60"
        return response
    query = PickerQuery.from_params(request.GET)
    hits, more = search_stations(query=query.query, county_id=query.county_id, town_id=query.town_id)
    response = JsonResponse({"results": [hit.as_json() for hit in hits], "more": more})
    patch_cache_control(response, public=True, max_age=60)
    return response
