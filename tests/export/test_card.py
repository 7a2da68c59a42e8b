"""The dataset card reports the build's real numbers and nothing that changes between runs."""

from __future__ import annotations

import pandas as pd

from crosspair.export.card import render_dataset_card
from crosspair.schemas import REJECTS

CHECKS = [
    {
        "name": "pairs_unique",
        "asset": "pairs",
        "passed": True,
        "severity": "ERROR",
        "description": "no pair twice",
    },
    {
        "name": "no_leakage",
        "asset": "split_assignments",
        "passed": False,
        "severity": "ERROR",
        "description": "groups span splits | see metadata",
    },
]


def _rejects() -> pd.DataFrame:
    rows = [
        ("coco", "image", "images/bad.jpg", "corrupt"),
        ("coco", "image", "images/worse.jpg", "corrupt"),
        ("speech", "audio", "cut.flac", "truncated"),
    ]
    return REJECTS.validate(
        pd.DataFrame(
            [
                {
                    "source": source,
                    "modality": modality,
                    "path": path,
                    "record_key": "",
                    "item_id": f"{number:016x}",
                    "stage": "probe",
                    "reason": reason,
                    "detail": "decoder error",
                }
                for number, (source, modality, path, reason) in enumerate(rows)
            ]
        )
    )


def _card(build, **kwargs) -> str:
    return render_dataset_card(
        build.catalogs,
        _rejects(),
        build.pairs,
        build.assignments,
        CHECKS,
        title="crosspair test build",
        version="v0.1.0",
        **kwargs,
    )


def test_card_counts_items_pairs_splits_rejects_and_checks(build):
    unpaired = pd.DataFrame(
        [
            {
                "item_id": "f" * 16,
                "source": "coco",
                "modality": "image",
                "path": "x.jpg",
                "wanted": "caption",
                "reason": "no caption in manifest",
            }
        ]
    )
    excluded = pd.DataFrame([{"pair_id": "e" * 16, "reason": "would_leak: bridges train,test"}])
    card = _card(build, unpaired=unpaired, excluded=excluded)
    lines = card.splitlines()

    assert lines[0] == "# crosspair test build"
    assert "Version: v0.1.0" in lines
    image_bytes = int(build.catalogs["image"]["size_bytes"].sum())
    assert f"| image | 12 | {image_bytes} |" in lines
    assert "| text | 63 |" in card
    assert "| coco | text | 60 |" in lines and "| coco | image | 12 |" in lines
    n_sa = (build.catalogs["image"]["licence"] == "CC BY-SA 2.0").sum()
    assert f"| CC BY-SA 2.0 | {n_sa * 6} |" in lines  # each image and its five captions
    assert f"- Pairs: {len(build.pairs)} in 16 pair groups" in lines

    for split, part in build.assignments.groupby("split"):
        share = f"{len(part) / len(build.assignments):.1%}"
        row = f"| {split} | {len(part)} | {part['group_id'].nunique()} | "
        row += f"{part['leakage_group'].nunique()} | {share} |"
        assert row in lines

    assert "| corrupt | 2 |" in lines and "| truncated | 1 |" in lines
    assert "| coco | corrupt | 2 |" in lines and "| speech | truncated | 1 |" in lines
    assert "| would_leak: bridges train,test | 1 |" in lines
    assert "| coco | image | caption | no caption in manifest | 1 |" in lines
    assert "- Checks: 1 of 2 passed" in lines
    assert "| pairs_unique | pairs | passed | ERROR | no pair twice |" in lines
    assert (
        "| no_leakage | split_assignments | FAILED | ERROR | groups span splits \\| see metadata |"
        in lines
    )


def test_card_is_deterministic_and_dated_only_on_request(build):
    assert _card(build) == _card(build)
    assert "Built at" not in _card(build)
    assert "Built at: 2026-01-02" in _card(build, built_at="2026-01-02")
    assert "Unpaired items" not in _card(build)


def test_html_in_user_text_is_escaped_in_table_cells(build):
    catalogs = dict(build.catalogs)
    name, catalog = next(iter(catalogs.items()))
    catalogs[name] = catalog.assign(licence='<script>alert("x")</script> & co')
    card = render_dataset_card(
        catalogs, _rejects(), build.pairs, build.assignments, CHECKS, title="t", version="v"
    )
    assert "<script>" not in card
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; co' in card
