"""The probe step: decode one discovered item into one catalog row, or a reject with a reason.

``probe`` never raises for a bad item: a probe that finds an unusable item raises
``Rejected`` and any other exception becomes a ``corrupt`` reject naming the file, so no item
is ever lost. It is a top-level function, so it runs unchanged in process pools and on Dask.

>>> row, reject = probe(candidate)      # doctest: +SKIP
>>> reject["reason"] if reject else row["sha256"]  # doctest: +SKIP
'truncated'
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from crosspair.items import Candidate, Rejected, reject_row
from crosspair.probe.limits import ProbeLimits

log = logging.getLogger(__name__)

DEFAULT_LIMITS = ProbeLimits()

__all__ = ["DEFAULT_LIMITS", "ProbeLimits", "probe", "probe_function"]


def probe_function(modality: str) -> Callable[[Candidate, ProbeLimits], dict]:
    """The per-modality probe; decoders are imported only when their modality is probed."""
    if modality == "image":
        from crosspair.probe.image import probe_image as fn
    elif modality == "audio":
        from crosspair.probe.audio import probe_audio as fn
    elif modality == "video":
        from crosspair.probe.video import probe_video as fn
    elif modality == "mesh":
        from crosspair.probe.mesh import probe_mesh as fn
    elif modality == "sensor":
        from crosspair.probe.sensor import probe_sensor as fn
    elif modality == "text":
        from crosspair.probe.text import probe_text as fn
    elif modality == "code":
        from crosspair.probe.code import probe_code as fn
    else:
        raise Rejected("invalid_record", f"no probe for modality {modality!r}")
    return fn


def probe(
    candidate: Candidate, limits: ProbeLimits = DEFAULT_LIMITS
) -> tuple[dict | None, dict | None]:
    """``(catalog_row, None)`` for a usable item, ``(None, reject_row)`` for any other."""
    where = _where(candidate)
    try:
        _check_file(candidate)
        row = probe_function(candidate.modality)(candidate, limits)
    except Rejected as rejected:
        detail = _clip(f"{where}: {rejected.detail}", limits.max_detail_chars)
        log.info("rejected %s %s (%s)", candidate.modality, where, rejected.reason)
        return None, reject_row(candidate, "probe", rejected.reason, detail)
    except FileNotFoundError as exc:  # removed while it was being read
        detail = _clip(f"{where}: vanished while probing: {exc}", limits.max_detail_chars)
        return None, reject_row(candidate, "probe", "missing_file", detail)
    except Exception as exc:  # any decoder failure is a bad item, never a crashed build
        detail = _clip(f"{where}: {type(exc).__name__}: {exc}", limits.max_detail_chars)
        log.warning("corrupt %s %s: %s", candidate.modality, where, exc)
        return None, reject_row(candidate, "probe", "corrupt", detail)
    log.debug("probed %s %s", candidate.modality, where)
    return row, None


def _check_file(candidate: Candidate) -> None:
    """Missing and zero-byte files are rejected before any decoder sees them."""
    if candidate.abs_path is None:
        if candidate.modality not in {"text", "code"}:
            raise Rejected("invalid_record", "a media item needs a file but has no abs_path")
        return
    try:
        size = os.stat(candidate.abs_path).st_size
    except FileNotFoundError as exc:
        raise Rejected("missing_file", f"{candidate.abs_path} no longer exists") from exc
    if size == 0:
        raise Rejected("empty_file", f"{candidate.abs_path} is 0 bytes")


def _where(candidate: Candidate) -> str:
    """The file, or the manifest record, a reject's detail names."""
    if candidate.record_key:
        return f"{candidate.path}#{candidate.record_key}"
    return candidate.path


def _clip(detail: str, limit: int) -> str:
    return detail if len(detail) <= limit else detail[: limit - 3] + "..."
