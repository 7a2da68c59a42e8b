"""check_integrity on real images, audio and caption records copied into tmp folders."""

from __future__ import annotations

import pandas as pd

from crosspair.validation import check_integrity


def resolver(root):
    return lambda row: root / row["path"]


def problems(outcome) -> set[tuple[str, str]]:
    return set(outcome.failures[["path", "problem"]].itertuples(index=False, name=None))


def test_untouched_files_and_records_pass(coco_root, image_catalog, caption_catalog):
    images = check_integrity(image_catalog, resolver(coco_root))
    captions = check_integrity(caption_catalog, resolver(coco_root))

    assert images.passed and captions.passed
    assert images.summary["file_rows"] == 8 and images.summary["record_rows"] == 0
    assert captions.summary["record_rows"] == 40 and captions.summary["file_rows"] == 0


def test_one_changed_byte_and_a_deleted_file_fail(coco_root, image_catalog):
    changed, deleted = image_catalog.loc[1, "path"], image_catalog.loc[6, "path"]
    data = bytearray((coco_root / changed).read_bytes())
    data[len(data) // 2] ^= 0x01
    (coco_root / changed).write_bytes(bytes(data))
    (coco_root / deleted).unlink()

    outcome = check_integrity(image_catalog, resolver(coco_root))

    assert not outcome.passed
    assert problems(outcome) == {(changed, "sha256_mismatch"), (deleted, "missing_file")}
    assert outcome.summary["failing_items"] == 2
    assert outcome.summary["problem.sha256_mismatch"] == 1


def test_grown_file_is_a_size_mismatch(coco_root, image_catalog):
    rel = image_catalog.loc[0, "path"]
    with open(coco_root / rel, "ab") as handle:
        handle.write(b"\0")

    outcome = check_integrity(image_catalog, resolver(coco_root))

    assert problems(outcome) == {(rel, "size_mismatch")}
    assert outcome.failures.loc[0, "actual"] == str(image_catalog.loc[0, "size_bytes"] + 1)


def test_real_audio_passes_and_headers_are_read(speech_root, audio_catalog):
    outcome = check_integrity(audio_catalog, resolver(speech_root))

    assert outcome.passed
    assert outcome.summary["audio_rows"] == outcome.summary["audio_headers_read"] == 4


def test_edited_audio_duration_fails_beyond_tolerance(speech_root, audio_catalog):
    edited = audio_catalog.copy()
    edited.loc[0, "duration_s"] += 0.04  # within the 0.05 s tolerance
    edited.loc[2, "duration_s"] += 0.5

    outcome = check_integrity(edited, resolver(speech_root))

    assert problems(outcome) == {(edited.loc[2, "path"], "duration_mismatch")}
    assert outcome.failures.loc[0, "expected"] == f"{edited.loc[2, 'duration_s']:.4f}"


def test_edited_frames_disagree_with_the_header(speech_root, audio_catalog):
    edited = audio_catalog.copy()
    edited.loc[1, "frames"] += 16000  # one second more at 16 kHz
    edited.loc[1, "duration_s"] = edited.loc[1, "frames"] / 16000

    outcome = check_integrity(edited, resolver(speech_root))

    assert problems(outcome) == {(edited.loc[1, "path"], "header_frames_mismatch")}


def test_swapped_audio_file_fails_hash_and_header(speech_root, audio_catalog):
    # the 16 kHz FLAC replaced by the 48 kHz MP3, still named .flac
    target = speech_root / audio_catalog.loc[1, "path"]
    target.write_bytes((speech_root / audio_catalog.loc[2, "path"]).read_bytes())

    outcome = check_integrity(audio_catalog, resolver(speech_root))

    rel = audio_catalog.loc[1, "path"]
    assert problems(outcome) == {
        (rel, "size_mismatch"),
        (rel, "header_frames_mismatch"),
        (rel, "header_rate_mismatch"),
    }


def test_edited_caption_record_fails(coco_root, caption_catalog):
    edited = caption_catalog.copy()
    edited.loc[7, "text"] = edited.loc[7, "text"].rstrip() + "!"
    edited.loc[9, "text"] = None

    outcome = check_integrity(edited, resolver(coco_root))

    found = dict(zip(outcome.failures["item_id"], outcome.failures["problem"], strict=True))
    assert found == {
        edited.loc[7, "item_id"]: "sha256_mismatch",
        edited.loc[9, "item_id"]: "missing_content",
    }


def test_a_failing_resolver_is_reported_not_raised(coco_root, image_catalog):
    def resolve(row: pd.Series):
        if row["path"] == image_catalog.loc[3, "path"]:
            raise ValueError("path escapes the source root")
        return coco_root / row["path"]

    outcome = check_integrity(image_catalog, resolve)

    assert list(outcome.failures["problem"]) == ["unresolvable_path"]
    assert "escapes" in outcome.failures.loc[0, "actual"]


def test_extracted_audio_table_is_checked_as_audio(speech_root, audio_catalog):
    extracted = pd.DataFrame(
        {
            "item_id": audio_catalog["item_id"],
            "video_id": audio_catalog["item_id"],
            "source": "films",
            "path": audio_catalog["path"],
            "stream_index": 1,
            "sample_rate": audio_catalog["sample_rate"],
            "channels": audio_catalog["channels"],
            "frames": audio_catalog["frames"],
            "sha256": audio_catalog["sha256"],
        }
    )
    clean = check_integrity(extracted, resolver(speech_root))
    assert clean.passed and clean.summary["audio_headers_read"] == 4

    extracted.loc[3, "frames"] //= 2
    outcome = check_integrity(extracted, resolver(speech_root))

    assert problems(outcome) == {(extracted.loc[3, "path"], "header_frames_mismatch")}


def test_settings_resolve_sends_only_extracted_audio_to_the_data_folder(
    tmp_path, coco_root, image_catalog, speech_root, audio_catalog
):
    """A source may keep its own files under ``derived/``; only tracks live in the data folder."""
    from dagster_project.resources import CrosspairSettings

    (coco_root / "images").rename(coco_root / "derived")
    images = image_catalog.assign(path=image_catalog["path"].str.replace("images/", "derived/"))
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "version: 1\nsources:\n  - name: coco\n    modality: image\n    root: coco\n"
        '    files: ["derived/*.jpg"]\n    licence: CC-BY-2.0\n    origin: test\n'
    )
    data = tmp_path / "data"
    wav = audio_catalog.loc[0]
    (data / "derived/audio").mkdir(parents=True)
    (speech_root / wav["path"]).rename(data / "derived/audio/track.wav")
    tracks = pd.DataFrame(
        [
            {
                "item_id": wav["item_id"],
                "video_id": images.loc[0, "item_id"],
                "source": "coco",
                "path": "derived/audio/track.wav",
                "stream_index": 0,
                "sample_rate": wav["sample_rate"],
                "channels": wav["channels"],
                "frames": wav["frames"],
                "sha256": wav["sha256"],
            }
        ]
    )
    settings = CrosspairSettings(sources_path=str(sources), data_dir=str(data))

    assert settings.resolve(images.loc[0]) == coco_root.resolve() / images.loc[0, "path"]
    assert settings.resolve(tracks.loc[0]) == data.resolve() / "derived/audio/track.wav"
    checked = check_integrity(images, settings.resolve)
    assert checked.passed and checked.summary["file_rows"] == 8
    checked = check_integrity(tracks, settings.resolve)
    assert checked.passed and checked.summary["audio_headers_read"] == 1
