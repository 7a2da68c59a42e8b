"""Source fingerprints see every input discovery reads: saved pages, the files they point at,
and match pools, as well as globs and manifests; unchanged inputs keep the digest."""

import os
from pathlib import Path

import pytest
import yaml

from crosspair.fingerprint import fingerprints
from crosspair.sources import load_sources
from tests.corpus import web_and_pool_sources

PAGE = '<html><body><p>A fox.</p><img src="../img/fox.jpg" alt="{alt}"></body></html>\n'


def _write_sources(tmp_path: Path) -> Path:
    """A web source 'web' (one page, one image, one page-only link to a missing file) and a
    code source 'code' with a match pool."""
    web = tmp_path / "web"
    (web / "img").mkdir(parents=True)
    (web / "img" / "fox.jpg").write_bytes(b"j" * 64)
    (web / "pages").mkdir()
    (web / "pages" / "a.html").write_text(PAGE.format(alt="A red fox"))
    (web / "pages" / "b.html").write_text('<html><body><img src="/img/later.jpg"></body></html>\n')
    code = tmp_path / "code"
    code.mkdir()
    (code / "code.jsonl").write_text('{"id": "f", "code": "def f(): pass", "doc": []}\n')
    (code / "pool.jsonl").write_text('{"id": "d1", "text": "Do nothing."}\n')
    sources = web_and_pool_sources()
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": sources}))
    return path


def _digests(sources: Path) -> dict[str, str]:
    return {name: f.digest for name, f in fingerprints(load_sources(sources)).items()}


def _rewrite_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    assert len(old) == len(new)
    stamp = path.stat()
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert path.stat().st_size == stamp.st_size


@pytest.fixture
def sources(tmp_path) -> Path:
    return _write_sources(tmp_path)


def test_unchanged_inputs_keep_every_digest(sources, tmp_path):
    first = _digests(sources)
    assert _digests(sources) == first
    # a file no glob, manifest or pool names, under a source without pages: not an input
    (tmp_path / "code" / "notes.txt").write_text("scratch")
    assert _digests(sources) == first


def test_a_web_source_counts_its_pages_and_every_file_under_its_root(sources, tmp_path):
    web = fingerprints(load_sources(sources))["web"]
    pages = [tmp_path / "web" / "pages" / name for name in ("a.html", "b.html")]
    assert web.files == 3
    assert web.bytes == 64 + sum(page.stat().st_size for page in pages)


def test_an_edited_alt_text_changes_the_digest_at_the_same_size_and_time(sources, tmp_path):
    first = _digests(sources)
    _rewrite_keeping_size_and_time(tmp_path / "web" / "pages" / "a.html", "red fox", "old fox")
    after = _digests(sources)
    assert after["web"] != first["web"]
    assert after["code"] == first["code"]  # the other source is still reused


def test_a_new_page_changes_the_web_digest(sources, tmp_path):
    first = _digests(sources)
    (tmp_path / "web" / "pages" / "blog").mkdir()
    (tmp_path / "web" / "pages" / "blog" / "c.html").write_text(PAGE.format(alt="Another"))
    assert _digests(sources)["web"] != first["web"]


def test_the_images_pages_point_at_are_inputs(sources, tmp_path):
    image = tmp_path / "web" / "img" / "fox.jpg"
    first = _digests(sources)["web"]

    image.write_bytes(b"k" * 65)  # replaced by another file
    replaced = _digests(sources)["web"]
    assert replaced != first

    image.unlink()  # only a page references it: its texts become rejects
    deleted = _digests(sources)["web"]
    assert deleted not in (first, replaced)

    # b.html points at /img/later.jpg, missing so far; the file appearing is a change
    (tmp_path / "web" / "img" / "later.jpg").write_bytes(b"l" * 8)
    assert _digests(sources)["web"] != deleted


def test_a_retargeted_folder_link_under_a_web_root_is_a_change(sources, tmp_path):
    web = tmp_path / "web"
    (web / "photos_2023").mkdir()
    (web / "photos_2024").mkdir()
    link = web / "photos"
    link.symlink_to("photos_2023")
    first = _digests(sources)["web"]
    link.unlink()
    link.symlink_to("photos_2024")
    assert _digests(sources)["web"] != first


def test_an_appended_pool_line_changes_the_code_digest(sources, tmp_path):
    first = _digests(sources)
    with (tmp_path / "code" / "pool.jsonl").open("a") as handle:
        handle.write('{"id": "d2", "text": "Return the answer."}\n')
    after = _digests(sources)
    assert after["code"] != first["code"]
    assert after["web"] == first["web"]


def test_pool_texts_are_hashed_not_stated(sources, tmp_path):
    first = _digests(sources)["code"]
    _rewrite_keeping_size_and_time(tmp_path / "code" / "pool.jsonl", "nothing", "naught!")
    assert _digests(sources)["code"] != first


def test_a_pool_counts_as_a_file_of_its_source(sources, tmp_path):
    code = fingerprints(load_sources(sources))["code"]
    files = [tmp_path / "code" / name for name in ("code.jsonl", "pool.jsonl")]
    assert (code.files, code.bytes) == (2, sum(path.stat().st_size for path in files))
