"""The STORAGES setting from the environment (read by settings/base.py; see the README's "Files" section).

HUB_FILE_STORAGE=local (the default): files under HUB_MEDIA_ROOT and HUB_OPEN_DATA_DIR on this machine.
HUB_FILE_STORAGE=s3: every file in the bucket HUB_S3_BUCKET (at HUB_S3_ENDPOINT_URL for a store that is
not AWS, such as SeaweedFS, MinIO or Ceph), uploads under "media/", releases under "open-data/".
"""
from django.core.exceptions import ImproperlyConfigured

from engagement_hub.env import env_int, env_secret, env_str

# Read from S3 into a temporary file that moves to disk past this size, so a large file is never held in memory.
SPOOL_BYTES = 1024 * 1024
PART_BYTES = 5 * 1024 * 1024  # the smallest part S3 takes


def s3_options(*, location: str, file_overwrite: bool) -> dict:
    bucket = env_str("HUB_S3_BUCKET", "")
    if not bucket:
        raise ImproperlyConfigured("HUB_FILE_STORAGE is s3: set HUB_S3_BUCKET to the bucket that holds the hub's files.")
    return {
        "bucket_name": bucket,
        "endpoint_url": env_str("HUB_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("HUB_S3_REGION", "") or None,
        "access_key": env_secret("HUB_S3_ACCESS_KEY_ID", "") or None,
        "secret_key": env_secret("HUB_S3_SECRET_ACCESS_KEY", "") or None,
        "addressing_style": env_str("HUB_S3_ADDRESSING_STYLE", "path"),  # path: works on every S3-compatible store
        "signature_version": "s3v4",
        "location": location,
        "file_overwrite": file_overwrite,
        "default_acl": None,  # private: every read goes through the hub or a signed URL it issued
        "querystring_auth": True,
        "querystring_expire": env_int("HUB_S3_URL_SECONDS", 60),
        "max_memory_size": SPOOL_BYTES,
        "transfer_config": _transfer_config(),
    }


def _transfer_config():
    """An upload goes in parts of PART_BYTES, one at a time, so one part is all it holds in memory whatever the
    file's size (boto3's default, ten parts in parallel threads, held a 40 MB file whole: tests/filestore/test_streaming.py)."""
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, use_threads=False)


def file_storages() -> dict:
    """The "default" and "open_data" entries of STORAGES."""
    kind = env_str("HUB_FILE_STORAGE", "local").strip().lower()
    if kind == "local":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "open_data": {"BACKEND": "filestore.backends.OpenDataFileSystemStorage"},
        }
    if kind == "s3":
        backend = "storages.backends.s3.S3Storage"
        return {
            "default": {"BACKEND": backend, "OPTIONS": s3_options(location="media", file_overwrite=False)},
            # A release's files are rewritten in place when a build that died is built again.
            "open_data": {"BACKEND": backend, "OPTIONS": s3_options(location="open-data", file_overwrite=True)},
        }
    raise ImproperlyConfigured(f"HUB_FILE_STORAGE must be local or s3, not {kind!r}.")

