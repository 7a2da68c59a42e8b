"""Unpaired items: every item that should have a pair and has none is listed with its reason."""

from __future__ import annotations

import pandas as pd

from crosspair.extract import track_id
from crosspair.ids import item_id
from crosspair.pairing import pair_by_reference, pair_embedded_audio, unpaired_items
from crosspair.schemas import PAIRS, REJECTS, UNPAIRED, empty_frame


def _media(source: str, modality: str, path: str, **extra) -> dict:
    return {
        "item_id": item_id(source, path),
        "source": source,
        "modality": modality,
        "path": path,
        "record_key": "",
        **extra,
    }


def _caption(source: str, anchor: str, record_key: str, kind: str = "caption") -> dict:
    return {
        "item_id": item_id(source, "captions.jsonl", record_key),
        "source": source,
        "modality": "text",
        "path": "captions.jsonl",
        "record_key": record_key,
        "kind": kind,
        "anchor": anchor,
    }


def _reject(source, modality, path, record_key, reason, stage="probe") -> dict:
    return {
        "source": source,
        "modality": modality,
        "path": path,
        "record_key": record_key,
        "item_id": item_id(source, path, record_key),
        "stage": stage,
        "reason": reason,
        "detail": "",
    }


def _rejects(*rows: dict) -> pd.DataFrame:
    return REJECTS.validate(pd.DataFrame(list(rows), columns=list(REJECTS.columns)))


def test_video_whose_audio_could_not_be_extracted_is_unpaired():
    videos = pd.DataFrame(
        [
            _media("clips", "video", "talk.mp4", has_audio=True),
            _media("clips", "video", "silent_stream.mkv", has_audio=True),
            _media("clips", "video", "mute.mkv", has_audio=False),
        ]
    )
    talk, silent, mute = videos["item_id"]
    tracks = pd.DataFrame(
        {
            "item_id": [track_id("clips", "talk.mp4", 0)],
            "video_id": [talk],
            "source": ["clips"],
            "stream_index": [0],
        }
    )
    pairs = pair_embedded_audio(videos, tracks)
    assert list(pairs["left_id"]) == [talk]

    table = unpaired_items({}, pairs, _rejects(), videos=videos, tracks=tracks)

    UNPAIRED.validate(table)
    assert table[["item_id", "path", "wanted", "reason"]].to_dict("records") == [
        {
            "item_id": mute,
            "path": "mute.mkv",
            "wanted": "video ↔ own audio",
            "reason": "no audio stream in the container",
        },
        {
            "item_id": silent,
            "path": "silent_stream.mkv",
            "wanted": "video ↔ own audio",
            "reason": "its audio stream could not be extracted",
        },
    ]


def test_texts_of_media_rejected_at_probe_are_unpaired_with_the_media_reason():
    images = pd.DataFrame([_media("coco", "image", "images/good.jpg")])
    texts = pd.DataFrame(
        [
            _caption("coco", "images/good.jpg", "images/good.jpg#0"),
            _caption("coco", "images/cut.jpg", "images/cut.jpg#0"),
            _caption("coco", "images/cut.jpg", "images/cut.jpg#1"),
            _caption("other", "images/cut.jpg", "images/cut.jpg#0"),  # same path, other source
            _caption("coco", "", "clip.en.srt", kind="subtitles"),
        ]
    )
    rejects = _rejects(_reject("coco", "image", "images/cut.jpg", "", "truncated"))
    pairs = pair_by_reference(images, texts, "caption")
    assert len(pairs) == 1

    table = unpaired_items({"image": images}, pairs, rejects, texts=texts)

    UNPAIRED.validate(table)
    cut = [item_id("coco", "captions.jsonl", f"images/cut.jpg#{n}") for n in (0, 1)]
    assert table.to_dict("records") == [
        {
            "item_id": text,
            "source": "coco",
            "modality": "text",
            "path": "captions.jsonl",
            "wanted": "text ↔ its media",
            "reason": "its media was rejected: truncated",
        }
        for text in sorted(cut)
    ]


def test_docstring_of_a_rejected_code_record_is_unpaired():
    texts = pd.DataFrame([_caption("snippets", "task/7", "task/7#0", kind="docstring")])
    rejects = _rejects(_reject("snippets", "code", "records.jsonl", "task/7", "invalid_record"))

    table = unpaired_items({}, empty_frame(PAIRS), rejects, texts=texts)

    assert table[["modality", "reason"]].values.tolist() == [
        ["text", "its media was rejected: invalid_record"]
    ]


