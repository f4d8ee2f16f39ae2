"""Private storage: entry files and exports under random names, never under a public URL (on
local disk, or ``common.storage_s3.PrivateS3Storage`` with MEDIA_S3_BUCKET)."""

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileStorage(FileSystemStorage):
    """Local storage for entry files: no URL of its own; the folder follows
    settings.PRIVATE_MEDIA_ROOT (read when used, so tests and deployments can move it).
    With MEDIA_S3_BUCKET set, ``common.storage_s3.PrivateS3Storage`` takes its place."""

    def __init__(self, location=None, **kwargs):
        kwargs["base_url"] = None
        super().__init__(location=location, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")


class PrivateStorage(LazyObject):
    """STORAGES["private"], looked up when first used (like Django's ``default_storage``), so
    the FileFields holding it follow a changed STORAGES setting."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = PrivateStorage()


def private_storage():
    """Private files (entry photos and PDFs, exports): never under a public URL; served only by
    views that check who is asking (``common.http.private_file_response``). A callable, so a
    FileField holding it follows a changed STORAGES setting."""
    return _private


def random_file_name(prefix: str, extension: str) -> str:
    """Names on disk are random; an original file name is never used."""
    return f"{prefix}/{secrets.token_hex(2)}/{secrets.token_hex(16)}.{extension}"


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty
