"""Serving private files (entry photos and PDFs) after the caller has checked permission."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def private_file_response(fieldfile, *, content_type: str, filename: str | None = None):
    """Send a stored private file. Behind nginx (PRIVATE_MEDIA_ACCEL_PREFIX set) only a header
    goes out and nginx sends the bytes from an ``internal`` location.

    In object storage (MEDIA_S3_BUCKET) the bytes are streamed through this process, never
    handed out as a bucket URL: the reader sees only our own address, and our headers
    (no-store, nosniff, a neutral file name) stay in force."""
    storage = fieldfile.storage
    prefix = settings.PRIVATE_MEDIA_ACCEL_PREFIX
    if hasattr(storage, "open_stream"):
        body, size = storage.open_stream(fieldfile.name)
        response = FileResponse(body, content_type=content_type)
        response["Content-Length"] = str(size)
    elif prefix and isinstance(storage, FileSystemStorage):
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
