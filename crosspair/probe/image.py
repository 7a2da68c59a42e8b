"""Image probe: size, mode, format, EXIF orientation and perceptual hash of a fully decoded image.

The image is decoded to its last byte so a truncated file is rejected here, not in a training
loader. The pixel limit is checked on the header before decoding, so a decompression bomb is
never expanded in memory. The perceptual hash is taken on the image as displayed (EXIF
orientation applied), so a copy stored rotated with an orientation tag is still found as a
near-duplicate of the original.
"""

from __future__ import annotations

import logging
import warnings

import imagehash
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from crosspair.items import Candidate, Rejected
from crosspair.probe.files import file_base
from crosspair.probe.limits import ProbeLimits

log = logging.getLogger(__name__)


def probe_image(candidate: Candidate, limits: ProbeLimits) -> dict:
    """Catalog row of an image file; ``Rejected`` for bombs, truncation and unknown formats."""
    path = candidate.abs_path
    with warnings.catch_warnings():
        # our own limit decides below; Pillow's warning would only repeat it (restored on
        # exit; threads racing here can at worst keep this one harmless filter)
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as exc:
            raise Rejected("decompression_bomb", str(exc)) from exc
        except UnidentifiedImageError as exc:
            raise Rejected("unsupported_format", "Pillow cannot identify the image format") from exc

        with image:
            width, height = image.size
            if width * height > limits.max_image_pixels:
                raise Rejected(
                    "decompression_bomb",
                    f"{width}x{height} = {width * height} pixels, over the limit of "
                    f"{limits.max_image_pixels} (raise ProbeLimits.max_image_pixels to accept)",
                )
            _load(image)
            orientation = _orientation(image, candidate.path)
            row = {
                "width": int(width),
                "height": int(height),
                "mode": str(image.mode),
                "format": str(image.format),
                "exif_orientation": orientation,
                "phash": _displayed_phash(image, orientation),
            }
    return {**file_base(candidate), **row}


def _load(image: Image.Image) -> None:
    """Decode every pixel; Pillow reports a short file as 'image file is truncated'."""
    try:
        image.load()
    except (OSError, EOFError) as exc:
        if isinstance(exc, EOFError) or "truncated" in str(exc):
            raise Rejected("truncated", f"{image.format} data ends early: {exc}") from exc
        raise


def _displayed_phash(image: Image.Image, orientation: int) -> str:
    """Perceptual hash of the image as a viewer shows it, EXIF orientation applied."""
    if orientation != 1:
        image = ImageOps.exif_transpose(image)
    return str(imagehash.phash(image))


def _orientation(image: Image.Image, path: str) -> int:
    """EXIF orientation 1-8; 1 when absent, and 1 (logged) when the EXIF block is unreadable."""
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception as exc:  # a broken EXIF block does not make the pixels unusable
        log.warning("image %s: unreadable EXIF (%s); orientation taken as 1", path, exc)
        return 1
    if not isinstance(value, int) or not 1 <= value <= 8:
        log.warning("image %s: EXIF orientation %r is not 1-8; taken as 1", path, value)
        return 1
    return int(value)
