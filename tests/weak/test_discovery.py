"""Discovery of saved pages: the fixture site gives exactly these items, pairs and rejects."""

import json

import pandas as pd
import pytest

from crosspair.catalog import (
    DISCOVERED_COLUMNS,
    build_catalog,
    discovered_frame,
    rejects_frame,
)
from crosspair.discover import discover
from crosspair.ids import item_id
from crosspair.schemas import (
    CATALOGS,
    PAIRS,
    REJECTS,
    UNPAIRED,
    WEAK_LABEL_VOTES,
    empty_frame,
)
from crosspair.sources import parse_sources
from crosspair.weak.tables import label_settings, label_votes, weak_pair_table, weak_unpaired
from tests.weak.conftest import html_source

POST, INDEX, BROKEN = "pages/blog/post.html", "pages/index.html", "pages/broken.html"
FOX_PARAGRAPH = "We watched a red fox cross the river at dawn."
COFFEE_ALT = "A steaming cup of black coffee on a wooden table"


def _texts(found):
    return {
        (c.path, c.payload["anchor"], c.payload["kind"], c.payload["text"])
        for c in found.candidates
        if c.modality == "text"
    }


def test_pages_give_their_images_and_texts(site_config):
    found = discover(site_config)
    images = {(c.path, c.record_key) for c in found.candidates if c.modality == "image"}
    # one item per file, however many pages or elements show it
    assert images == {("img/logo.png", ""), ("img/fox.jpg", ""), ("img/coffee-cup.png", "")}
    assert _texts(found) == {
        (POST, "img/logo.png", "alt_text", "Company logo"),
        (POST, "img/logo.png", "paragraph", FOX_PARAGRAPH),
        (POST, "img/fox.jpg", "alt_text", ""),
        (POST, "img/fox.jpg", "figcaption", "A red fox on the frozen river"),
        (POST, "img/fox.jpg", "paragraph", FOX_PARAGRAPH),
        (POST, "img/coffee-cup.png", "alt_text", COFFEE_ALT),
        (POST, "img/coffee-cup.png", "paragraph", FOX_PARAGRAPH),
        (INDEX, "img/coffee-cup.png", "alt_text", "coffee-cup.png"),
        (INDEX, "img/coffee-cup.png", "paragraph", "Fresh coffee every morning."),
        (INDEX, "img/logo.png", "paragraph", "Fresh coffee every morning."),
    }
    by_key = {c.record_key: c for c in found.candidates}
    assert by_key["img/fox.jpg#img2:figcaption"].payload["language"] == "en"
    assert by_key["img/fox.jpg#img2:figcaption"].item_id == item_id(
        "site", POST, "img/fox.jpg#img2:figcaption"
    )


def test_unusable_images_and_their_texts_are_rejects_naming_page_and_src(site_config):
    found = discover(site_config)
    rejects = {(r["modality"], r["path"], r["record_key"], r["reason"]) for r in found.rejects}
    assert rejects == {
        ("image", BROKEN, "img1", "missing_file"),
        ("text", BROKEN, "img/missing.jpg#img1:alt_text", "missing_file"),
        ("image", BROKEN, "img2", "remote_url"),
        ("text", BROKEN, "#img2:alt_text", "remote_url"),
        ("image", BROKEN, "img3", "data_uri"),  # no alt attribute: no text to reject
        ("image", BROKEN, "img4", "path_outside_root"),
        ("text", BROKEN, "#img4:alt_text", "path_outside_root"),
        ("image", BROKEN, "img5", "invalid_record"),
        ("text", BROKEN, "#img5:alt_text", "invalid_record"),
        ("image", BROKEN, "img6", "symlink_outside_root"),
        ("text", BROKEN, "img/escape.jpg#img6:alt_text", "symlink_outside_root"),
    }
    details = {r["record_key"]: r["detail"] for r in found.rejects}
    assert details["img1"].startswith("pages/broken.html <img #1> src '../img/missing.jpg': ")
    assert details["img2"].endswith("image outside the site_url https://example.org/")
    REJECTS.validate(rejects_frame(found.rejects), lazy=True)


