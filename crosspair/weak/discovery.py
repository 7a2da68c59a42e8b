"""Discovery of a source's saved pages: image candidates, text candidates and rejects.

Each located ``<img>`` gives one image item (shared by every page and element that shows the
same file, and with the source's ``files`` globs) and up to three text items: its alt text,
its figcaption and its paragraph. A text item's path is the page, its anchor the image path,
and its record key ``<image path>#img<n>:<kind>`` (``n`` counts the page's ``<img>``
elements), so ids are stable and unique per page. An image that cannot be used (missing,
outside the root, a data: URI, another host) is a reject row naming page and src, and so is
each of its texts: nothing found on a page is dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crosspair.ids import item_id
from crosspair.items import Candidate, reject_row
from crosspair.weak.harvest import Page, PageImage, parse_page
from crosspair.weak.urls import Located, inside_root, locate_image, shown

if TYPE_CHECKING:
    from crosspair.sources import Source

log = logging.getLogger(__name__)


@dataclass
class HtmlDiscovery:
    """Candidates to decode, and rejects paired with the candidate each one stands for."""

    candidates: list[Candidate] = field(default_factory=list)
    rejects: list[tuple[Candidate, dict]] = field(default_factory=list)


class _PageHarvester:
    def __init__(
        self,
        source: Source,
        root: Path,
        media: dict[str, Candidate],
        subjects: Callable[[str], str],
    ):
        self.source = source
        self.root = root
        self.media = media
        self.subjects = subjects
        self.out = HtmlDiscovery()

    def _candidate(
        self,
        modality: str,
        path: str,
        record_key: str,
        abs_path: str | None = None,
        subject_ids: str = "",
        payload: dict | None = None,
    ) -> Candidate:
        return Candidate(
            item_id=item_id(self.source.name, path, record_key),
            source=self.source.name,
            modality=modality,
            path=path,
            record_key=record_key,
            abs_path=abs_path,
            licence=self.source.licence,
            subject_ids=subject_ids,
            payload=payload or {},
        )

    def _reject(self, candidate: Candidate, reason: str, detail: str) -> None:
        self.out.rejects.append((candidate, reject_row(candidate, "discover", reason, detail)))

    def page(self, page_rel: str) -> None:
        located = inside_root(page_rel, self.root)
        if not located.found:
            placeholder = self._candidate("text", page_rel, "page")
            self._reject(placeholder, located.reason, f"saved page {page_rel}: {located.detail}")
            return
        try:
            page = parse_page(Path(located.abs_path).read_bytes())
        except Exception as exc:  # an unreadable page is a reject, never a crashed build
            placeholder = self._candidate("text", page_rel, "page")
            self._reject(placeholder, "corrupt", f"saved page {page_rel}: {exc}")
            return
        for image in page.images:
            self._image(page_rel, page, image)

    def _image(self, page_rel: str, page: Page, image: PageImage) -> None:
        located = locate_image(image.src, page_rel, self.root, self.source.html.site_url)
        texts = [
            (kind, text)
            for kind, text in (
                ("alt_text", image.alt),
                ("figcaption", image.figcaption),
                ("paragraph", image.paragraph),
            )
            if text is not None
        ]
        where = f"{page_rel} <img #{image.index}> src {shown(image.src or '')!r}"
        media = self._media(located)
        if media is None:
            self._reject(
                self._candidate("image", page_rel, f"img{image.index}"),
                located.reason,
                f"{where}: {located.detail}",
            )
        anchor = located.rel or ""
        for kind, text in texts:
            key = f"{anchor}#img{image.index}:{kind}"
            candidate = self._candidate(
                "text",
                page_rel,
                key,
                subject_ids=media.subject_ids if media is not None else "",
                payload={
                    "text": text,
                    "kind": kind,
                    "anchor": anchor,
                    "language": page.language,
                    "page": page_rel,
                    "src": image.src or "",
                    "alt": image.alt or "",
                    "image_index": image.index,
                },
            )
            if media is None:
                self._reject(
                    candidate, located.reason, f"{where}: its image could not be used ({kind})"
                )
            else:
                self.out.candidates.append(candidate)

    def _media(self, located: Located) -> Candidate | None:
        """The image item of a located file: the one already found, or a new one."""
        if not located.found:
            return None
        known = self.media.get(located.rel)
        if known is not None:
            return known if known.abs_path is not None else None
        candidate = self._candidate(
            "image",
            located.rel,
            "",
            abs_path=located.abs_path,
            subject_ids=self.subjects(located.rel),
        )
        self.media[located.rel] = candidate
        self.out.candidates.append(candidate)
        return candidate


def page_paths(root: Path, patterns: list[str]) -> list[str]:
    """The pages the globs match, relative to the root, sorted; folders left out."""
    found = {
        path.relative_to(root).as_posix()
        for pattern in patterns
        for path in root.glob(pattern)
        if not path.is_dir()
    }
    return sorted(found)


def harvest_pages(
    source: Source,
    root: Path,
    media: dict[str, Candidate],
    subjects: Callable[[str], str],
) -> HtmlDiscovery:
    """Images and texts of the source's saved pages; ``media`` (path → item) is shared."""
    harvester = _PageHarvester(source, Path(root), media, subjects)
    pages = page_paths(Path(root), source.html.pages)
    for page_rel in pages:
        harvester.page(page_rel)
    if not pages:
        log.warning("source %s: no saved page matches %s", source.name, source.html.pages)
    out = harvester.out
    log.info(
        "source %s: %d pages, %d candidates, %d rejects from saved pages",
        source.name,
        len(pages),
        len(out.candidates),
        len(out.rejects),
    )
    return out
