"""Discovery of saved pages: the fixture site gives exactly these items, pairs and rejects."""

import json
import os

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
from crosspair.items import Candidate, reject_row
from crosspair.schemas import (
    CATALOGS,
    PAIRS,
    REJECTS,
    UNPAIRED,
    WEAK_LABEL_VOTES,
    empty_frame,
)
from crosspair.sources import parse_sources
from crosspair.weak import discovery as weak_discovery
from crosspair.weak.discovery import harvest_pages
from crosspair.weak.tables import label_settings, label_votes, weak_pair_table, weak_unpaired
from crosspair.weak.urls import locate_image
from tests.weak.conftest import _image, html_source

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


def _write(site, rel, markup: bytes | str):
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(markup.encode() if isinstance(markup, str) else markup)


def test_a_page_whose_name_is_not_utf8_is_a_reject_that_says_rename_it(site, site_config):
    page = site / "pages" / os.fsdecode(b"bad\xff.html")
    page.write_text('<img src="../img/fox.jpg" alt="A red fox">', encoding="utf-8")
    found = discover(site_config)
    row = next(r for r in found.rejects if r["record_key"] == "page")
    assert (row["modality"], row["path"], row["reason"]) == (
        "text",
        "pages/bad\\xff.html",
        "invalid_record",
    )
    assert row["detail"] == (
        "saved page pages/bad\\xff.html: the file name 'pages/bad\\\\xff.html' is not valid "
        "UTF-8; rename the file"
    )
    assert not [c for c in found.candidates if "bad" in c.path]
    REJECTS.validate(rejects_frame(found.rejects), lazy=True)


def test_a_page_over_the_size_limit_is_a_reject_naming_page_and_limit(site):
    _write(site, "pages/huge.html", "<p>" + "x" * 1_100_000 + '</p><img src="../img/fox.jpg">')
    config = parse_sources({"sources": [html_source(max_page_mb=1)]}, base_dir=site.parent)
    found = discover(config)
    row = next(r for r in found.rejects if r["path"] == "pages/huge.html")
    assert (row["record_key"], row["reason"]) == ("page", "invalid_record")
    assert row["detail"] == (
        "saved page pages/huge.html: 1.1 MB, over the limit html.max_page_mb = 1 of source "
        "'site'; raise the limit or split the page"
    )
    assert not [c for c in found.candidates if c.path == "pages/huge.html"]
    assert [c.path for c in found.candidates if c.path == POST]  # the other pages are read


def test_one_bad_srcset_costs_only_its_own_image(site, site_config):
    _write(
        site,
        "pages/gallery.html",
        """<p>Our garden.</p>
        <img srcset=" , ../img/fox.jpg 2x" alt="A red fox in the garden at dusk">
        <img srcset=" , , " alt="A picture that names no file">
        <img src="../img/logo.png" alt="The logo of our garden club">""",
    )
    found = discover(site_config)
    gallery = "pages/gallery.html"
    rejects = {(r["record_key"], r["reason"]) for r in found.rejects if r["path"] == gallery}
    assert rejects == {
        ("img2", "invalid_record"),
        ("#img2:alt_text", "invalid_record"),
        ("#img2:paragraph", "invalid_record"),
    }
    detail = next(
        r["detail"] for r in found.rejects if (r["path"], r["record_key"]) == (gallery, "img2")
    )
    assert detail == (
        "pages/gallery.html <img #2> src '': no src, and img srcset ' , , ' names no image "
        "URL; give the <img> a src"
    )
    kept = {(c.payload["anchor"], c.payload["kind"]) for c in found.candidates if c.path == gallery}
    assert kept == {
        ("img/fox.jpg", "alt_text"),
        ("img/fox.jpg", "paragraph"),
        ("img/logo.png", "alt_text"),
        ("img/logo.png", "paragraph"),
    }


