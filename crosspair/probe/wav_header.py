"""A RIFF/WAVE header check libsndfile does not make: does the data chunk fit in the file?

libsndfile quietly shortens a WAV whose ``data`` chunk claims more bytes than the file holds,
so a file cut short in a copy, or written by a streaming tool that never fixed its header,
would get a plausible frame count. Walking the chunk headers catches it without reading audio.
"""

from __future__ import annotations

import os
import struct

from crosspair.items import Rejected

_CHUNK = struct.Struct("<4sI")


def check_wav_data_chunk(path: str, tolerance_bytes: int) -> None:
    """Raise ``header_mismatch`` if the WAV ``data`` chunk claims more than the file holds.

    Files that are not RIFF/WAVE (RF64, FLAC, MP3, ...) and files without a ``data`` chunk
    are left to the decoder.
    """
    file_size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return

        offset = 12
        while offset + _CHUNK.size <= file_size:
            handle.seek(offset)
            chunk_id, claimed = _CHUNK.unpack(handle.read(_CHUNK.size))
            payload = offset + _CHUNK.size
            if chunk_id == b"data":
                held = file_size - payload
                if claimed - held > tolerance_bytes:
                    raise Rejected(
                        "header_mismatch",
                        f"WAV data chunk claims {claimed} bytes but the file holds {held} "
                        f"after the header ({file_size} bytes in all); the file was cut short "
                        "or its header was never finalised",
                    )
                return
            offset = payload + claimed + (claimed & 1)  # chunks are padded to even sizes
