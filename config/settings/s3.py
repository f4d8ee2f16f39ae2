"""STORAGES for S3-compatible object storage, built from the MEDIA_S3_* variables.

One bucket holds two trees: ``public/`` (Wagtail images and documents, their renditions) and
``private/`` (entry photos, PDFs and exports), or the private tree goes to a bucket of its own
(MEDIA_S3_PRIVATE_BUCKET). Private objects are written with a private ACL and are read only
through our permission-checked views (see ``common.http``); their storage class refuses
to give out a plain URL. README.md, "Object storage (S3)", lists the variables.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import env_int, env_str


def s3_storages() -> dict | None:
    """The "default" and "private" entries of STORAGES, or None without MEDIA_S3_BUCKET."""
    bucket = env_str("MEDIA_S3_BUCKET").strip()
    if not bucket:
        return None
    connection = {
        "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL").strip() or None,
        "region_name": env_str("MEDIA_S3_REGION").strip() or None,
        "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID").strip() or None,
        "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY").strip() or None,
        # Signature version 4: the one every current S3-compatible server accepts.
        "signature_version": "s3v4",
        # "path" for servers without per-bucket host names (MinIO and friends); default auto.
        "addressing_style": env_str("MEDIA_S3_ADDRESSING_STYLE").strip() or None,
        # A name already taken gets a suffix instead of replacing another object.
        "file_overwrite": False,
    }
    public = {**connection, "bucket_name": bucket, "location": "public", "default_acl": None}
    public_url = env_str("MEDIA_S3_PUBLIC_URL").strip().rstrip("/")
    if public_url:
        # Objects under public/ are readable anonymously there (bucket policy or CDN): plain,
        # stable URLs that browsers and the page cache can keep.
        parts = urlsplit(public_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ImproperlyConfigured(f"MEDIA_S3_PUBLIC_URL must be an http(s) URL, not {public_url!r}")
        public.update(
            custom_domain=parts.netloc + parts.path,
            url_protocol=parts.scheme + ":",
            querystring_auth=False,
        )
    else:
        # No anonymous read anywhere: published images get signed URLs that outlive the page
        # cache (5 minutes) by far.
        public.update(
            custom_domain=None,
            querystring_auth=True,
            querystring_expire=env_int("MEDIA_S3_PUBLIC_SIGNED_SECONDS", 6 * 3600),
        )
    private = {
        **connection,
        "bucket_name": env_str("MEDIA_S3_PRIVATE_BUCKET").strip() or bucket,
        "location": "private",
        "default_acl": "private",
        "custom_domain": None,
        "querystring_auth": True,
        # Only for PrivateS3Storage.signed_url(), which no page uses: views stream the bytes.
        "querystring_expire": env_int("MEDIA_S3_SIGNED_SECONDS", 300),
    }
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": public},
        "private": {"BACKEND": "common.storage_s3.PrivateS3Storage", "OPTIONS": private},
    }


def public_media_origins(storages: dict | None) -> list[str]:
    """Origins the public pages' image URLs point at (for the CSP's img-src): the
    MEDIA_S3_PUBLIC_URL's, else the endpoint's (with the bucket as a host name too unless
    path-style addressing is set), else AWS's own host names for the bucket."""
    if not storages:
        return []
    options = storages["default"]["OPTIONS"]
    if options.get("custom_domain"):
        return [options["url_protocol"] + "//" + options["custom_domain"].split("/")[0]]
    bucket, endpoint = options["bucket_name"], options["endpoint_url"]
    if endpoint:
        parts = urlsplit(endpoint)
        origins = [f"{parts.scheme}://{parts.netloc}"]
        if options.get("addressing_style") != "path":
            origins.append(f"{parts.scheme}://{bucket}.{parts.netloc}")
        return origins
    region = options.get("region_name") or "us-east-1"
    return [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://s3.{region}.amazonaws.com"]
