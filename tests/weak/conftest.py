"""A small saved site: three pages whose images are linked every way a page can link them."""

from pathlib import Path

import pytest
from PIL import Image

from crosspair.sources import parse_sources

SITE_URL = "https://example.org/"

POST = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Fox</title></head><body>
<header><img src="/img/logo.png" alt="Company logo"></header>
<p>We watched a red fox cross the river at dawn.</p>
<figure>
  <img src="../../img/fox.jpg" alt="">
  <figcaption>A red fox on the frozen river</figcaption>
</figure>
<img src="https://example.org/img/coffee-cup.png"
     alt="A steaming cup of black coffee on a wooden table">
</body></html>
"""

INDEX = """<html><body>
<p>Fresh coffee every morning. <img src="file://{root}/img/coffee-cup.png" alt="coffee-cup.png"></p>
<img src="/img/logo.png">
</body></html>
"""

BROKEN = """<html><body>
<h1>Broken images</h1>
<img src="../img/missing.jpg" alt="A picture that was never saved">
<img src="https://cdn.example.net/x.jpg" alt="Remote picture">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<img src="../../outside.jpg" alt="Outside the site">
<img alt="No source at all">
<img src="../img/escape.jpg" alt="A symlink out of the site">
</body></html>
"""


def _image(path: Path, colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (24, 16), colour).save(path)


def html_source(**html) -> dict:
    return {
        "name": "site",
        "modality": "image",
        "root": "site",
        "licence": "CC0-1.0",
        "origin": "test pages",
        "html": {"pages": ["pages/**/*.html"], "site_url": SITE_URL, **html},
    }


@pytest.fixture
def site(tmp_path) -> Path:
    """tmp_path/site is the source root; tmp_path/outside.jpg lies outside it."""
    root = tmp_path / "site"
    _image(root / "img" / "fox.jpg", (200, 80, 20))
    _image(root / "img" / "coffee-cup.png", (60, 40, 20))
    _image(root / "img" / "logo.png", (0, 0, 255))
    _image(tmp_path / "outside.jpg", (9, 9, 9))
    (root / "img" / "escape.jpg").symlink_to(tmp_path / "outside.jpg")
    pages = {
        "pages/blog/post.html": POST,
        "pages/index.html": INDEX.format(root=root.resolve()),
        "pages/broken.html": BROKEN,
    }
    for rel, text in pages.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def site_config(site):
    return parse_sources({"sources": [html_source()]}, base_dir=site.parent)
