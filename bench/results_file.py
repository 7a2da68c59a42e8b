"""What every benchmark writes with its numbers: the machine it ran on, and the JSON file."""

import json
import os
import platform
from pathlib import Path


def host_facts(load_before: float) -> dict:
    """CPUs, Python, platform and the 1-minute load before and now (other work skews ratios)."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(os.getloadavg()[0], 2),
    }


def save_report(report: dict, out: Path) -> None:
    """Write ``report`` as JSON to ``out`` and say where, with the run's wall time."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}; whole run {report['total_wall_s']:.0f} s")
