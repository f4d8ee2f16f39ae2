import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileStorage(FileSystemStorage):
    """Local storage for entry files: no URL of its own; the folder follows
    settings.PRIVATE_MEDIA_ROOT (read when used, so tests and deployments can move it).
    With MEDIA_S3_BUCKET set, ``competition.storage_s3.PrivateS3Storage`` takes its place."""

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


private_storage = PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        private_storage._wrapped = empty