def test_a_problem_while_harvesting_one_element_spares_the_rest(site, site_config, monkeypatch):
    real = locate_image

    def fails_on_fox(src, *args):
        if src == "../../img/fox.jpg":
            raise RuntimeError("boom")
        return real(src, *args)

    monkeypatch.setattr(weak_discovery, "locate_image", fails_on_fox)
    found = discover(site_config)
    row = next(r for r in found.rejects if r["path"] == POST)
    assert (row["modality"], row["record_key"], row["reason"]) == (
        "image",
        "img2",
        "invalid_record",
    )
    assert (
        row["detail"]
        == "pages/blog/post.html <img #2>: could not be harvested (RuntimeError: boom)"
    )
    kinds = {(c.payload["anchor"], c.payload["kind"]) for c in found.candidates if c.path == POST}
    assert ("img/coffee-cup.png", "alt_text") in kinds and ("img/logo.png", "alt_text") in kinds


def test_texts_of_an_image_the_source_rejected_get_its_reason(site):
    config = parse_sources({"sources": [html_source()]}, base_dir=site.parent)
    source = config.by_name("site")
    _write(site, "pages/tilde.html", '<img src="../~cat.jpg" alt="A tabby cat sleeping on a sofa">')
    (site / "~cat.jpg").write_bytes((site / "img" / "fox.jpg").read_bytes())
    # as the core did before: '~cat.jpg' taken for a home folder, rejected from the files glob
    rejected = Candidate(
        item_id=item_id("site", "~cat.jpg", ""),
        source="site",
        modality="image",
        path="~cat.jpg",
        record_key="",
        abs_path=None,
        licence="CC0-1.0",
        subject_ids="",
    )
    row = reject_row(rejected, "discover", "path_outside_root", "absolute path '~cat.jpg'")
    found = harvest_pages(source, site, {"~cat.jpg": rejected}, lambda rel: "", [row])
    tilde = [
        (c.modality, c.record_key, r) for c, r in found.rejects if c.path == "pages/tilde.html"
    ]
    assert [(m, key, r["reason"]) for m, key, r in tilde] == [
        ("image", "img1", "path_outside_root"),
        ("text", "~cat.jpg#img1:alt_text", "path_outside_root"),
    ]
    assert tilde[1][2]["detail"] == (
        "pages/tilde.html <img #1> src '../~cat.jpg': its image could not be used, so neither "
        "can its alt_text: ~cat.jpg is a reject of the source (absolute path '~cat.jpg')"
    )
    # without the source's reject rows the texts still say why
    alone = harvest_pages(source, site, {"~cat.jpg": rejected}, lambda rel: "")
    reasons = {r["reason"] for c, r in alone.rejects if c.path == "pages/tilde.html"}
    assert reasons == {"invalid_record"}
    assert all(r["reason"] and r["detail"] for _, r in alone.rejects)


def test_every_reject_from_a_page_has_a_reason(site):
    (site / "~cat.jpg").write_bytes((site / "img" / "fox.jpg").read_bytes())
    _write(site, "pages/tilde.html", '<img src="../~cat.jpg" alt="A tabby cat sleeping on a sofa">')
    config = parse_sources(
        {"sources": [{**html_source(), "files": ["*.jpg", "img/*"]}]}, base_dir=site.parent
    )
    found = discover(config)
    REJECTS.validate(rejects_frame(found.rejects), lazy=True)
    assert all(row["reason"] and row["detail"] for row in found.rejects)
    tilde_texts = [c for c in found.candidates if c.path == "pages/tilde.html"]
    tilde_rejects = [r for r in found.rejects if r["path"] == "pages/tilde.html"]
    assert len(tilde_texts) + len([r for r in tilde_rejects if r["modality"] == "text"]) == 1


