"""The open-data releases' local folder, which follows settings.OPEN_DATA_DIR (as the media folder
follows MEDIA_ROOT), so a deployment or a test that moves it moves the storage too."""
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class OpenDataFileSystemStorage(FileSystemStorage):
    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.OPEN_DATA_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)
