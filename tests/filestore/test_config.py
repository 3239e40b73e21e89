"""HUB_FILE_STORAGE chooses where files are kept; a wrong or missing setting is named, never guessed."""
import pytest
from django.core.exceptions import ImproperlyConfigured

from filestore.config import file_storages


def test_files_stay_on_this_machine_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("HUB_FILE_STORAGE", raising=False)
    assert file_storages() == {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                               "open_data": {"BACKEND": "filestore.backends.OpenDataFileSystemStorage"}}


def test_s3_without_a_bucket_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("HUB_FILE_STORAGE", "s3")
    monkeypatch.delenv("HUB_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="HUB_S3_BUCKET"):
        file_storages()


def test_an_unknown_storage_is_refused_naming_it(monkeypatch):
    monkeypatch.setenv("HUB_FILE_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="local or s3, not 'ftp'"):
        file_storages()


def test_s3_objects_are_private_signed_short_lived_and_read_through_a_spool(monkeypatch):
    monkeypatch.setenv("HUB_FILE_STORAGE", "s3")
    monkeypatch.setenv("HUB_S3_BUCKET", "hub")
    options = file_storages()["default"]["OPTIONS"]
    assert (options["default_acl"], options["querystring_auth"], options["querystring_expire"]) == (None, True, 60)
    assert options["max_memory_size"] == 1024 * 1024 and options["file_overwrite"] is False


def test_the_open_data_folder_follows_its_setting(settings, tmp_path):
    from django.core.files.storage import storages

    settings.OPEN_DATA_DIR = tmp_path / "elsewhere"
    assert storages["open_data"].path("1/datapackage.json") == str(tmp_path / "elsewhere" / "1" / "datapackage.json")
