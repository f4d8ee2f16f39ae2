"""Project-wide views."""

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.views.static import serve


def public_media(request, path):
    """A published image or document rendition under MEDIA_ROOT/public (never the private
    tree, which is a sibling folder outside the document root). Renditions' names change
    with their content, so browsers may keep them for a long time."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    patch_cache_control(response, public=True, max_age=7 * 24 * 3600)
    return response
