"""Reading pages: which texts belong to which image."""

from crosspair.weak.harvest import parse_page


def test_alt_figcaption_and_paragraphs():
    page = parse_page(
        b"""<html lang="de-AT"><body>
        <p>Before the first image.</p>
        <div><img src="a.jpg" alt=" A  red\tfox "></div>
        <p>\xc2\xa0</p><h2>Gap</h2><h3>More</h3>
        <p>Far after the first image.</p>
        <figure><img src="b.jpg"><figcaption><p>The caption</p></figcaption></figure>
        <p>In <b>the</b> paragraph <img src="c.jpg" alt=""> itself.</p>
        <img srcset="d-1x.jpg 1x, d-2x.jpg 2x" alt="Srcset only">
        </body></html>"""
    )
    assert page.language == "de"
    a, b, c, d = page.images
    assert (a.index, a.src, a.alt, a.figcaption) == (1, "a.jpg", "A red fox", None)
    # the empty <p> is skipped; the previous paragraph is 2 elements away, the next 5
    assert a.paragraph == "Before the first image."
    assert (b.alt, b.figcaption) == (None, "The caption")
    assert b.paragraph == "Far after the first image."  # a figcaption's <p> is the caption
    assert (c.alt, c.paragraph) == ("", "In the paragraph itself.")  # the enclosing paragraph
    assert (d.src, d.alt) == ("d-1x.jpg", "Srcset only")


def test_on_a_tie_the_paragraph_after_the_image_wins():
    page = parse_page("<p>Above</p><img src=a.jpg><p>Below</p>")
    assert page.images[0].paragraph == "Below"


def test_a_page_without_paragraphs_or_images():
    assert parse_page("<html><body><img src=a.jpg></body></html>").images[0].paragraph is None
    assert parse_page(b"").images == []
    assert parse_page(b"\x00\xff not html at all").images == []


def test_encoding_from_meta_charset():
    markup = '<meta charset="iso-8859-1"><img src="a.jpg" alt="Caf\xe9 au lait">'
    page = parse_page(markup.encode("latin-1"))
    assert page.images[0].alt == "Café au lait"
