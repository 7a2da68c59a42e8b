"""Image probe on the real COCO images and on broken images built with Pillow."""

from __future__ import annotations

import struct
import zlib

import imagehash
import pytest
from PIL import ExifTags, Image

from crosspair.ids import sha256_file
from crosspair.probe import ProbeLimits, probe

from .conftest import check_reject, check_row, make_candidate

COCO = "image_text/images"


def test_real_jpeg_size_mode_format_and_hash(data):
    path = data / COCO / "000000062554.jpg"
    row, reject = probe(make_candidate("image", path))
    assert reject is None
    check_row("image", row)
    assert (row["width"], row["height"]) == (640, 428)
    assert (row["mode"], row["format"]) == ("RGB", "JPEG")
    assert row["exif_orientation"] == 1  # COCO images carry no orientation tag
    assert row["phash"] == "8a56653b300d6eee"
    assert row["size_bytes"] == path.stat().st_size
    assert row["sha256"] == sha256_file(path)


def test_every_coco_image_is_an_rgb_jpeg_between_333_and_640_px(data):
    paths = sorted((data / COCO).glob("*.jpg"))
    assert len(paths) == 40
    rows = [check_row("image", probe(make_candidate("image", p))[0]) for p in paths]
    assert {(r["mode"], r["format"]) for r in rows} == {("RGB", "JPEG")}
    assert min(min(r["width"], r["height"]) for r in rows) == 333
    assert max(max(r["width"], r["height"]) for r in rows) == 640
    portrait = {r["path"] for r in rows if r["height"] > r["width"]}
    assert "000000121647.jpg" in portrait  # 480x640
    assert len({r["phash"] for r in rows}) == 40


def test_truncated_jpeg_is_truncated(data, tmp_path):
    whole = (data / COCO / "000000062554.jpg").read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) * 6 // 10])
    row, reject = probe(make_candidate("image", path))
    assert row is None
    assert "truncated" in check_reject(reject, "truncated")["detail"]


def test_small_png_with_huge_dimensions_is_a_decompression_bomb(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (10_000, 9_000)).save(path)  # 90 M pixels, about 11 KB on disk
    assert path.stat().st_size < 50_000
    row, reject = probe(make_candidate("image", path))
    assert "90000000 pixels" in check_reject(reject, "decompression_bomb")["detail"]


def test_png_header_beyond_pillows_own_limit_is_a_decompression_bomb(tmp_path):
    """A header claiming 30000x30000 makes Pillow refuse at open, before our own check."""
    path = tmp_path / "claims.png"
    Image.new("L", (4, 4)).save(path)
    raw = bytearray(path.read_bytes())
    ihdr = raw.index(b"IHDR")
    raw[ihdr + 4 : ihdr + 12] = struct.pack(">II", 30_000, 30_000)
    crc = zlib.crc32(bytes(raw[ihdr : ihdr + 17]))
    raw[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    path.write_bytes(bytes(raw))
    row, reject = probe(make_candidate("image", path))
    check_reject(reject, "decompression_bomb")


def test_pixel_limit_comes_from_probe_limits(tmp_path):
    path = tmp_path / "small.png"
    Image.new("RGB", (20, 10), "red").save(path)
    assert probe(make_candidate("image", path))[0]["width"] == 20
    row, reject = probe(make_candidate("image", path), ProbeLimits(max_image_pixels=199))
    check_reject(reject, "decompression_bomb")


def test_exif_orientation_is_read(tmp_path):
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (64, 32), "blue").save(path, exif=exif)
    row = check_row("image", probe(make_candidate("image", path))[0])
    assert row["exif_orientation"] == 6
    assert (row["width"], row["height"]) == (64, 32)  # as stored, not as displayed


@pytest.mark.parametrize("mode", ["L", "RGBA", "P"])
def test_png_modes_are_kept(tmp_path, mode):
    path = tmp_path / f"{mode}.png"
    Image.new(mode, (16, 16)).save(path)
    row = check_row("image", probe(make_candidate("image", path))[0])
    assert (row["mode"], row["format"]) == (mode, "PNG")


def test_text_file_named_jpg_is_unsupported_format(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("not an image\n")
    check_reject(probe(make_candidate("image", path))[1], "unsupported_format")


def test_copy_stored_rotated_with_exif_orientation_hashes_like_the_original(data, tmp_path):
    """Orientation 6 means 'turn 90° clockwise to display': the copy looks like the original."""
    original = data / COCO / "000000062554.jpg"
    rotated = tmp_path / "rotated_copy.jpg"
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    with Image.open(original) as image:
        image.transpose(Image.Transpose.ROTATE_90).save(rotated, exif=exif, quality=95)

    first = check_row("image", probe(make_candidate("image", original))[0])
    copy = check_row("image", probe(make_candidate("image", rotated))[0])
    assert copy["exif_orientation"] == 6
    assert (copy["width"], copy["height"]) == (428, 640)  # stored sideways
    distance = imagehash.hex_to_hash(first["phash"]) - imagehash.hex_to_hash(copy["phash"])
    assert distance <= 6  # within the near-duplicate threshold

    with Image.open(rotated) as stored:  # the stored pixels alone hash far apart
        assert imagehash.hex_to_hash(first["phash"]) - imagehash.phash(stored) > 6
