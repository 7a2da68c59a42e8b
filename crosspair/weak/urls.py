"""Where an ``<img src>`` of a saved page points: a file inside the source root, or a reason.

Relative URLs resolve against the page's own folder, or against its ``<base href>`` (itself
resolved against the page) as browsers do; site-root URLs ("/img/a.jpg") and absolute URLs
under the source's ``site_url`` resolve against the source root (the saved site);
``file://`` URLs must point inside the root. Everything else is a reason to reject:
``data_uri``, ``remote_url`` (another host, or outside ``site_url``), ``path_outside_root``,
``symlink_outside_root``, ``missing_file`` or ``invalid_record`` (no src, odd scheme).

>>> locate_image("../img/a.jpg", "pages/index.html", root, None).rel  # doctest: +SKIP
'img/a.jpg'
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

_SHOWN_CHARS = 80
_HTML_SPACE = " \t\n\r\f"


@dataclass(frozen=True)
class Located:
    """A found image (``rel`` and ``abs_path`` set) or why not (``reason`` and ``detail``)."""

    rel: str | None = None
    abs_path: str | None = None
    reason: str = ""
    detail: str = ""

    @property
    def found(self) -> bool:
        return self.abs_path is not None


def shown(src: str) -> str:
    """A src as it appears in messages: data URIs and other long values cut short."""
    return src if len(src) <= _SHOWN_CHARS else src[: _SHOWN_CHARS - 1] + "…"


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a ``srcset``, in order, split as the HTML standard splits them.

    A URL may hold commas (a data: URI); empty candidates are skipped, as browsers do:
    ``srcset=" , b.jpg 2x"`` names ``b.jpg``. Descriptors ("2x", "640w") are not kept.

    >>> srcset_urls("a.jpg 1x, b.jpg 2x")
    ['a.jpg', 'b.jpg']
    """
    urls, position, end = [], 0, len(srcset)
    while True:
        while position < end and (srcset[position] in _HTML_SPACE or srcset[position] == ","):
            position += 1
        if position >= end:
            return urls
        start = position
        while position < end and srcset[position] not in _HTML_SPACE:
            position += 1
        url = srcset[start:position]
        if url.endswith(","):
            url = url.rstrip(",")  # a URL ending in commas has no descriptors
        else:
            position = _after_descriptors(srcset, position)
        if url:
            urls.append(url)


def _after_descriptors(srcset: str, position: int) -> int:
    """Where the next candidate starts: past the comma that ends these descriptors."""
    depth = 0
    while position < len(srcset):
        char = srcset[position]
        position += 1
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            break
    return position


def locate_image(
    src: str | None, page_rel: str, root: Path, site_url: str | None, base: str | None = None
) -> Located:
    """Resolve the ``src`` of an image on page ``page_rel`` (relative to ``root``).

    ``base`` is the href of the page's first ``<base href>``: a src without a scheme resolves
    against it, and an absolute http(s) base makes such a src as remote as any other URL.
    Backslashes count as slashes in both, as browsers read them in web and file URLs.
    """
    src = (src or "").strip()
    if src[:5].lower() != "data:":
        src = src.replace("\\", "/")
        base = base.replace("\\", "/") if base else base
    if not src:
        return Located(reason="invalid_record", detail="the <img> has no src")
    if src[:5].lower() == "data:":
        return Located(
            reason="data_uri",
            detail="the image is embedded as a data: URI; save it as a file to harvest it",
        )
    parts = urlsplit(src)
    scheme = parts.scheme.lower()

    if scheme in ("http", "https") or (not scheme and src.startswith("//")):
        return _site_url_path(parts.netloc, unquote(parts.path), root, site_url)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return Located(reason="remote_url", detail=f"file URL on host {parts.netloc!r}")
        return inside_root(unquote(parts.path), root, absolute=True)
    if scheme:
        return Located(
            reason="invalid_record",
            detail=f"URL scheme {scheme!r} does not name an image file",
        )
    base = (base or "").strip(_HTML_SPACE)
    if base:
        return _against_base(src, page_rel, root, site_url, base)

    path = unquote(parts.path)
    if path.startswith("/"):
        return inside_root(path.lstrip("/"), root)
    page_dir = posixpath.dirname(page_rel)
    return inside_root(posixpath.join(page_dir, path), root)


def _against_base(src: str, page_rel: str, root: Path, site_url: str | None, base: str) -> Located:
    """A src without a scheme, resolved against the page's ``<base href>``.

    An absolute base (http, https, ``//host``, file) is joined as URLs are; a relative one
    names a folder against the page's own, without clamping at the root, so a base that
    leaves the root is ``path_outside_root`` like any escaping src.
    """
    said = f" (src resolved against the page's <base href={shown(base)!r}>)"
    parts = urlsplit(base)
    scheme = parts.scheme.lower()
    if scheme or base.startswith("//"):
        if scheme not in ("", "http", "https", "file"):
            return Located(
                reason="invalid_record",
                detail=f"the page's <base href={shown(base)!r}> has URL scheme {scheme!r}, "
                "against which relative URLs do not resolve",
            )
        absolute = urljoin(base if scheme else "https:" + base, src)
        located = locate_image(absolute, page_rel, root, site_url)
    else:
        folder = unquote(parts.path)
        if not folder.startswith("/"):
            folder = posixpath.join(posixpath.dirname(page_rel), folder)
        path = unquote(urlsplit(src).path)
        if not path.startswith("/"):
            path = folder[: folder.rfind("/") + 1] + path  # a base names its folder up to "/"
        located = inside_root(path.lstrip("/"), root)  # "/..." is under the root
    return located if located.found else replace(located, detail=located.detail + said)


def _site_url_path(netloc: str, path: str, root: Path, site_url: str | None) -> Located:
    """An absolute URL: local when it lies under ``site_url`` (http and https alike)."""
    if site_url is None:
        return Located(
            reason="remote_url",
            detail=f"image on host {netloc!r}; set 'html.site_url' if the pages were saved there",
        )
    site = urlsplit(site_url)
    if netloc.lower() != site.netloc.lower() or not path.startswith(site.path):
        return Located(reason="remote_url", detail=f"image outside the site_url {site_url}")
    return inside_root(path[len(site.path) :], root)


def inside_root(path: str, root: Path, absolute: bool = False) -> Located:
    """Check a decoded path: inside the root, no escaping symlink, an existing file."""
    if "\x00" in path:
        return Located(reason="invalid_record", detail="the path contains a NUL byte")
    joined = os.path.normpath(path if absolute else os.path.join(root, path))
    if not joined.startswith(str(root) + os.sep):
        return Located(
            reason="path_outside_root",
            detail=f"resolves to {joined}, outside the source root {root}",
        )
    rel = Path(joined).relative_to(root).as_posix()
    real = os.path.realpath(joined)
    if not real.startswith(str(root) + os.sep):
        return Located(
            rel=rel,
            reason="symlink_outside_root",
            detail=f"{rel} is a symlink to {real}, outside the source root",
        )
    if os.path.isdir(real):
        return Located(
            rel=rel,
            reason="missing_file",
            detail=f"{joined} is a folder, not an image file; the src must name a file",
        )
    if not os.path.isfile(real):
        return Located(rel=rel, reason="missing_file", detail=f"{joined} does not exist")
    return Located(rel=rel, abs_path=joined)
