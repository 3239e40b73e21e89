"""Faults survived: the full fault run on a cluster of its own (cluster/faults.py; bench/README.md, "Faults").

    .venv/bin/python bench/faults.py            # every fault, more load (as `scripts/hub cluster faults`)
    .venv/bin/python bench/faults.py --reduced  # a web node and the Redis master, at small load (what CI runs)

Ends with one GOAL line per fault.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagement_hub.settings.local")

if __name__ == "__main__":
    from cluster.faults import run_faults

    sys.exit(run_faults(reduced="--reduced" in sys.argv[1:]))
