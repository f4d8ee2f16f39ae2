"""Request and response helpers: the client's address, and serving private files.

The client's address is what everything keyed on a sender uses (log-in lock-out, objection
rate limit).

Behind a reverse proxy every request comes from the proxy, so REMOTE_ADDR alone would put all
readers under one address. ``settings.TRUSTED_PROXIES`` (env DJANGO_TRUSTED_PROXIES) lists the
proxies' addresses or networks. Only when REMOTE_ADDR is one of them is X-Forwarded-For read,
from the right: each proxy appends the address it received the request from, so the right-most
address that is not a trusted proxy is the client as the outermost trusted proxy saw it.
Everything to the left of it was written by the client and may be forged, so it is ignored.
A request that does not come from a trusted proxy is keyed on REMOTE_ADDR, whatever headers it
carries.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

UNKNOWN = "0.0.0.0"  # noqa: S104 (a placeholder address, not a bind)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]" or "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket: key it as the IPv4 address it is.
    return getattr(address, "ipv4_mapped", None) or address


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The address of the client that sent ``request`` (a valid IP address, as a string)."""
    remote = _parse(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return UNKNOWN
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _parse(hop)
        if address is None:
            # Not an address a proxy of ours would write: stop trusting the header here and
            # key on the proxy itself rather than on something the client may have made up.
            return str(remote)
        if not _trusted(address, networks):
            return str(address)
    # Only proxies in the chain (or no header at all): the left-most one is the best we know.
    hops = [address for address in map(_parse, forwarded.split(",")) if address is not None]
    return str(hops[0] if hops else remote)


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
