"""The report of a real demo build: counts, rejects, previews and histograms match the tables."""

import filecmp
import json
import re
from html import escape
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from crosspair.erasure.rewrite import examine
from crosspair.erasure.targets import Targets
from crosspair.export.webdataset import resolver_from_roots
from crosspair.report import write_report
from crosspair.report.media import STRIP_GAP, STRIP_HEIGHT, THUMBNAIL_SIZE
from tests.report.conftest import VERSION
from tests.report.demo_build import copy_tables, expected_counts, html_counts

# a word span is #f4b860 at alpha 0.35 over white (the first word of each waveform)
WORD_SPAN_RGB = np.array([251, 230, 199])


def _page_text(report: Path) -> str:
    return "\n".join(page.read_text() for page in sorted(report.parent.glob("pairs-*.html")))


def _card(report: Path, pair_id: str) -> str:
    """The one line of the pair browser that holds a pair's card."""
    lines = [line for line in _page_text(report).splitlines() if f'id="pair-{pair_id}"' in line]
    assert len(lines) == 1
    return lines[0]


def test_headline_counts_are_the_tables_counts(demo_build, report):
    expected = expected_counts(demo_build)
    html = report.read_text()
    assert html_counts(html) == expected
    assert json.loads((report.parent / "report.json").read_text())["counts"] == expected
    # what crosspair/demo.py writes for these sources (other demo sources come and go)
    images, videos = demo_build.table("image_catalog"), demo_build.table("video_catalog")
    assert (images["source"] == "demo_images").sum() == 5
    assert (videos["source"] == "demo_video").sum() == expected["items-video"] == 2
    assert f'id="report-version">{VERSION}<' in html


def test_rejects_table_counts_each_reason(demo_build, report):
    rejects = demo_build.table("rejects")
    ours = rejects[rejects["source"].isin(["demo_images", "demo_speech"])]
    assert dict(zip(ours["path"], ours["reason"], strict=True)) == {
        "images/broken.jpg": "corrupt",
        "audio/silent.wav": "empty_file",
    }
    html = report.read_text()
    shown = dict(re.findall(r'<td class="num" id="rejects-(\w+)">(\d+)</td>', html))
    assert {k: int(v) for k, v in shown.items()} == rejects["reason"].value_counts().to_dict()


def test_every_image_pair_shows_a_thumbnail_of_its_image(demo_build, report):
    images = demo_build.table("image_catalog").set_index("item_id")
    pairs = demo_build.table("pairs")
    for pair in pairs[pairs["left_modality"] == "image"].itertuples():
        thumb = report.parent / "assets" / "thumbs" / f"{pair.left_id}.jpg"
        with Image.open(thumb) as image:
            assert image.format == "JPEG"
            width, height = image.size
        source = images.loc[pair.left_id]
        assert max(width, height) == min(THUMBNAIL_SIZE[0], max(source.width, source.height))
        assert abs(width / height - source.width / source.height) < 0.02
        assert f'src="assets/thumbs/{pair.left_id}.jpg"' in _card(report, pair.pair_id)


def _has_word_spans(png: Path) -> bool:
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=int)
    return bool((np.abs(pixels - WORD_SPAN_RGB).max(axis=2) <= 3).any())


def test_every_aligned_pair_has_a_waveform_with_its_words(demo_build, report):
    summary = demo_build.table("alignment_summary")
    words = demo_build.table("word_alignment")
    assert len(summary) == 5  # the five demo sentences
    for row in summary.itertuples():
        png = report.parent / "assets" / "waveforms" / f"{row.pair_id}.png"
        assert Image.open(png).size == (900, 190)
        assert _has_word_spans(png)
        card = _card(report, row.pair_id)
        assert f'src="assets/waveforms/{row.pair_id}.png"' in card
        assert f"{row.n_timed} of {row.n_tokens} words timed" in card
        transcript = " ".join(words[words["pair_id"] == row.pair_id]["token"])
        assert transcript.split()[0] in card


def test_every_video_has_a_keyframe_strip_and_its_sync_offset(demo_build, report):
    videos = demo_build.table("video_catalog").set_index("item_id")
    sync = demo_build.table("sync_offsets")
    assert len(sync) == 2
    for row in sync.itertuples():
        video = videos.loc[row.video_id]
        frame_width = round(video.width * STRIP_HEIGHT / video.height)
        with Image.open(report.parent / "assets" / "keyframes" / f"{row.video_id}.jpg") as strip:
            assert strip.size == (4 * frame_width + 3 * STRIP_GAP, STRIP_HEIGHT)
        png = report.parent / "assets" / "waveforms" / f"{row.pair_id}.png"
        assert not _has_word_spans(png)  # a soundtrack, not speech with words
        card = _card(report, row.pair_id)
        if row.reason:
            assert f"no reliable estimate: {escape(row.reason)}" in card
        else:
            assert f"{row.offset_s * 1000:+.1f} ms, sound minus picture" in card
        assert re.search(r"frames at \d+\.\d\d s(, \d+\.\d\d s){3}", card)


def test_histograms_hold_the_tables_values(demo_build, report):
    histograms = json.loads((report.parent / "report.json").read_text())["histograms"]
    texts = demo_build.table("text_catalog")
    lengths = histograms["text_lengths"]
    edges = np.array(lengths["edges"])
    assert set(lengths["series"]) == set(texts["kind"])
    for kind, part in texts.groupby("kind"):
        # bin i holds edges[i] <= n < edges[i+1]; the last bin also holds its right edge
        bins = np.minimum(np.searchsorted(edges, part["n_words"], side="right") - 1, len(edges) - 2)
        assert lengths["series"][kind] == np.bincount(bins, minlength=len(edges) - 1).tolist()
    assert lengths["total"] == len(texts)
    assert (report.parent / "assets" / "charts" / "text_lengths.png").is_file()

    words = demo_build.table("word_alignment")
    assert histograms["alignment_scores"]["total"] == int(words["timed"].sum())
    reliable = demo_build.table("sync_offsets").query("reason == ''")
    assert histograms["sync_offsets"]["total"] == len(reliable)

    # a pair's own score per method, else the model's score of it (pair_scores); a build
    # with neither says so instead
    pairs = demo_build.table("pairs")
    scored = pairs[pairs["score"].notna()]
    expected = scored["method"].value_counts().to_dict()
    rescored = demo_build.table("pair_scores")
    rescored = rescored[rescored["pair_id"].isin(pairs.loc[pairs["score"].isna(), "pair_id"])]
    for (method, model), part in rescored.groupby(["method", "model_name"]):
        expected[f"{method}, scored by {model}"] = len(part)
    assert len(rescored) > 0  # the demo's heuristic code pairs are scored by MiniLM
    scores = histograms["pair_scores"]
    assert {m: sum(c) for m, c in scores["series"].items()} == expected
    assert scores["total"] == len(scored) + len(rescored)
    chart = report.parent / "assets" / "charts" / "pair_scores.png"
    assert chart.is_file()
    assert "No pair has a score: all" not in report.read_text()


def test_links_are_relative_and_every_one_resolves(report):
    for page in report.parent.glob("*.html"):
        html = page.read_text()
        assert "http://" not in html and "https://" not in html and "<script" not in html
        for target in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not target.startswith(("/", "file:")), target
            assert (report.parent / target).is_file(), f"{page.name}: {target}"


def test_same_tables_give_byte_identical_reports(demo_build, report, tmp_path):
    resolve = demo_build.resolve
    again = write_report(demo_build.data_dir, tmp_path / "again", VERSION, resolve=resolve)
    compare = filecmp.dircmp(report.parent, again.parent)
    stack = [compare]
    while stack:
        current = stack.pop()
        assert not current.left_only and not current.right_only
        _, mismatch, errors = filecmp.cmpfiles(
            current.left, current.right, current.common_files, shallow=False
        )
        assert mismatch == [] and errors == []
        stack.extend(current.subdirs.values())


def test_unreadable_media_is_listed_and_the_rest_still_shows(demo_build, tmp_path):
    """A caption's image replaced by junk after the build: its card says why, others show."""
    catalog = demo_build.table("image_catalog")
    images = catalog[catalog["source"] == "demo_images"]
    broken = images[images["path"] == "images/coffee.jpg"].iloc[0]
    roots = dict(demo_build.roots)
    copy = tmp_path / "images"
    (copy / "images").mkdir(parents=True)
    for path in images["path"]:
        (copy / path).write_bytes((roots["demo_images"] / path).read_bytes())
    (copy / broken.path).write_bytes(b"not a jpeg at all")
    roots["demo_images"] = copy

    resolve = resolver_from_roots(roots, demo_build.data_dir)
    index = write_report(demo_build.data_dir, tmp_path / "report", "v", resolve=resolve)
    html = index.read_text()
    assert f"assets/thumbs/{broken.item_id}.jpg" in html and "UnidentifiedImageError" in html
    assert not (index.parent / "assets" / "thumbs" / f"{broken.item_id}.jpg").exists()
    paired = set(demo_build.table("pairs")["left_id"]) & set(catalog["item_id"])
    assert len(list((index.parent / "assets" / "thumbs").glob("*.jpg"))) == len(paired) - 1
    assert json.loads((index.parent / "report.json").read_text())["preview_errors"] == 1


def test_without_sources_or_timing_tables_the_report_says_what_is_missing(demo_build, tmp_path):
    data = copy_tables(demo_build, tmp_path / "data", ("sync_offsets", "word_alignment"))
    index = write_report(data, tmp_path / "report", "v")
    html = index.read_text()
    assert "This build has no word_alignment, sync_offsets table" in html
    assert html_counts(html)["synced-pairs"] == 0
    assert not (index.parent / "assets" / "thumbs").exists()
    assert "the report was written without source folders" in _page_text(index)


def test_a_missing_pair_table_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "tables").mkdir()
    with pytest.raises(FileNotFoundError, match=r"pairs\.parquet not found: build the dataset"):
        write_report(tmp_path, tmp_path / "report", "v")


def test_an_erasure_takes_a_pair_and_its_previews_out_of_the_report(demo_build, report):
    """crosspair.erasure's own filters remove an erased image's cards and thumbnail whole."""
    pairs = demo_build.table("pairs")
    images = demo_build.table("image_catalog")
    image_id = images.loc[images["path"] == "images/coffee.jpg", "item_id"].iloc[0]
    erased_pairs = set(pairs.loc[pairs["left_id"] == image_id, "pair_id"])
    targets = Targets(item_ids={image_id}, pair_ids=erased_pairs, group_ids={image_id})
    kept = set(pairs["pair_id"]) - erased_pairs

    for path in sorted(report.parent.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(report.parent).as_posix()
        outcome = examine(path.read_bytes(), relative, targets)
        if relative == f"assets/thumbs/{image_id}.jpg":
            assert outcome.op == "delete"
        elif relative.startswith("pairs-"):
            assert outcome.op == "rewrite" and outcome.removed == len(erased_pairs)
            text = outcome.data.decode()
            assert image_id not in text and "espresso" not in text.lower()
            assert all(f'id="pair-{pair_id}"' in text for pair_id in kept)
            assert text.count('<div class="pair"') == len(kept)
        else:
            assert outcome.op is None, relative
