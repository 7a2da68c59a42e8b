"""Decoding saved pages: mislabelled UTF-8, UTF-16 without a byte-order mark, NUL bytes."""

import pytest

from crosspair.weak.decoding import Decoded, decode_page
from crosspair.weak.harvest import parse_page

CAFE = '<meta charset="{}"><img src=a.jpg alt="Un café crème"><p>À Paris</p>'


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "latin1", "shift_jis"])
def test_utf8_bytes_declared_as_another_charset_are_read_as_utf8(label):
    # read as declared: "Un cafÃ© crÃ¨me" (windows-1252), "Un cafﾃｩ crﾃｨme" (Shift_JIS)
    markup = CAFE.format(label)
    assert decode_page(markup.encode()) == Decoded(markup, "utf-8", declared=label)


def test_a_declared_charset_stands_when_the_bytes_are_not_utf8_or_are_ascii():
    japanese = '<meta charset="shift_jis"><img src=a.jpg alt="猫がソファで寝ている">'
    assert decode_page(japanese.encode("shift_jis")) == Decoded(japanese, "shift_jis")
    french = CAFE.format("windows-1252")
    assert decode_page(french.encode("cp1252")) == Decoded(french, "cp1252")
    ascii_only = '<meta charset="iso-8859-1"><img src=a.jpg alt="A cat">'
    assert decode_page(ascii_only.encode()) == Decoded(ascii_only, "cp1252")


def test_utf16_without_a_byte_order_mark_is_read_by_where_its_nul_bytes_are():
    markup = '<html lang="fr"><img src=a.jpg alt="Un café crème"></html>'
    assert decode_page(markup.encode("utf-16-le")) == Decoded(markup, "utf-16-le")
    assert decode_page(markup.encode("utf-16-be")) == Decoded(markup, "utf-16-be")
    # 一 (U+4E00) puts a NUL in the other half too; the markup still tells
    chinese = '<html lang="zh"><img src=a.jpg alt="一只猫在沙发上睡觉，一动不动"></html>'
    assert decode_page(chinese.encode("utf-16-le")) == Decoded(chinese, "utf-16-le")
    page = parse_page(CAFE.format("utf-16").encode("utf-16-le"))
    assert (page.images[0].alt, page.images[0].paragraph) == ("Un café crème", "À Paris")
    assert (page.encoding, page.replaced, page.declared, page.problem) == ("utf-16-le", 0, "", "")


def test_any_other_page_with_nul_bytes_cannot_be_read():
    utf32 = decode_page('<img alt="x">'.encode("utf-32-le"))
    assert utf32 == Decoded(
        "",
        "",
        problem="holds 39 NUL bytes (the first at byte 1) and is not UTF-16, so it is not "
        "text a browser would read; save it as UTF-8",
    )
    stray = decode_page(b'<img src=a.jpg alt="A red\x00fox">')
    assert stray.problem == (
        "holds 1 NUL byte (the first at byte 25) and is not UTF-16, so it is not text a "
        "browser would read; save it as UTF-8"
    )
    page = parse_page(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")  # a picture saved as .html
    assert (page.images, page.encoding) == ([], "")
    assert page.problem == (
        "holds 3 NUL bytes (the first at byte 8) and is not UTF-16, so it is not text a "
        "browser would read; save it as UTF-8"
    )
