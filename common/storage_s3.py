"""Entry files in S3-compatible object storage (MEDIA_S3_BUCKET; config/settings/s3.py)."""

from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PrivateS3Storage(S3Storage):
    """The object-store twin of ``PrivateFileStorage``: objects are written private, names stay
    the random ones chosen by the caller, and there is no URL to put into a page. Views stream
    the bytes after their permission check (``common.http``)."""

    def __init__(self, **settings):
        settings.setdefault("default_acl", "private")
        settings.setdefault("querystring_auth", True)
        settings.setdefault("file_overwrite", False)
        # Never a custom (public) domain, whatever AWS_S3_CUSTOM_DOMAIN says.
        settings["custom_domain"] = None
        super().__init__(**settings)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")

    def signed_url(self, name, *, expire: int | None = None, parameters: dict | None = None) -> str:
        """A GET URL valid for ``expire`` seconds (MEDIA_S3_SIGNED_SECONDS by default). No page
        uses it; it is here for tools that hand a file to someone already allowed to see it."""
        return super().url(name, parameters=parameters, expire=expire)

    def open_stream(self, name):
        """(body, size) for streaming a stored object without buffering it whole."""
        key = self._normalize_name(clean_name(name))
        try:
            obj = self.bucket.Object(key).get()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(name) from error
            raise
        return obj["Body"], obj["ContentLength"]
