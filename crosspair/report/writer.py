"""Write the static report folder: ``index.html``, ``pairs-NNN.html``, ``assets/`` and
``report.json``. Self-contained (relative links only, no scripts or web fonts), so it opens
from ``file://``, and byte-identical for equal inputs unless ``built_at`` is given."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from crosspair.engine import EngineConfig, map_items
from crosspair.export.webdataset import Resolve
from crosspair.report.charts import histogram_png
from crosspair.report.pairs import pair_cards, select_pairs
from crosspair.report.plan import NO_SOURCES, preview_jobs
from crosspair.report.previews import PreviewResult, render_preview
from crosspair.report.rendering import one_line, paginate, template_environment
from crosspair.report.summary import (
    Histogram,
    alignment_by_status,
    headline_counts,
    pairs_by_method,
    rejects_by_reason,
    report_histograms,
    sync_rows,
)
from crosspair.report.tables import ItemLookup, ReportTables, load_report_tables
from crosspair.schemas import MODALITIES

log = logging.getLogger(__name__)

DEFAULT_MAX_PAIRS = 500
PAIRS_PER_PAGE = 50
MAX_SYNC_ROWS = 200
HEADLINE = [
    ("items", "items"),
    ("pairs", "pairs"),
    ("pairs-train", "train pairs"),
    ("pairs-val", "val pairs"),
    ("pairs-test", "test pairs"),
    ("pairs-excluded", "pairs excluded"),
    ("rejects", "rejected items"),
    ("unpaired", "unpaired items"),
    ("aligned-pairs", "aligned pairs"),
    ("synced-pairs", "A/V pairs measured"),
]


def _clear(out: Path) -> None:
    """Remove what an earlier report left (pages of a larger build, old previews)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "assets", ignore_errors=True)
    for old in [*out.glob("pairs-*.html"), out / "index.html", out / "report.json"]:
        old.unlink(missing_ok=True)


def _write(out: Path, relative: str, data: bytes) -> None:
    path = out / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write_previews(
    out: Path, results: list[PreviewResult], locate_errors: dict[str, str]
) -> list[dict]:
    """Write the previews' files; returns the files that could not be made, and why."""
    for result in results:
        for relative, data in result.files:
            _write(out, relative, data)
    failed = sorted({(path, error) for result in results for path, error in result.failed})
    errors = [{"path": path, "error": error} for path, error in failed]
    errors += [
        {"path": f"item {item_id}", "error": error}
        for item_id, error in sorted(locate_errors.items())
        if error != NO_SOURCES
    ]
    return errors


def _write_charts(out: Path, histograms: list[Histogram]) -> list[dict]:
    """A PNG per histogram with data; returns what the index template shows of each."""
    charts = []
    for chart in histograms:
        image = ""
        if chart.total:
            image = f"assets/charts/{chart.name}.png"
            _write(out, image, histogram_png(chart.edges, chart.series, chart.xlabel))
        charts.append(
            {**chart.as_dict(), "name": chart.name, "image": image, "empty_note": chart.empty_note}
        )
    return charts


def render_report(
    tables: ReportTables,
    out_dir: str | Path,
    version: str,
    *,
    resolve: Resolve | None = None,
    engine: EngineConfig | None = None,
    max_pairs: int = DEFAULT_MAX_PAIRS,
    title: str = "crosspair dataset",
    built_at: str | None = None,
) -> Path:
    """Write the report of ``tables`` into ``out_dir``; returns the path of ``index.html``.

    ``resolve`` locates media files for previews (without it the pages show no media);
    previews are rendered through ``map_items`` on ``engine``.
    """
    out = Path(out_dir)
    _clear(out)
    counts = headline_counts(tables)
    histograms = report_histograms(tables)

    selected = select_pairs(tables.pairs, max_pairs)
    items = ItemLookup(tables, set(selected["left_id"]) | set(selected["right_id"]))
    jobs, locate_errors = preview_jobs(selected, tables, items, resolve)
    results = map_items(render_preview, jobs, engine)
    preview_errors = _write_previews(out, results, locate_errors)
    charts = _write_charts(out, histograms)

    cards = pair_cards(selected, tables, items, results, locate_errors)
    pages = paginate(cards, PAIRS_PER_PAGE)
    sync = sync_rows(tables)
    common = {"title": title, "version": version, "pages": pages, "listed": len(cards)}
    environment = template_environment()
    card_template = environment.get_template("card.html")
    for page in pages:
        rendered = [one_line(card_template.render(card=card)) for card in page["cards"]]
        html = environment.get_template("pairs.html").render(**common, page=page, cards=rendered)
        (out / page["file"]).write_text(html, encoding="utf-8")
    index = environment.get_template("index.html").render(
        **common,
        built_at=built_at,
        missing=list(tables.missing),
        headline=HEADLINE,
        counts=counts,
        modalities=MODALITIES,
        pairs_by_method=pairs_by_method(tables.pairs),
        rejects=rejects_by_reason(tables.rejects),
        charts=charts,
        alignment=alignment_by_status(tables.alignment_summary),
        sync=sync[:MAX_SYNC_ROWS],
        sync_more=max(0, len(sync) - MAX_SYNC_ROWS),  # TODO: rows past the cap are not shown
        preview_errors=preview_errors,
    )
    (out / "index.html").write_text(index, encoding="utf-8")

    summary = {
        "version": version,
        "built_at": built_at,
        "counts": counts,
        "rejects_by_reason": rejects_by_reason(tables.rejects),
        "histograms": {chart.name: chart.as_dict() for chart in histograms},
        "pages": [page["file"] for page in pages],
        "pairs_listed": len(cards),
        "previews_written": sum(len(result.files) for result in results),
        "preview_errors": len(preview_errors),
        "missing_tables": list(tables.missing),
    }  # numbers only: no id or path, so an erasure has nothing to take out of it
    (out / "report.json").write_text(
        json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    log.info(
        "report in %s: %d pairs listed on %d pages, %d previews, %d could not be made",
        out,
        len(cards),
        len(pages),
        summary["previews_written"],
        len(preview_errors),
    )
    return out / "index.html"


def write_report(
    data_dir: str | Path,
    out_dir: str | Path,
    version: str,
    *,
    resolve: Resolve | None = None,
    **options,
) -> Path:
    """The report of the build in ``data_dir`` (its ``tables/`` folder), written to
    ``out_dir``; returns ``index.html``. Options as for :func:`render_report`.

    >>> write_report("data", "data/exports/report", "v1", resolve=resolve)  # doctest: +SKIP
    """
    return render_report(load_report_tables(data_dir), out_dir, version, resolve=resolve, **options)
