"""Code probe: a program text kept exactly as written, with its size, hash and line count.

Code is not normalised (whitespace is syntax). Python that does not parse is still
catalogued, since a body-only snippet is legitimate input; the failure is logged.
"""

from __future__ import annotations

import ast
import logging
import warnings

from crosspair.ids import sha256_text
from crosspair.items import Candidate, Rejected, catalog_base
from crosspair.probe.limits import ProbeLimits

log = logging.getLogger(__name__)


def probe_code(candidate: Candidate, limits: ProbeLimits) -> dict:
    """Catalog row of a code record; ``empty_text`` when it holds only whitespace."""
    payload = candidate.payload
    code = payload.get("code")
    if not isinstance(code, str):
        raise Rejected("invalid_record", f"code must be a string, got {type(code).__name__}")
    if not code.strip():
        raise Rejected("empty_text", "the code record is empty or whitespace only")
    language = str(payload.get("language") or "")
    if language == "python":
        _check_python(code, candidate.record_key)
    row = {
        "language": language,
        "entry_point": str(payload.get("entry_point") or ""),
        "code": code,
        "n_lines": len(code.splitlines()),
    }
    return {**catalog_base(candidate, len(code.encode("utf-8")), sha256_text(code)), **row}


def _check_python(code: str, record_key: str) -> bool:
    """Whether the code parses (never runs it); a failure is logged, not rejected."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. "\d" in a plain string
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        log.info("code %s does not parse as Python: %s", record_key, exc)
        return False
    return True
