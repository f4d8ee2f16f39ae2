"""Project-wide views."""

import posixpath

from django.conf import settings
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.views.static import serve

# Folders of MEDIA_ROOT that are never served from here: Wagtail's documents go out only
# through its serve view (/documents/<id>/<name>), which checks the collection's privacy.
NOT_PUBLIC = ("documents/",)


def public_media(request, path):
    """A published image or its rendition under MEDIA_ROOT/public (never the private tree,
    which is a sibling folder outside the document root, nor Wagtail's documents). Renditions'
    names change with their content, so browsers may keep them for a long time."""
    if (posixpath.normpath(path).lstrip("/") + "/").startswith(NOT_PUBLIC):  # as serve() resolves it
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    patch_cache_control(response, public=True, max_age=7 * 24 * 3600)
    return response
