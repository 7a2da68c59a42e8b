"""A saved page's bytes as text: its BOM, else its declared charset, else UTF-8, else a guess.

This is the order browsers use, with three changes. A page that declares nothing is read as
UTF-8 whenever its bytes are valid UTF-8, before any guessing: guessing from a few non-ASCII
bytes (charset_normalizer, which BeautifulSoup would ask) can read one U+202E as cp932. A
page that declares another charset but whose non-ASCII bytes are valid UTF-8 is read as
UTF-8 too, and says so (``declared``): text in a legacy charset almost never is valid UTF-8,
while UTF-8 read as Latin-1 or Shift_JIS is silent mojibake ("cafÃ©", "cafﾃｩ"). And NUL
bytes, which no HTML text holds, mean UTF-16 without a BOM when they fall on every other
byte; otherwise the page cannot be read (``problem``) rather than be parsed into nothing.
Bytes that do not fit the charset a page is read with become U+FFFD, as in a browser, and
are counted so that the damage is reported rather than silent.

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
    declared: str = ""  # the charset the page declares when its bytes showed it wrong
    problem: str = ""  # why the page cannot be read as text ("" when it can)


def decode_page(data: bytes) -> Decoded:
    """Decode a page the way a browser would, preferring UTF-8 to a guess."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], codec)
    if b"\0" in data:
        return _utf16_without_bom(data)

    label = EncodingDetector.find_declared_encoding(data, is_html=True) or ""
    declared = _codec(label)
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if declared and declared != "utf-8" and not data.isascii() and utf8 is not None:
        return Decoded(utf8, "utf-8", declared=label.strip())
    if declared:
        return _decode(data, declared)
    return Decoded(utf8, "utf-8") if utf8 is not None else Decoded(data, "")


def _utf16_without_bom(data: bytes) -> Decoded:
    """UTF-16 when the page's NUL bytes fall where ASCII markup in UTF-16 puts them.

    Markup is mostly ASCII, which UTF-16 writes as one byte and a NUL: little-endian puts
    the NULs on odd bytes, big-endian on even ones. A quarter of the characters being ASCII
    is enough; the other half may hold a few NULs (一 is U+4E00), but not an eighth as many.
    """
    even, odd = data[0::2].count(0), data[1::2].count(0)
    units = len(data) // 2
    for nuls, others, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if len(data) % 2 == 0 and nuls >= units / 4 and others <= nuls / 8:
            return _decode(data, codec)
    count = even + odd
    nul_bytes = "1 NUL byte" if count == 1 else f"{count} NUL bytes"
    return Decoded(
        "",
        "",
        problem=(
            f"holds {nul_bytes} (the first at byte {data.index(0)}) and is not UTF-16, "
            "so it is not text a browser would read; save it as UTF-8"
        ),
    )


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
