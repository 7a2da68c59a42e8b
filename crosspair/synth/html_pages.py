"""Saved web pages for the demo: images with alt texts, a captioned figure and a broken link.

Two pages around three of scikit-image's bundled samples, written so that weak supervision
has something of each kind to judge: a figure with a figcaption, a descriptive alt text, a
boilerplate alt text ("Logo"), an alt text that only repeats the file name, paragraphs that
do and do not mention their image, and an image that was never saved (a reject). Images are
linked in three ways: relative, site-root ("/img/...") and absolute under the site URL.
"""

from __future__ import annotations

import shutil
from importlib.metadata import version
from pathlib import Path

SITE_URL = "https://demo.crosspair.example/"
SAMPLES = ("coins.png", "moon.png", "logo.png")  # from skimage's data folder, copied as is

INDEX = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Finds of the week</title></head>
<body>
<header><a href="/"><img src="/img/logo.png" alt="Logo"></a></header>
<h1>Finds of the week</h1>
<figure>
  <img src="../img/coins.png" alt="coins">
  <figcaption>Greek coins from Pompeii laid out on a grey cloth.</figcaption>
</figure>
<p>Twenty-four coins came in this week, most of them bronze.</p>
</body>
</html>
"""

MOON = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>The Moon</title></head>
<body>
<h1>The Moon</h1>
<p>Our telescope took this picture of the Moon on a clear night.</p>
<img src="{SITE_URL}img/moon.png" alt="The cratered surface of the Moon in grey light">
<img src="../../img/eclipse.jpg" alt="A total solar eclipse over the sea">
</body>
</html>
"""

PAGES = {"pages/index.html": INDEX, "pages/sky/moon.html": MOON}


def write_pages(root: Path) -> list[str]:
    """Write the images and pages under ``root``; returns the pages written (relative)."""
    import skimage.data

    data_dir = Path(skimage.data.data_dir)
    (root / "img").mkdir(parents=True)
    for name in SAMPLES:
        sample = data_dir / name
        if not sample.is_file():
            raise FileNotFoundError(f"{sample}: scikit-image no longer bundles this sample")
        shutil.copyfile(sample, root / "img" / name)
    for rel, text in PAGES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return list(PAGES)


def web_source(root: str = "web_pages") -> dict:
    """The sources-file entry of the pages (an image source with an ``html`` block)."""
    return {
        "name": "demo_web",
        "modality": "image",
        "root": root,
        "licence": "coins: no known copyright restrictions (Brooklyn Museum); moon and logo: "
        "scikit-image sample data (BSD-3-Clause)",
        "origin": f"scikit-image {version('scikit-image')} sample data; pages written for the demo",
        "html": {"pages": ["pages/**/*.html"], "site_url": SITE_URL},
    }
