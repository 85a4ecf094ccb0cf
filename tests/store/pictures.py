"""Checks on PNG bytes shared by the report picture tests: header size and a full decode."""

from __future__ import annotations

import io
import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a valid PNG has first."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def decoded_shape(data: bytes) -> tuple[int, ...]:
    """The pixel array's shape after matplotlib decodes the whole file (rows, columns, RGBA)."""
    from matplotlib.image import imread

    return tuple(imread(io.BytesIO(data), format="png").shape)
