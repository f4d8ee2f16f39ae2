"""Serving private files (entry photos and PDFs) after the caller has checked permission."""

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def private_file_response(fieldfile, *, content_type: str, filename: str | None = None):
    """Send a stored private file. Behind nginx (PRIVATE_MEDIA_ACCEL_PREFIX set) only a header
    goes out and nginx sends the bytes from an ``internal`` location."""
    prefix = settings.PRIVATE_MEDIA_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + fieldfile.name
    else:
        response = FileResponse(fieldfile.open("rb"), content_type=content_type)
    disposition = "inline"
    if filename:
        disposition = content_disposition_header(False, filename)
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