def test_texts_with_replacement_characters_are_flagged_and_dropped(site, site_config, caplog):
    _write(
        site,
        "pages/cp1252.html",
        b'<meta charset="utf-8"><img src="../img/fox.jpg" alt="A red fox by the caf\xe9 door">',
    )
    found = discover(site_config)
    assert "saved page pages/cp1252.html holds 1 U+FFFD" in caplog.text
    images, _ = build_catalog("image", [c for c in found.candidates if c.modality == "image"])
    texts, _ = build_catalog("text", [c for c in found.candidates if c.modality == "text"])
    votes = label_votes(discovered_frame(found), images, texts, label_settings(site_config))
    row = votes[votes["page"] == "pages/cp1252.html"].iloc[0]
    assert row["text"] == "A red fox by the caf\ufffd door"
    # descriptive_alt keeps (1), garbled_text drops (2): 1.5 / 4
    assert (row["vote_garbled_text"], row["confidence"], row["decision"]) == ("drop", 0.375, "drop")
    assert row["reason"] == "garbled_text"


def test_a_base_href_decides_which_image_the_texts_belong_to(tmp_path):
    root = tmp_path / "site"
    _image(root / "pages" / "cat.jpg", (200, 0, 0))  # where a page without base would look
    _image(root / "gallery" / "cat.jpg", (0, 200, 0))
    _image(tmp_path / "elsewhere" / "cat.jpg", (0, 0, 200))  # outside the root
    horses = "Horses standing on a grassy hill above a lake"
    _write(
        root,
        "pages/p.html",
        f'<base href="../gallery/"><figure><img src="cat.jpg" alt="{horses}">'
        "<figcaption>Horses grazing</figcaption></figure>",
    )
    _write(
        root,
        "pages/remote.html",
        '<base href="https://cdn.example.net/media/"><img src="cat.jpg" alt="A remote cat">',
    )
    _write(root, "pages/escape.html", '<base href="../../elsewhere/"><img src="cat.jpg" alt="Out">')
    config = parse_sources({"sources": [html_source()]}, base_dir=tmp_path)
    found = discover(config)
    assert [c.path for c in found.candidates if c.modality == "image"] == ["gallery/cat.jpg"]
    images, _ = build_catalog("image", [c for c in found.candidates if c.modality == "image"])
    texts, _ = build_catalog("text", [c for c in found.candidates if c.modality == "text"])
    votes = label_votes(discovered_frame(found), images, texts, label_settings(config))
    text_of = dict(zip(texts["item_id"], texts["text"], strict=True))
    pairs = weak_pair_table(votes)
    got = {(row.left_id, text_of[row.right_id], round(row.score, 4)) for row in pairs.itertuples()}
    gallery_cat = item_id("site", "gallery/cat.jpg")
    # figcaption 2 against too_short 1: (2 + 0.5) / 4; descriptive alt: (1 + 0.5) / 2
    assert got == {(gallery_cat, "Horses grazing", 0.625), (gallery_cat, horses, 0.75)}
    rejects = {(r["path"], r["record_key"], r["reason"], r["detail"]) for r in found.rejects}
    base = " (src resolved against the page's <base href={!r}>)"
    assert rejects == {
        (
            "pages/remote.html",
            key,
            "remote_url",
            f"pages/remote.html <img #1> src 'cat.jpg': {lead}image outside the site_url "
            "https://example.org/" + base.format("https://cdn.example.net/media/"),
        )
        for key, lead in (
            ("img1", ""),
            ("#img1:alt_text", "its image could not be used, so neither can its alt_text: "),
        )
    } | {
        (
            "pages/escape.html",
            key,
            "path_outside_root",
            f"pages/escape.html <img #1> src 'cat.jpg': {lead}resolves to "
            f"{tmp_path}/elsewhere/cat.jpg, outside the source root {root}"
            + base.format("../../elsewhere/"),
        )
        for key, lead in (
            ("img1", ""),
            ("#img1:alt_text", "its image could not be used, so neither can its alt_text: "),
        )
    }


