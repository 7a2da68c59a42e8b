"""The html block of a source: what validates, and errors that name the source and field."""

from pathlib import Path

import pytest
import yaml

from crosspair.sources import SourcesError, load_sources, parse_sources
from tests.weak.conftest import html_source


def _parse(source: dict):
    return parse_sources({"sources": [source]}, base_dir=Path("."), origin="s.yaml")


def test_an_image_source_may_have_pages_and_no_files():
    config = _parse(html_source(site_url="https://example.org/blog"))
    html = config.by_name("site").html
    assert html.pages == ["pages/**/*.html"]
    assert html.site_url == "https://example.org/blog/"  # one trailing slash
    assert (html.threshold, html.min_words, html.descriptive_words) == (0.6, 3, 4)
    assert html.max_page_mb == 20.0


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"pages": []}, "html.pages", "at least one glob"),
        ({"pages": ["../other/*.html"]}, "html.pages", "must stay inside the root"),
        ({"pages": ["/srv/*.html"]}, "html.pages", "must stay inside the root"),
        ({"pages": [" "]}, "html.pages", "a glob is empty"),
        ({"site_url": "ftp://example.org/"}, "html.site_url", "not an http(s) URL"),
        ({"site_url": "example.org"}, "html.site_url", "not an http(s) URL"),
        ({"threshold": 1.5}, "html.threshold", "less than or equal to 1"),
        ({"threshold": -0.1}, "html.threshold", "greater than or equal to 0"),
        ({"threshold": 0}, "html.threshold", "must be more than 0: at 0 every text is kept"),
        ({"threshold": 0.0}, "html.threshold", "even one a veto dropped"),
        ({"max_page_mb": 0}, "html.max_page_mb", "greater than 0"),
        ({"max_page_mb": "big"}, "html.max_page_mb", "valid number"),
        ({"min_words": 0}, "html.min_words", "greater than or equal to 1"),
        ({"descriptive_words": "many"}, "html.descriptive_words", "valid integer"),
        ({"treshold": 0.5}, "html.treshold", "Extra inputs are not permitted"),
    ],
)
def test_bad_html_fields_are_named(change, field, words):
    source = html_source()
    source["html"] = {**source["html"], **change}
    with pytest.raises(SourcesError) as error:
        _parse(source)
    message = str(error.value)
    assert f"source 'site', field '{field}'" in message
    assert words in message
    assert message.startswith("s.yaml: invalid sources file")


def test_a_threshold_of_one_and_a_small_page_limit_are_accepted():
    html = _parse(html_source(threshold=1, max_page_mb=0.5)).by_name("site").html
    assert (html.threshold, html.max_page_mb) == (1.0, 0.5)


def test_pages_are_for_image_sources_only():
    source = {**html_source(), "modality": "audio", "files": ["*.wav"]}
    with pytest.raises(SourcesError, match="source 'site', field 'html': .*not audio"):
        _parse(source)


def test_an_image_source_needs_files_or_pages():
    source = {k: v for k, v in html_source().items() if k != "html"}
    with pytest.raises(SourcesError, match="needs 'files' .* or 'html' \\(saved pages\\)"):
        _parse(source)


def test_a_sources_file_with_pages_loads(site):
    path = site.parent / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": [html_source()]}), encoding="utf-8")
    config = load_sources(path)
    assert config.root_of(config.by_name("site")) == site.resolve()
