"""What a saved HTML page says about each of its images: src, alt text, figcaption, paragraph.

Pages are parsed with BeautifulSoup on lxml, which reads broken markup the way browsers do and
finds the encoding from the BOM or ``<meta charset>``. Texts are normalised like manifest
texts (``crosspair.probe.text.normalise_text``), so what is judged here is what is catalogued.

>>> page = parse_page(b'<figure><img src="a.jpg" alt="A cat"><figcaption>Tom</figcaption>'
...                   b'</figure>')
>>> page.images[0].alt, page.images[0].figcaption
('A cat', 'Tom')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from crosspair.probe.text import normalise_text


@dataclass(frozen=True)
class PageImage:
    """One ``<img>`` of a page; a text is None when the page has none for it."""

    index: int  # 1-based position among the page's <img> elements
    src: str | None
    alt: str | None  # None: no alt attribute; "": an empty one
    figcaption: str | None  # the caption of the <figure> holding the image
    paragraph: str | None  # the enclosing, else the nearest non-empty <p>


@dataclass(frozen=True)
class Page:
    """The images of a page, in document order, and the page's language (its ``lang``)."""

    language: str = ""
    images: list[PageImage] = field(default_factory=list)


def parse_page(markup: bytes | str) -> Page:
    """Parse a page's bytes (or text) into its images and their texts."""
    soup = BeautifulSoup(markup, "lxml")
    order = {id(tag): position for position, tag in enumerate(soup.find_all(True))}
    images = [
        PageImage(
            index=index,
            src=_src(img),
            alt=_attribute_text(img, "alt"),
            figcaption=_figcaption(img),
            paragraph=_paragraph(img, order),
        )
        for index, img in enumerate(soup.find_all("img"), start=1)
    ]
    return Page(language=_language(soup), images=images)


def _src(img: Tag) -> str | None:
    """The src, or the first candidate of ``srcset`` when src is missing."""
    src = img.get("src")
    if isinstance(src, str) and src.strip():
        return src
    srcset = img.get("srcset")
    if isinstance(srcset, str) and srcset.strip():
        # TODO: srcset is read for its first URL only; <picture><source> is not read at all.
        return srcset.split(",")[0].split()[0]
    return src if isinstance(src, str) else None


def _attribute_text(tag: Tag, name: str) -> str | None:
    value = tag.get(name)
    if value is None:
        return None
    return normalise_text(value if isinstance(value, str) else " ".join(value))


def _text(tag: Tag) -> str:
    return normalise_text(tag.get_text(" ", strip=True))


def _figcaption(img: Tag) -> str | None:
    figure = img.find_parent("figure")
    if figure is None:
        return None
    caption = figure.find("figcaption", recursive=False)
    return None if caption is None else _text(caption)


def _is_candidate_paragraph(paragraph: Tag) -> bool:
    """A paragraph with text, and not part of a figcaption (that text is the caption)."""
    return paragraph.find_parent("figcaption") is None and bool(_text(paragraph))


def _paragraph(img: Tag, order: dict[int, int]) -> str | None:
    """The ``<p>`` around the image, else the closer of the previous and the next ``<p>``.

    Closeness counts the elements between image and paragraph in document order; on a tie
    the paragraph after the image wins, since text under a picture tends to describe it.
    """
    enclosing = img.find_parent("p")
    if enclosing is not None:
        return _text(enclosing) or None
    before = next(
        (p for p in img.find_all_previous("p") if _is_candidate_paragraph(p)),
        None,
    )
    after = next((p for p in img.find_all_next("p") if _is_candidate_paragraph(p)), None)
    here = order[id(img)]
    distances = {}
    if before is not None:
        last = before.find_all(True)
        end = order[id(last[-1])] if last else order[id(before)]
        distances["before"] = here - end
    if after is not None:
        distances["after"] = order[id(after)] - here
    if not distances:
        return None
    closest = min(distances, key=lambda side: (distances[side], side != "after"))
    return _text(before if closest == "before" else after)


def _language(soup: BeautifulSoup) -> str:
    """Primary subtag of ``<html lang>``, lower case ("en-GB" → "en"); "" when not given."""
    html = soup.find("html")
    lang = html.get("lang") if isinstance(html, Tag) else None
    if not isinstance(lang, str):
        return ""
    return lang.strip().split("-")[0].split("_")[0].lower()
