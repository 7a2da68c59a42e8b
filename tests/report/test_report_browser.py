"""The report as a browser shows it: headless Chromium opens it from file://.

Skipped where Chromium is missing (install it with `apt-get install chromium`), unless
CROSSPAIR_REQUIRE_BROWSER=1 (as in .ci/run), which turns the skip into a failure.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.report.conftest import VERSION
from tests.report.demo_build import expected_counts, html_counts

WINDOW = (1280, 1600)
HEADER_RGB = np.array([0x24, 0x29, 0x2F])  # the page header's background in base.html
PROBE = """<script>
window.addEventListener("load", () => {
  const images = [...document.images];
  const loaded = images.filter((image) => image.complete && image.naturalWidth > 0);
  const line = document.createElement("p");
  line.id = "probe";
  line.textContent = loaded.length + " of " + images.length;
  document.body.appendChild(line);
});
</script>
</body>"""


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser's executable; asked for first, so a skip costs no demo build."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "Chromium not found; install it with `apt-get install chromium` to run this test"
    if os.environ.get("CROSSPAIR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CROSSPAIR_REQUIRE_BROWSER=1 asks for it)")
    pytest.skip(reason)


def _open(chromium: str, page: Path, profile: Path, *options: str) -> str:
    """Run headless Chromium on a page with a profile of its own; returns its stdout."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",  # the tests may run as root (CI containers)
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
        "--mute-audio",
        # no connections out of a machine that may have no network (each would be refused)
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        f"--user-data-dir={profile}",
        *options,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_browser_shows_the_tables_counts(chromium, demo_build, report, tmp_path):
    dom = _open(chromium, report, tmp_path / "profile", "--dump-dom", "--virtual-time-budget=5000")
    counts = html_counts(dom)
    assert counts == expected_counts(demo_build)
    assert counts["items-image"] == len(demo_build.table("image_catalog"))
    assert counts["pairs-train"] + counts["pairs-val"] + counts["pairs-test"] == len(
        demo_build.table("split_assignments")
    )
    assert f'id="report-version">{VERSION}<' in dom


def test_screenshot_of_the_summary_is_a_real_page(chromium, report, tmp_path):
    shot = tmp_path / "index.png"
    size = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    _open(chromium, report, tmp_path / "profile", f"--screenshot={shot}", size)
    with Image.open(shot) as image:
        assert image.format == "PNG" and image.size == WINDOW
        pixels = np.asarray(image.convert("RGB"), dtype=int)
    assert np.abs(pixels[5, 5] - HEADER_RGB).max() <= 2  # the header was painted
    background = np.abs(pixels - pixels[-1, -1]).max(axis=2) > 8
    assert 0.05 < background.mean() < 0.95  # tiles, tables and charts, not one flat colour
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 200  # text and charts anti-aliased


def test_every_preview_on_the_pair_pages_loads(chromium, report, tmp_path):
    """Each pair page, copied with lazy loading off and a script that counts the images that
    decoded (the copy holds the assets too, so relative links resolve as in the original)."""
    copy = Path(shutil.copytree(report.parent, tmp_path / "report"))
    pages = sorted(copy.glob("pairs-*.html"))
    assert pages
    for page in pages:
        html = page.read_text().replace(' loading="lazy"', "")
        page.write_text(html.replace("</body>", PROBE), encoding="utf-8")
        dom = _open(
            chromium, page, tmp_path / "profile", "--dump-dom", "--virtual-time-budget=10000"
        )
        images = len(re.findall(r"<img ", html))
        assert images > 0
        assert f'<p id="probe">{images} of {images}</p>' in dom

    shot = tmp_path / "pairs.png"
    _open(
        chromium,
        report.parent / pages[0].name,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,4000",
    )
    with Image.open(shot) as image:
        assert image.size == (1280, 4000)
