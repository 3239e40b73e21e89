"""Where the cluster lives: its folder (var/cluster/ by default) and its loopback ports.

Every port is HUB_CLUSTER_PORT_BASE (17400 by default) plus a fixed offset, so one range of 60 ports holds the
whole cluster and never meets the shared PostgreSQL (5432), Redis (6379) or the lead's web server (8000).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engagement_hub.env import env_int, env_str

ROOT = Path(__file__).resolve().parent.parent
SENTINEL_MASTER = "hub-broker"  # the name the Sentinels know the broker's master by
DATABASE = "engagement_hub"
JOBS_DATABASE = "engagement_hub_jobs"  # PgBouncer's session-mode name for the same database (the workers')
ROLE = "engagement_hub"
BUCKET = "hub-files"
WEB_NODES = ("web-1", "web-2")
WORKER_NODES = ("node-1", "node-2")
SENTINELS = ("sentinel-1", "sentinel-2", "sentinel-3")


@dataclass(frozen=True)
class Layout:
    folder: Path
    base: int

    @classmethod
    def from_environment(cls) -> Layout:
        base = env_int("HUB_CLUSTER_PORT_BASE", 17400)
        if not 1024 < base < 65000:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"HUB_CLUSTER_PORT_BASE must be between 1025 and 64999, not {base}.")
        return cls(folder=Path(env_str("HUB_CLUSTER_DIR", str(ROOT / "var" / "cluster"))).resolve(), base=base)

    # The hub's front door (HAProxy) and its statistics socket.
    @property
    def haproxy(self) -> int:
        return self.base

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.haproxy}"

    def web(self, node: str) -> int:
        return self.base + 10 + WEB_NODES.index(node)

    @property
    def pgbouncer(self) -> int:
        return self.base + 20

    @property
    def postgres_primary(self) -> int:
        return self.base + 21

    @property
    def postgres_standby(self) -> int:
        return self.base + 22

    @property
    def redis_master(self) -> int:
        return self.base + 30

    @property
    def redis_replica(self) -> int:
        return self.base + 31

    def sentinel(self, name: str) -> int:
        return self.base + 35 + SENTINELS.index(name)

    @property
    def broker_url(self) -> str:
        return ";".join(f"sentinel://127.0.0.1:{self.sentinel(name)}/0" for name in SENTINELS)

    # SeaweedFS: master, volume, filer and S3 gateway, each with its gRPC port ten above.
    @property
    def seaweedfs(self) -> dict[str, int]:
        return {"master": self.base + 40, "volume": self.base + 41, "filer": self.base + 42, "s3": self.base + 43,
                "master_grpc": self.base + 50, "volume_grpc": self.base + 51, "filer_grpc": self.base + 52, "s3_grpc": self.base + 53}

    @property
    def s3_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.seaweedfs['s3']}"

    # Folders.
    @property
    def run(self) -> Path:
        return self.folder / "run"

    @property
    def log(self) -> Path:
        return self.folder / "log"

    @property
    def etc(self) -> Path:
        return self.folder / "etc"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def secrets_file(self) -> Path:
        return self.folder / "secrets.json"
