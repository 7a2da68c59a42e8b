"""Which saved pages a source has, and whether each may be read at all.

A page must have a UTF-8 file name (ids and tables hold text), lie inside the source root
and be no larger than ``html.max_page_mb``; otherwise it is a reject that says how to fix it.
"""

from __future__ import annotations

import os
from pathlib import Path

from crosspair.storable import is_storable
from crosspair.weak.config import HtmlPages
from crosspair.weak.urls import Located, inside_root

MB = 1_000_000


def page_paths(root: Path, patterns: list[str]) -> list[str]:
    """The pages the globs match, relative to the root, sorted; folders left out.

    A name that is not UTF-8 is listed as the OS gives it (with surrogate escapes), so that
    ``check_page`` turns it into a reject rather than a page nobody hears of.
    """
    found = {
        path.relative_to(root).as_posix()
        for pattern in patterns
        for path in root.glob(pattern)
        if not path.is_dir()
    }
    return sorted(found)


def check_page(page_rel: str, root: Path, html: HtmlPages, source: str) -> Located:
    """The page's file, or why it cannot be harvested (``reason`` and ``detail``)."""
    if not is_storable(page_rel):
        return Located(
            reason="invalid_record",
            detail=f"the file name {shown_name(page_rel)!r} is not valid UTF-8; rename the file",
        )
    located = inside_root(page_rel, root)
    if not located.found:
        return located
    try:
        size = os.path.getsize(located.abs_path)
    except OSError as exc:
        return Located(rel=page_rel, reason="missing_file", detail=f"cannot be read: {exc}")
    if size > html.max_page_mb * MB:
        return Located(
            rel=page_rel,
            reason="invalid_record",
            detail=(
                f"{size / MB:.1f} MB, over the limit html.max_page_mb = {html.max_page_mb:g} "
                f"of source '{source}'; raise the limit or split the page"
            ),
        )
    return located


def shown_name(name: str) -> str:
    """A file name as messages show it: bytes that are not UTF-8 as ``\\xff`` escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
