"""What a saved HTML page says about each of its images: src, alt text, figcaption, paragraph.

Pages are decoded by ``crosspair.weak.decoding`` and parsed with BeautifulSoup on lxml, which
reads broken markup the way browsers do. Texts are normalised like manifest texts
(``crosspair.probe.text.normalise_text``), so what is judged here is what is catalogued. One
pass over the tags in document order finds every image's paragraph, so a page of thousands
of images parses in linear time; an element that cannot be read is a ``problem`` of its own
image, never a lost page.

>>> page = parse_page(b'<figure><img src="a.jpg" alt="A cat"><figcaption>Tom</figcaption>'
...                   b'</figure>')
>>> page.images[0].alt, page.images[0].figcaption
('A cat', 'Tom')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from crosspair.probe.text import normalise_text
from crosspair.weak.decoding import Decoded, decode_page
from crosspair.weak.urls import shown, srcset_urls


@dataclass(frozen=True)
class PageImage:
    """One ``<img>`` of a page; a text is None when the page has none for it."""

    index: int  # 1-based position among the page's <img> elements
    src: str | None
    alt: str | None  # None: no alt attribute; "": an empty one
    figcaption: str | None  # the caption of the <figure> holding the image
    paragraph: str | None  # the nearest non-empty <p> around it, else the closest by it
    problem: str = ""  # why this element names no usable image ("" when it may)


@dataclass(frozen=True)
class Page:
    """The images of a page, in document order, and the page's language (its ``lang``)."""

    language: str = ""
    images: list[PageImage] = field(default_factory=list)
    encoding: str = ""  # the codec it was read with (BeautifulSoup's guess, if it had to)
    replaced: int = 0  # U+FFFD in the page because bytes did not fit its declared charset


def parse_page(markup: bytes | str) -> Page:
    """Parse a page's bytes (or text) into its images and their texts."""
    decoded = decode_page(markup) if isinstance(markup, bytes) else Decoded(markup, "")
    soup = BeautifulSoup(decoded.markup, "lxml")
    images = [
        _image(index, img, paragraph)
        for index, (img, paragraph) in enumerate(_images_and_paragraphs(soup), start=1)
    ]
    encoding = decoded.encoding or (soup.original_encoding or "")
    return Page(_language(soup), images, encoding, decoded.replaced)


def _image(index: int, img: Tag, paragraph: str | None) -> PageImage:
    try:
        src, problem = _src(img)
        alt = _attribute_text(img, "alt")
        return PageImage(index, src, alt, _figcaption(img), paragraph, problem)
    except Exception as exc:  # one odd element is a reject of its own, never a lost page
        problem = f"the element could not be read ({type(exc).__name__}: {exc})"
        return PageImage(index, None, None, None, paragraph, problem)


def _src(img: Tag) -> tuple[str | None, str]:
    """The src, else the first URL of its ``srcset``, else of a ``<source>`` of its ``<picture>``.

    Returns the URL (None when there is none) and, when a srcset names no URL, why.
    """
    src = img.get("src")
    if isinstance(src, str) and src.strip():
        return src, ""
    unreadable = []
    for tag in [img, *_picture_sources(img)]:
        srcset = tag.get("srcset")
        if not isinstance(srcset, str) or not srcset.strip():
            continue
        urls = srcset_urls(srcset)
        if urls:
            return urls[0], ""
        unreadable.append(f"{tag.name} srcset {shown(srcset)!r}")
    if unreadable:
        named = ", ".join(unreadable)
        return None, f"no src, and {named} names no image URL; give the <img> a src"
    return (src if isinstance(src, str) else None), ""


def _picture_sources(img: Tag) -> list[Tag]:
    """The ``<source>`` elements before the image in its ``<picture>``, in order.

    lxml does not know ``<source>`` is empty and nests what follows inside it, so they are
    looked for among all the picture's elements before the image, not only its siblings.
    """
    picture = img.find_parent("picture")
    if picture is None:
        return []
    sources = []
    for tag in picture.descendants:
        if tag is img:
            break
        if isinstance(tag, Tag) and tag.name == "source":
            sources.append(tag)
    return sources


def _attribute_text(tag: Tag, name: str) -> str | None:
    value = tag.get(name)
    if value is None:
        return None
    return normalise_text(value if isinstance(value, str) else " ".join(value))


class _Texts:
    """Normalised texts of elements, each computed once (a <p> may hold many images)."""

    def __init__(self) -> None:
        self._known: dict[int, str] = {}

    def __call__(self, tag: Tag) -> str:
        key = id(tag)
        if key not in self._known:
            self._known[key] = normalise_text(tag.get_text(" ", strip=True))
        return self._known[key]


def _figcaption(img: Tag) -> str | None:
    figure = img.find_parent("figure")
    if figure is None:
        return None
    caption = figure.find("figcaption", recursive=False)
    return None if caption is None else normalise_text(caption.get_text(" ", strip=True))


def _images_and_paragraphs(soup: BeautifulSoup) -> list[tuple[Tag, str | None]]:
    """Each ``<img>`` in document order with its paragraph, in one pass over the tags.

    The paragraph is the nearest non-empty ``<p>`` around the image, else the closer of the
    previous and the next non-empty ``<p>`` outside figcaptions (a caption's ``<p>`` is the
    caption). Closeness counts the elements between image and paragraph in document order;
    on a tie the paragraph after the image wins, since text under a picture tends to
    describe it.
    """
    texts = _Texts()
    tags = soup.find_all(True)
    ends = _subtree_ends(tags)
    found: list[tuple[Tag, str | None]] = []
    waiting: list[tuple[int, int, str | None, int]] = []  # (slot, position, before, distance)
    before: tuple[str, int] | None = None  # the last paragraph's text and where it ends

    for position, tag in enumerate(tags):
        if tag.name == "p" and tag.find_parent("figcaption") is None and texts(tag):
            for slot, img_position, before_text, distance in waiting:
                after_wins = position - img_position <= distance
                found[slot] = (found[slot][0], texts(tag) if after_wins else before_text)
            waiting = []
            before = (texts(tag), ends[position])
        elif tag.name == "img":
            enclosing = next((p for p in tag.find_parents("p") if texts(p)), None)
            if enclosing is not None:
                found.append((tag, texts(enclosing)))
                continue
            found.append((tag, before[0] if before else None))
            distance = position - before[1] if before else len(tags)
            waiting.append((len(found) - 1, position, found[-1][1], distance))
    return found


def _subtree_ends(tags: list[Tag]) -> list[int]:
    """For each tag of a document-order list, the position of the last tag inside it."""
    ends = list(range(len(tags)))
    open_tags: list[int] = []
    for position, tag in enumerate(tags):
        while open_tags and tags[open_tags[-1]] is not tag.parent:
            ends[open_tags.pop()] = position - 1
        open_tags.append(position)
    for position in open_tags:
        ends[position] = len(tags) - 1
    return ends


def _language(soup: BeautifulSoup) -> str:
    """Primary subtag of ``<html lang>``, lower case ("en-GB" → "en"); "" when not given."""
    html = soup.find("html")
    lang = html.get("lang") if isinstance(html, Tag) else None
    if not isinstance(lang, str):
        return ""
    return lang.strip().split("-")[0].split("_")[0].lower()
