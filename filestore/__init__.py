"""Where the hub keeps its files (uploads, reports, packages, agreements, open-data releases), and how
code reads and serves them without holding a whole file in memory.

Two named storages (settings.STORAGES): "default" for every FileField and the agreement PDFs, and
"open_data" for the releases. Both are local folders on one machine (FileSystemStorage); with
HUB_FILE_STORAGE=s3 both are prefixes of one S3 bucket (django-storages), so a file written by a worker
on one host is read by a web node on another. `config` builds the setting; `files` reads, serves and
deletes; `backends` holds the one local storage whose folder follows a setting other than MEDIA_ROOT.
"""
