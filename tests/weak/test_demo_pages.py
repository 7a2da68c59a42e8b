"""The demo's saved pages give one of each case weak supervision has to judge."""

from crosspair.catalog import build_catalog, discovered_frame
from crosspair.discover import discover
from crosspair.sources import parse_sources
from crosspair.synth.html_pages import web_source, write_pages
from crosspair.weak.tables import label_settings, label_votes


def test_demo_pages_keep_captions_and_descriptions_and_drop_boilerplate(tmp_path):
    write_pages(tmp_path / "web_pages")
    config = parse_sources({"sources": [web_source()]}, base_dir=tmp_path)
    found = discover(config)
    assert {(r["path"], r["record_key"], r["reason"]) for r in found.rejects} == {
        ("pages/sky/moon.html", "img2", "missing_file"),  # eclipse.jpg was never saved
        ("pages/sky/moon.html", "img/eclipse.jpg#img2:alt_text", "missing_file"),
        ("pages/sky/moon.html", "img/eclipse.jpg#img2:paragraph", "missing_file"),
    }
    images, image_rejects = build_catalog(
        "image", [c for c in found.candidates if c.modality == "image"]
    )
    texts, _ = build_catalog("text", [c for c in found.candidates if c.modality == "text"])
    assert image_rejects.empty
    assert set(images["path"]) == {"img/coins.png", "img/moon.png", "img/logo.png"}

    votes = label_votes(discovered_frame(found), images, texts, label_settings(config))
    decisions = {
        (r.image_path, r.kind): (r.decision, round(r.confidence, 4), r.reason)
        for r in votes.itertuples()
    }
    assert decisions == {
        # "Logo" on logo.png: boilerplate 2 + file name 2 + too short 1 -> 0.5 / 6
        ("img/logo.png", "alt_text"): ("drop", 0.0833, "boilerplate;file_name;too_short"),
        ("img/logo.png", "paragraph"): ("drop", 0.5, "below_threshold"),
        ("img/coins.png", "alt_text"): ("drop", 0.125, "file_name;too_short"),
        ("img/coins.png", "figcaption"): ("keep", 0.8333, ""),
        ("img/coins.png", "paragraph"): ("keep", 0.75, ""),
        ("img/moon.png", "alt_text"): ("keep", 0.75, ""),
        ("img/moon.png", "paragraph"): ("keep", 0.75, ""),
    }
