"""Real image files for upload tests, made with Pillow."""

import io
import struct
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def phone_photo(path: Path, *, size=(1200, 900), gps=True) -> Path:
    """A JPEG as a phone writes it: EXIF with the camera maker and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        position = exif.get_ifd(0x8825)
        position.update({1: "N", 2: (13.0, 48.0, 30.0), 3: "E", 4: (100.0, 40.0, 10.0)})
    Image.new("RGB", size, (180, 120, 60)).save(path, "JPEG", exif=exif.tobytes())
    return path


def png_drawing(path: Path) -> Path:
    Image.new("P", (300, 200), 3).save(path, "PNG")
    return path


def upload(path: Path, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type=content_type)


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


def png_of_size(path: Path, width: int, height: int, *, mode: str = "RGBA") -> Path:
    """A PNG of any size in little memory: the rows (all zero) are compressed as they
    are written, so a picture of gigabytes costs the test only its file of kilobytes."""
    depth, colour_type, bytes_per_row = {
        "RGBA": (8, 6, width * 4),
        "RGB": (8, 2, width * 3),
        "L": (8, 0, width),
        "1": (1, 0, (width + 7) // 8),
    }[mode]

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + bytes_per_row)  # filter byte, then the pixels
    rows_at_once = max(1, 8_000_000 // len(row))
    idat = bytearray()
    for start in range(0, height, rows_at_once):
        idat += compressor.compress(row * min(rows_at_once, height - start))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", bytes(idat))
        + chunk(b"IEND", b"")
    )
    return path


def jpeg_claiming_size(path: Path, width: int, height: int) -> Path:
    """A tiny JPEG whose header claims another size: a decompression bomb's header."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))
    return path


def png_with_text_bomb(path: Path) -> Path:
    """A small PNG with a compressed text chunk that inflates to 200 MB."""
    Image.new("RGB", (10, 10)).save(path, "PNG")
    data = path.read_bytes()
    text = b"Comment\x00\x00" + zlib.compress(b"\x00" * 200_000_000, 9)
    body = b"zTXt" + text
    bomb = struct.pack(">I", len(text)) + body + struct.pack(">I", zlib.crc32(body))
    iend = data.rindex(b"IEND") - 4
    path.write_bytes(data[:iend] + bomb + data[iend:])
    return path
