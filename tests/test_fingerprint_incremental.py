"""Incremental builds decode a source again when its saved pages, the images they show or its
match pool change, and keep reusing the sources whose inputs did not."""

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from dagster import DagsterInstance
from PIL import Image

from dagster_project.build import build_incremental, failed_checks
from tests.corpus import web_and_pool_sources

pytestmark = pytest.mark.slow

PAGE = """<html><body>
<p>We watched a red fox cross the frozen river at dawn.</p>
<img src="../img/{image}" alt="{alt}">
</body></html>
"""
FOX_ALT = "A red fox crossing the frozen river at dawn"
EDITED_ALT = "A red fox resting on the frozen river bank"
NEW_ALT = "A grey heron standing in shallow green water"
CODE = {"id": "add", "code": "def add(a, b):\n    return a + b\n", "doc": []}
POOL_TEXT = "Return the sum of two numbers."
NEW_POOL_TEXT = "Add two numbers together and return the result."


def _write_sources(raw: Path) -> Path:
    """A web source 'web' (pages only) and a code source 'code' whose docstring is in a pool."""
    (raw / "web" / "img").mkdir(parents=True)
    (raw / "web" / "pages").mkdir()
    for name, colour in (("fox.png", (200, 80, 20)), ("heron.png", (90, 90, 110))):
        Image.new("RGB", (24, 16), colour).save(raw / "web" / "img" / name)
    (raw / "web" / "pages" / "fox.html").write_text(PAGE.format(image="fox.png", alt=FOX_ALT))
    (raw / "code").mkdir()
    (raw / "code" / "code.jsonl").write_text(json.dumps(CODE) + "\n")
    (raw / "code" / "pool.jsonl").write_text(json.dumps({"id": "d1", "text": POOL_TEXT}) + "\n")
    sources = web_and_pool_sources()
    path = raw / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": sources}))
    return path


def _table(data: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(data / "tables" / f"{name}.parquet")


@pytest.fixture
def quiet_build_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CROSSPAIR_CODE_VERSION", "fingerprint-test")
    monkeypatch.setenv("CROSSPAIR_ERASURE_LEDGER", str(tmp_path / "erasure" / "ledger.jsonl"))
    monkeypatch.setenv("CROSSPAIR_CLIP_CHECKPOINT", "")


def test_pages_their_images_and_pools_are_inputs_of_their_source(tmp_path, quiet_build_env):
    raw = tmp_path / "raw"
    sources = _write_sources(raw)
    data = tmp_path / "data"
    home = tmp_path / "home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        first = build_incremental(sources, data, instance)
        assert first.success and first.materialised == ["code", "web"]
        assert set(_table(data, "weak_label_votes")["text"]) >= {FOX_ALT}

        again = build_incremental(sources, data, instance)
        assert again.success and again.materialised == [] and again.fresh == ["code", "web"]

        # 1. an alt text edited and a page added: 'web' is decoded again, 'code' reused
        fox_page = raw / "web" / "pages" / "fox.html"
        fox_page.write_text(fox_page.read_text().replace(FOX_ALT, EDITED_ALT))
        heron_page = raw / "web" / "pages" / "heron.html"
        heron_page.write_text(PAGE.format(image="heron.png", alt=NEW_ALT))
        pages = build_incremental(sources, data, instance)
        assert pages.success and pages.materialised == ["web"] and pages.fresh == ["code"]
        assert "source files" in pages.reasons["web"]
        texts = set(_table(data, "weak_label_votes")["text"])
        assert {EDITED_ALT, NEW_ALT} <= texts and FOX_ALT not in texts

        # 2. a line appended to the pool: 'code' is decoded again and its new text catalogued
        with (raw / "code" / "pool.jsonl").open("a") as handle:
            handle.write(json.dumps({"id": "d2", "text": NEW_POOL_TEXT}) + "\n")
        pool = build_incremental(sources, data, instance)
        assert pool.success and pool.materialised == ["code"] and pool.fresh == ["web"]
        catalog = _table(data, "text_catalog")
        assert set(catalog.loc[catalog["source"] == "code", "text"]) == {POOL_TEXT, NEW_POOL_TEXT}

        # 3. an image only a page shows deleted: decoded again, its texts become rejects, and
        # no integrity check trips over a catalogued file that is gone
        (raw / "web" / "img" / "heron.png").unlink()
        deleted = build_incremental(sources, data, instance)
        assert deleted.success and deleted.materialised == ["web"] and deleted.fresh == ["code"]
        assert failed_checks(deleted) == []
        images = _table(data, "image_catalog")
        assert list(images["path"]) == ["img/fox.png"]
        rejects = _table(data, "rejects")
        heron = rejects[rejects["path"] == "pages/heron.html"]
        assert set(heron["reason"]) == {"missing_file"}
        assert len(heron) == 3  # the image and its two texts: alt text and paragraph