@pytest.fixture
def labelled(site_config):
    found = discover(site_config)
    images, _ = build_catalog("image", [c for c in found.candidates if c.modality == "image"])
    texts, text_rejects = build_catalog(
        "text", [c for c in found.candidates if c.modality == "text"]
    )
    votes = label_votes(discovered_frame(found), images, texts, label_settings(site_config))
    return votes, texts, text_rejects


def test_votes_decide_every_candidate_with_hand_worked_confidences(labelled):
    votes, _, text_rejects = labelled
    WEAK_LABEL_VOTES.validate(votes, lazy=True)
    assert list(text_rejects["record_key"]) == ["img/fox.jpg#img2:alt_text"]  # empty alt
    outcome = {
        (r.page, r.image_path, r.kind): (round(r.confidence, 4), r.decision, r.reason)
        for r in votes.itertuples()
    }
    assert outcome == {
        # keep: one weight-1 keep vote -> (1 + 0.5) / (1 + 1) = 0.75
        (POST, "img/coffee-cup.png", "alt_text"): (0.75, "keep", ""),
        (INDEX, "img/coffee-cup.png", "paragraph"): (0.75, "keep", ""),
        (POST, "img/fox.jpg", "paragraph"): (0.75, "keep", ""),
        # figcaption weight 2 -> 2.5 / 3
        (POST, "img/fox.jpg", "figcaption"): (0.8333, "keep", ""),
        # nothing votes -> the prior alone, 0.5 < 0.6
        (POST, "img/coffee-cup.png", "paragraph"): (0.5, "drop", "below_threshold"),
        (POST, "img/logo.png", "paragraph"): (0.5, "drop", "below_threshold"),
        (INDEX, "img/logo.png", "paragraph"): (0.5, "drop", "below_threshold"),
        # boilerplate 2 + too_short 1 -> 0.5 / 4
        (POST, "img/logo.png", "alt_text"): (0.125, "drop", "boilerplate;too_short"),
        # file_name 2 + too_short 1 + not_language 2 -> 0.5 / 6
        (INDEX, "img/coffee-cup.png", "alt_text"): (
            0.0833,
            "drop",
            "file_name;too_short;not_language",
        ),
        # veto; the text probe rejected it too
        (POST, "img/fox.jpg", "alt_text"): (0.0, "drop", "empty_text;text_rejected"),
    }


def test_kept_candidates_are_the_pairs_and_point_at_catalogued_items(labelled):
    votes, texts, _ = labelled
    pairs = weak_pair_table(votes)
    PAIRS.validate(pairs, lazy=True)
    text_of = dict(zip(texts["item_id"], texts["text"], strict=True))
    got = {(row.left_id, text_of[row.right_id], round(row.score, 4)) for row in pairs.itertuples()}
    fox, coffee = item_id("site", "img/fox.jpg"), item_id("site", "img/coffee-cup.png")
    assert got == {
        (fox, "A red fox on the frozen river", 0.8333),
        (fox, FOX_PARAGRAPH, 0.75),
        (coffee, COFFEE_ALT, 0.75),
        (coffee, "Fresh coffee every morning.", 0.75),
    }
    assert set(pairs["method"]) == {"weak_supervision"}
    assert set(pairs["group_id"]) == {fox, coffee}
    params = json.loads(pairs.iloc[0]["params"])
    assert params["threshold"] == 0.6 and params["model_name"] == "crosspair.weak.label_model"
    assert set(params["votes"]) == {c.removeprefix("vote_") for c in votes if "vote_" in c}


