"""Discovery of a source's saved pages: image candidates, text candidates and rejects.

Each located ``<img>`` gives one image item (shared by every page and element that shows the
same file, and with the source's ``files`` globs) and up to three text items: its alt text,
its figcaption and its paragraph. A text item's path is the page, its anchor the image path,
and its record key ``<image path>#img<n>:<kind>`` (``n`` counts the page's ``<img>``
elements), so ids are stable and unique per page. An image that cannot be used (missing,
outside the root, a data: URI, another host, a file the source itself rejected) is a reject
row naming page, src and reason, and so is each of its texts; trouble with one element
rejects that element only. A page that cannot be read (its name is not UTF-8, it is too
large, unparseable or not text) is one reject row: nothing found is dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crosspair.ids import item_id
from crosspair.items import Candidate, reject_row
from crosspair.weak.harvest import Page, PageImage, parse_page
from crosspair.weak.pages import check_page, page_paths, shown_name
from crosspair.weak.urls import Located, locate_image, shown

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
        rejected: Sequence[dict] = (),
    ):
        self.source = source
        self.root = root
        self.media = media
        self.subjects = subjects
        self.rejected = {row["item_id"]: (row["reason"], row["detail"]) for row in rejected}
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

    def _reject_page(self, page_rel: str, reason: str, detail: str) -> None:
        self._reject(self._candidate("text", page_rel, "page"), reason, f"saved page {detail}")

    def page(self, page_rel: str) -> None:
        located = check_page(page_rel, self.root, self.source.html, self.source.name)
        if not located.found:
            shown_rel = shown_name(page_rel)
            self._reject_page(shown_rel, located.reason, f"{shown_rel}: {located.detail}")
            return
        try:
            page = parse_page(Path(located.abs_path).read_bytes())
        except Exception as exc:  # an unreadable page is a reject, never a crashed build
            self._reject_page(page_rel, "corrupt", f"{page_rel}: {exc}")
            return
        if page.problem:
            self._reject_page(page_rel, "corrupt", f"{page_rel}: {page.problem}")
            return
        if page.declared:
            log.warning(
                "source %s: saved page %s declares charset %s but its bytes are UTF-8; "
                "read as UTF-8 (fix its <meta charset>)",
                self.source.name,
                page_rel,
                page.declared,
            )
        if page.replaced:
            log.warning(
                "source %s: saved page %s holds %d U+FFFD: its bytes do not all fit its "
                "charset %s; texts holding one vote drop (garbled_text)",
                self.source.name,
                page_rel,
                page.replaced,
                page.encoding,
            )
        for image in page.images:
            try:
                self._image(page_rel, page, image)
            except Exception as exc:  # one element's trouble must not cost the rest of the page
                log.warning("%s <img #%d>: %s", page_rel, image.index, exc, exc_info=True)
                self._reject(
                    self._candidate("image", page_rel, f"img{image.index}"),
                    "invalid_record",
                    f"{page_rel} <img #{image.index}>: could not be harvested "
                    f"({type(exc).__name__}: {exc})",
                )

    def _image(self, page_rel: str, page: Page, image: PageImage) -> None:
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
        anchor, media, reason, detail = self._resolve(page_rel, page, image)
        if media is None:
            self._reject(
                self._candidate("image", page_rel, f"img{image.index}"),
                reason,
                f"{where}: {detail}",
            )
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
                    candidate,
                    reason,
                    f"{where}: its image could not be used, so neither can its {kind}: {detail}",
                )
            else:
                self.out.candidates.append(candidate)

    def _resolve(
        self, page_rel: str, page: Page, image: PageImage
    ) -> tuple[str, Candidate | None, str, str]:
        """(anchor, image item, "", "") of a usable ``<img>``; else (anchor, None, reason, why).

        The src resolves against the page's ``<base href>`` when it has one. The reason is
        never empty: a file the source already rejected lends its own.
        """
        if image.problem:
            return "", None, "invalid_record", image.problem
        site_url = self.source.html.site_url
        located = locate_image(image.src, page_rel, self.root, site_url, page.base)
        if not located.found:
            return located.rel or "", None, located.reason or "invalid_record", located.detail
        known = self.media.get(located.rel)
        if known is None:
            return located.rel, self._new_media(located), "", ""
        if known.abs_path is not None:
            return located.rel, known, "", ""
        reason, why = self.rejected.get(
            known.item_id, ("invalid_record", "see its own row in the rejects table")
        )
        return located.rel, None, reason, f"{located.rel} is a reject of the source ({why})"

    def _new_media(self, located: Located) -> Candidate:
        """A new image item for a located file, shared by every page that shows it."""
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


def harvest_pages(
    source: Source,
    root: Path,
    media: dict[str, Candidate],
    subjects: Callable[[str], str],
    rejected: Sequence[dict] = (),
) -> HtmlDiscovery:
    """Images and texts of the source's saved pages; ``media`` (path → item) is shared.

    ``rejected`` are the source's reject rows so far: a page showing a file rejected there
    rejects its texts with that file's reason.
    """
    harvester = _PageHarvester(source, Path(root), media, subjects, rejected)
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
