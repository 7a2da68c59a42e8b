"""What a saved HTML page says about each of its images: src, alt text, figcaption, paragraph.

Pages are decoded by ``crosspair.weak.decoding`` and parsed with BeautifulSoup on lxml, which
reads broken markup the way browsers do. Texts are normalised like manifest texts
(``crosspair.probe.text.normalise_text``), so what is judged here is what is catalogued. One
pass over the tags in document order finds every image's paragraph, and each ``<figure>``'s
caption and each ``<picture>``'s sources are read once however many images they hold, so a
page of thousands of images parses in linear time; an element that cannot be read is a
``problem`` of its own image, never a lost page. Attribute values and texts over libxml2's
10 MB limit are kept whole (``huge_tree``); ``html.max_page_mb`` bounds the page instead.

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

_NAMED_SRCSETS = 3  # a reject names this many srcsets without a URL, then counts the rest


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
    base: str | None = None  # the href of its first <base href>, as written; None: no base
    declared: str = ""  # the charset the page declares when its bytes showed it wrong
    problem: str = ""  # why the page cannot be read at all ("" when it can)


def parse_page(markup: bytes | str) -> Page:
    """Parse a page's bytes (or text) into its images and their texts."""
    decoded = decode_page(markup) if isinstance(markup, bytes) else Decoded(markup, "")
    if decoded.problem:
        return Page(problem=decoded.problem)
    # without huge_tree libxml2 silently empties attribute values over 10 MB
    soup = BeautifulSoup(decoded.markup, "lxml", huge_tree=True)
    shared = _Shared()
    images = [
        _image(index, img, paragraph, shared)
        for index, (img, paragraph) in enumerate(_images_and_paragraphs(soup), start=1)
    ]
    encoding = decoded.encoding or (soup.original_encoding or "")
    return Page(_language(soup), images, encoding, decoded.replaced, _base(soup), decoded.declared)


def _image(index: int, img: Tag, paragraph: str | None, shared: _Shared) -> PageImage:
    try:
        src, problem = _src(img, shared)
        alt = _attribute_text(img, "alt")
        return PageImage(index, src, alt, shared.figcaption(img), paragraph, problem)
    except Exception as exc:  # one odd element is a reject of its own, never a lost page
        problem = f"the element could not be read ({type(exc).__name__}: {exc})"
        return PageImage(index, None, None, None, paragraph, problem)


def _src(img: Tag, shared: _Shared) -> tuple[str | None, str]:
    """The src, else the first URL of its ``srcset``, else of a ``<source>`` of its ``<picture>``.

    Returns the URL (None when there is none) and, when a srcset names no URL, why.
    """
    src = img.get("src")
    if isinstance(src, str) and src.strip():
        return src, ""
    url, own = _srcset_url(img)
    if url is not None:
        return url, ""
    sources = shared.picture_sources(img)
    url, count = sources.before.get(id(img), (None, 0))
    if url is not None:
        return url, ""
    named = ([own] if own else []) + sources.unreadable[: min(count, _NAMED_SRCSETS)]
    total = (1 if own else 0) + count
    if total:
        listed = ", ".join(named[:_NAMED_SRCSETS])
        more = f" and {total - _NAMED_SRCSETS} more srcsets" if total > _NAMED_SRCSETS else ""
        verb = "names" if total == 1 else "name"
        return None, f"no src, and {listed}{more} {verb} no image URL; give the <img> a src"
    return (src if isinstance(src, str) else None), ""


def _srcset_url(tag: Tag) -> tuple[str | None, str]:
    """The first URL of the tag's ``srcset``, or (None, how to name a srcset with no URL)."""
    srcset = tag.get("srcset")
    if not isinstance(srcset, str) or not srcset.strip():
        return None, ""
    urls = srcset_urls(srcset)
    if urls:
        return urls[0], ""
    return None, f"{tag.name} srcset {shown(srcset)!r}"


@dataclass
class _Sources:
    """What the ``<source>`` elements of one ``<picture>`` offer each image inside it."""

    unreadable: list[str] = field(default_factory=list)  # srcsets naming no URL, up to a URL
    before: dict[int, tuple[str | None, int]] = field(default_factory=dict)
    # id(img) -> (the first source URL before the image, how many unreadable srcsets before it)


_NO_SOURCES = _Sources()


def _picture_sources(picture: Tag) -> _Sources:
    """What the picture's ``<source>`` elements before each of its images offer, in one walk.

    lxml does not know ``<source>`` is empty and nests what follows inside it, so they are
    looked for among all the picture's elements before the image, not only its siblings.
    """
    sources = _Sources()
    url: str | None = None
    for tag in picture.descendants:
        if not isinstance(tag, Tag):
            continue
        if tag.name == "source" and url is None:
            url, unreadable = _srcset_url(tag)
            if unreadable:
                sources.unreadable.append(unreadable)
        elif tag.name == "img":
            sources.before[id(tag)] = (url, len(sources.unreadable))
    return sources


def _figcaption(figure: Tag) -> str | None:
    """The text of the figure's own ``<figcaption>``; None when it has none."""
    caption = figure.find("figcaption", recursive=False)
    return None if caption is None else normalise_text(caption.get_text(" ", strip=True))


class _Shared:
    """Each figure's caption and each picture's sources, read once for all images inside.

    Keyed by ``id()`` of the element: the soup keeps every element alive while it is parsed.
    """

    def __init__(self) -> None:
        self._captions: dict[int, str | None] = {}
        self._sources: dict[int, _Sources] = {}

    def figcaption(self, img: Tag) -> str | None:
        figure = img.find_parent("figure")
        if figure is None:
            return None
        if id(figure) not in self._captions:
            self._captions[id(figure)] = _figcaption(figure)
        return self._captions[id(figure)]

    def picture_sources(self, img: Tag) -> _Sources:
        picture = img.find_parent("picture")
        if picture is None:
            return _NO_SOURCES
        if id(picture) not in self._sources:
            self._sources[id(picture)] = _picture_sources(picture)
        return self._sources[id(picture)]


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


def _base(soup: BeautifulSoup) -> str | None:
    """The href of the page's first ``<base href>``, as written; None when it has none.

    A ``<base>`` inside a ``<template>`` is inert in a browser, so it is skipped here too.
    """
    for base in soup.find_all("base", href=True):
        href = base.get("href")
        if isinstance(href, str) and base.find_parent("template") is None:
            return href
    return None


def _language(soup: BeautifulSoup) -> str:
    """Primary subtag of ``<html lang>``, lower case ("en-GB" → "en"); "" when not given."""
    html = soup.find("html")
    lang = html.get("lang") if isinstance(html, Tag) else None
    if not isinstance(lang, str):
        return ""
    return lang.strip().split("-")[0].split("_")[0].lower()