def test_a_higher_threshold_keeps_only_the_figcaption(site):
    config = parse_sources({"sources": [html_source(threshold=0.8)]}, base_dir=site.parent)
    found = discover(config)
    images, _ = build_catalog("image", [c for c in found.candidates if c.modality == "image"])
    texts, _ = build_catalog("text", [c for c in found.candidates if c.modality == "text"])
    votes = label_votes(discovered_frame(found), images, texts, label_settings(config))
    kept = votes[votes["decision"] == "keep"]
    assert list(kept["kind"]) == ["figcaption"]
    assert set(votes["threshold"]) == {0.8}


def test_dropped_texts_and_images_left_without_text_are_listed_as_unpaired(labelled):
    votes, _, _ = labelled
    unpaired = weak_unpaired(votes)
    UNPAIRED.validate(unpaired, lazy=True)
    texts = sorted(
        (r.path, r.wanted, r.reason.removeprefix("weak labels dropped it: "))
        for r in unpaired.itertuples()
        if r.modality == "text"
    )
    assert texts == [
        (POST, "alt_text ↔ its image", "boilerplate;too_short"),
        (POST, "alt_text ↔ its image", "empty_text;text_rejected"),
        (POST, "paragraph ↔ its image", "below_threshold"),  # of the coffee cup
        (POST, "paragraph ↔ its image", "below_threshold"),  # of the logo
        (INDEX, "alt_text ↔ its image", "file_name;too_short;not_language"),
        (INDEX, "paragraph ↔ its image", "below_threshold"),
    ]
    images = unpaired[unpaired["modality"] == "image"]
    assert list(images["path"]) == ["img/logo.png"]  # fox and coffee cup kept a text each
    assert images.iloc[0]["reason"] == (
        "weak labels dropped all 3 texts (alt_text: boilerplate;too_short, "
        "paragraph: below_threshold, paragraph: below_threshold)"
    )


def test_an_image_found_by_files_and_by_pages_is_one_item(site):
    config = parse_sources(
        {"sources": [{**html_source(), "files": ["img/*"]}]}, base_dir=site.parent
    )
    found = discover(config)
    images = sorted(c.path for c in found.candidates if c.modality == "image")
    assert images == ["img/coffee-cup.png", "img/fox.jpg", "img/logo.png"]
    # the escaping symlink: rejected by the glob, and on the page with its alt text
    assert [r["path"] for r in found.rejects if r["reason"] == "symlink_outside_root"] == [
        "img/escape.jpg",
        BROKEN,
        BROKEN,
    ]


def test_an_erased_image_takes_its_page_texts_with_it(site_config):
    found = discover(site_config, is_erased=lambda c: c.path == "img/fox.jpg")
    assert not [c for c in found.candidates if "fox" in c.path or "fox.jpg" in c.record_key]
    assert found.erased == {"site": 4}  # the image, its alt text, figcaption and paragraph


def test_without_pages_the_tables_are_empty_with_their_columns():
    discovered = pd.DataFrame(
        [["0" * 16, "s", "text", "c.jsonl", "a.jpg#0", "", "CC0", "", '{"kind": "caption"}']],
        columns=DISCOVERED_COLUMNS,
    )
    votes = label_votes(discovered, empty_frame(CATALOGS["image"]), empty_frame(CATALOGS["text"]))
    assert votes.empty and "vote_figcaption" in votes.columns
    WEAK_LABEL_VOTES.validate(votes)
    assert weak_pair_table(votes).empty and list(weak_pair_table(votes)) == list(PAIRS.columns)
    assert weak_unpaired(votes).empty


def test_a_page_that_links_out_of_the_root_is_a_reject(site, site_config):
    outside = site.parent / "outside.html"
    outside.write_text('<img src="img/fox.jpg" alt="A fox outside">', encoding="utf-8")
    (site / "pages" / "linked.html").symlink_to(outside)
    found = discover(site_config)
    row = next(r for r in found.rejects if r["path"] == "pages/linked.html")
    assert (row["modality"], row["record_key"], row["reason"]) == (
        "text",
        "page",
        "symlink_outside_root",
    )
    assert not [c for c in found.candidates if c.path == "pages/linked.html"]
