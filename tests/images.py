"""Real image files for upload tests, made with Pillow."""

import io
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