def test_media_whose_texts_were_rejected_names_the_reason_with_and_without_id_field():
    images = pd.DataFrame(
        [
            _media("coco", "image", "images/a.jpg"),
            _media("coco", "image", "images/b.jpg"),
            _media("coco", "image", "images/ab.jpg"),
        ]
    )
    rejects = _rejects(
        _reject("coco", "text", "captions.jsonl", "images/a.jpg#0", "empty_text"),
        _reject("coco", "text", "captions.jsonl", "images/b.jpg|42#0", "empty_text"),
        _reject("coco", "text", "captions.jsonl", "images/b.jpg|42#1", "duplicate_record"),
    )
    pairs = pair_by_reference(images, pd.DataFrame([_caption("coco", "", "x#0")]), "caption")

    table = unpaired_items({"image": images}, pairs, rejects)

    assert dict(zip(table["path"], table["reason"], strict=True)) == {
        "images/a.jpg": "its text was rejected: empty_text",
        "images/ab.jpg": "no text references it in the manifest",
        "images/b.jpg": "its text was rejected: duplicate_record, empty_text",
    }


def test_pool_texts_a_model_left_unpaired_are_listed_unless_another_pair_took_them():
    code = _media("snippets", "code", "records.jsonl", record_key="task/1")
    lost, rescued = (item_id("snippets", "pool.jsonl", f"pool:d{n}#0") for n in (1, 2))
    unmatched = UNPAIRED.validate(
        pd.DataFrame(
            [
                {
                    "item_id": text,
                    "source": "snippets",
                    "modality": "text",
                    "path": "pool.jsonl",
                    "wanted": "pool docstring ↔ code item (model:minilm)",
                    "reason": f"below the threshold 0.3: top_k chose {code['item_id']} at {score}",
                }
                for text, score in ((lost, "cosine 0.120"), (rescued, "cosine 0.250"))
            ]
        )
    )
    # a human pair took in the second text after the model left it out
    human = {
        "pair_id": "f" * 16,
        "group_id": code["item_id"],
        "source": "snippets",
        "left_id": code["item_id"],
        "left_modality": "code",
        "right_id": rescued,
        "right_modality": "text",
        "method": "human",
        "score": 1.0,
        "params": "{}",
    }
    pairs = PAIRS.validate(pd.DataFrame([human]))

    table = unpaired_items({}, pairs, _rejects(), unmatched_pool=unmatched)

    assert table.to_dict("records") == [
        {
            "item_id": lost,
            "source": "snippets",
            "modality": "text",
            "path": "pool.jsonl",
            "wanted": "pool docstring ↔ code item (model:minilm)",
            "reason": f"below the threshold 0.3: top_k chose {code['item_id']} at cosine 0.120",
        }
    ]


def test_weak_label_rows_leave_out_items_a_human_paired_and_rejected_images():
    def weak_row(item: str, modality: str, path: str, reason: str) -> dict:
        return {
            "item_id": item,
            "source": "web",
            "modality": modality,
            "path": path,
            "wanted": "image ↔ text from its pages" if modality == "image" else "alt ↔ its image",
            "reason": reason,
        }

    cat, dog, broken = (item_id("web", f"img/{name}") for name in ("cat.jpg", "dog.jpg", "x.jpg"))
    alt_cat, alt_dog = (item_id("web", "p.html", f"img{n}:alt") for n in (1, 2))
    weak = UNPAIRED.validate(
        pd.DataFrame(
            [
                weak_row(cat, "image", "img/cat.jpg", "weak labels dropped all 1 texts"),
                weak_row(alt_cat, "text", "p.html", "weak labels dropped it: boilerplate"),
                weak_row(dog, "image", "img/dog.jpg", "weak labels dropped all 1 texts"),
                weak_row(alt_dog, "text", "p.html", "weak labels dropped it: too_short"),
                weak_row(broken, "image", "img/x.jpg", "weak labels dropped all 1 texts"),
            ]
        )
    )
    # a person paired the cat with its alt text; x.jpg is not an image at all
    human = {
        "pair_id": "f" * 16,
        "group_id": cat,
        "source": "web",
        "left_id": cat,
        "left_modality": "image",
        "right_id": alt_cat,
        "right_modality": "text",
        "method": "human",
        "score": 1.0,
        "params": "{}",
    }
    rejected = {
        **_media("web", "image", "img/x.jpg"),
        "stage": "probe",
        "reason": "corrupt",
        "detail": "cannot identify image file",
    }
    table = unpaired_items({}, PAIRS.validate(pd.DataFrame([human])), _rejects(rejected), weak=weak)
    assert table[["item_id", "reason"]].to_dict("records") == [
        {"item_id": dog, "reason": "weak labels dropped all 1 texts"},
        {"item_id": alt_dog, "reason": "weak labels dropped it: too_short"},
    ]