@pytest.mark.parametrize("charset", ["iso-8859-1", "shift_jis"])
def test_utf8_pages_declaring_another_charset_are_read_as_utf8_with_a_warning(
    site, site_config, caplog, charset
):
    alt = "A red fox by the café door"
    _write(
        site,
        "pages/mislabelled.html",
        f'<meta charset="{charset}"><img src="../img/fox.jpg" '
        f'alt="{alt}"><p>Le café crème du matin à Paris.</p>',
    )
    found = discover(site_config)
    assert (
        f"source site: saved page pages/mislabelled.html declares charset {charset} but its "
        "bytes are UTF-8; read as UTF-8 (fix its <meta charset>)"
    ) in caplog.text
    images, _ = build_catalog("image", [c for c in found.candidates if c.modality == "image"])
    texts, _ = build_catalog("text", [c for c in found.candidates if c.modality == "text"])
    votes = label_votes(discovered_frame(found), images, texts, label_settings(site_config))
    rows = votes[votes["page"] == "pages/mislabelled.html"]
    # read as declared, these were "cafÃ©" or "cafﾃｩ", kept with no vote against them
    assert rows[["kind", "text", "vote_garbled_text", "decision"]].values.tolist() == [
        ["alt_text", alt, "abstain", "keep"],
        ["paragraph", "Le café crème du matin à Paris.", "abstain", "keep"],
    ]


@pytest.mark.xfail(
    reason="a page declaring windows-1252 whose bytes are UTF-8 but for one windows-1252 byte "
    "is read as windows-1252: its UTF-8 texts become mojibake ('cafÃ©') that no rule votes "
    "against and no warning names",
    strict=True,
)
def test_mojibake_from_a_mostly_utf8_page_votes_drop(site, site_config):
    markup = (
        '<meta charset="windows-1252"><img src="../img/fox.jpg" alt="A red fox by the café door">'
    )
    _write(site, "pages/mixed.html", markup.encode() + b"<p>\x93Hello\x94</p>")
    found = discover(site_config)
    images, _ = build_catalog("image", [c for c in found.candidates if c.modality == "image"])
    texts, _ = build_catalog("text", [c for c in found.candidates if c.modality == "text"])
    votes = label_votes(discovered_frame(found), images, texts, label_settings(site_config))
    row = votes[(votes["page"] == "pages/mixed.html") & (votes["kind"] == "alt_text")].iloc[0]
    assert (row["text"], row["vote_garbled_text"]) == ("A red fox by the cafÃ© door", "drop")


def test_a_utf16_page_without_a_byte_order_mark_gives_its_texts(site, site_config):
    markup = '<img src="../img/fox.jpg" alt="A red fox by the café door">'
    _write(site, "pages/utf16.html", markup.encode("utf-16-be"))
    found = discover(site_config)
    assert {(k, t) for p, _, k, t in _texts(found) if p == "pages/utf16.html"} == {
        ("alt_text", "A red fox by the café door")
    }
    assert not [r for r in found.rejects if r["path"] == "pages/utf16.html"]


def test_a_page_with_nul_bytes_that_is_not_utf16_is_a_reject_that_says_save_as_utf8(
    site, site_config
):
    _write(
        site, "pages/utf32.html", '<img src="../img/fox.jpg" alt="A red fox">'.encode("utf-32-le")
    )
    found = discover(site_config)
    row = next(r for r in found.rejects if r["path"] == "pages/utf32.html")
    assert (row["modality"], row["record_key"], row["reason"]) == ("text", "page", "corrupt")
    assert row["detail"] == (
        "saved page pages/utf32.html: holds 126 NUL bytes (the first at byte 1) and is not "
        "UTF-16, so it is not text a browser would read; save it as UTF-8"
    )
    assert not [c for c in found.candidates if c.path == "pages/utf32.html"]
    REJECTS.validate(rejects_frame(found.rejects), lazy=True)
