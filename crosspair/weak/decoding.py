"""A saved page's bytes as text: its BOM, else its declared charset, else UTF-8, else a guess.

This is the order browsers use, with one change: a page that declares nothing is read as
UTF-8 whenever its bytes are valid UTF-8, before any guessing. Guessing from a few non-ASCII
bytes (charset_normalizer, which BeautifulSoup would ask) can read one U+202E as cp932.
Bytes that do not fit the charset the page declares become U+FFFD, as in a browser, and are
counted so that the damage is reported rather than silent.

>>> decode_page("<p>Café</p>".encode()).encoding
'utf-8'
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from bs4.dammit import EncodingDetector

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM starts it
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels a browser reads differently from Python (WHATWG Encoding): Latin-1 and ASCII mean
# windows-1252, and a <meta> can only be read at all if the page is not really UTF-16.
_BROWSER_CODECS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}


@dataclass(frozen=True)
class Decoded:
    """The page as text, or its bytes when only a guess can tell (``encoding`` is then "")."""

    markup: str | bytes
    encoding: str
    replaced: int = 0  # U+FFFD in the text because some bytes did not fit ``encoding``


def decode_page(data: bytes) -> Decoded:
    """Decode a page the way a browser would, preferring UTF-8 to a guess."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], codec)

    declared = _codec(EncodingDetector.find_declared_encoding(data, is_html=True))
    if declared:
        return _decode(data, declared)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return Decoded(data, "")


def _codec(label: str | None) -> str:
    """Python's codec for a charset label; "" for none or one Python does not know."""
    if not label:
        return ""
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return ""
    return _BROWSER_CODECS.get(name, name)


def _decode(data: bytes, codec: str) -> Decoded:
    try:
        return Decoded(data.decode(codec), codec)
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        return Decoded(text, codec, text.count("\ufffd"))
