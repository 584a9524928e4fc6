"""Visit photos: only JPEG and PNG up to 5 MB and 40 megapixels, re-encoded so that
no metadata — above all the phone's GPS position in EXIF — is kept.

A small file can hold an enormous picture (a 657 kB PNG of 13,000 × 13,000 pixels
took a worker to 2.1 GB), so the size in pixels is read from the header and checked
before any pixel is decoded, and decoding itself is bounded: a JPEG is decoded
already scaled down (`draft`), and a picture is shrunk before anything copies it."""

import io

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_BYTES = 5 * 1024 * 1024
# More than any phone camera writes by default (12–50 MP). Pillow holds 4 bytes a
# pixel, so 40 MP is 160 MB decoded. A picture with transparency (a PNG screenshot,
# never a camera photo) is copied once more to be shrunk — its alpha premultiplied —
# so it gets fewer pixels: one upload stays under 300 MB either way.
MAX_PIXELS = 40_000_000
MAX_PIXELS_WITH_ALPHA = 20_000_000
ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
REDUCIBLE_MODES = {"L", "LA", "RGB", "RGBA", "CMYK"}
MAX_SIDE = 2000  # enough to read a document on screen, small enough for a slow phone line
THUMBNAIL_SIDE = 320  # the case page's timeline: a few kilobytes each on a cheap phone
ALLOWED = {"JPEG": ("jpg", "JPEG"), "PNG": ("png", "PNG")}


def not_a_photo(upload: UploadedFile, code: str) -> forms.ValidationError:
    return forms.ValidationError(
        _("%(name)s is not a photo: only JPEG and PNG images are accepted.")
        % {"name": upload.name},
        code=code,
    )


def too_many_pixels(upload: UploadedFile) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "%(name)s is too large a picture: at most 40 megapixels are accepted "
            "(20 for a PNG with transparency). Send a smaller copy of the photo."
        )
        % {"name": upload.name},
        code="too_many_pixels",
    )


def clean_photo(upload: UploadedFile) -> tuple[ContentFile, ContentFile]:
    """The photo, checked and cleaned, and its thumbnail. Any failure is a form error:
    a hostile file can make a decoder raise almost anything, and it must never be a 500."""
    if (upload.size or 0) > MAX_BYTES:
        raise forms.ValidationError(
            _("%(name)s is larger than 5 MB.") % {"name": upload.name}, code="too_large"
        )
    try:
        return decode_and_clean(upload)
    except forms.ValidationError:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise too_many_pixels(upload) from None
    except Exception:  # Pillow's errors, and whatever a broken file makes a decoder raise
        raise not_a_photo(upload, "not_an_image") from None


def decode_and_clean(upload: UploadedFile) -> tuple[ContentFile, ContentFile]:
    upload.seek(0)
    # open() reads the header only: format and size, no pixels yet.
    with Image.open(upload) as probe:
        image_format, (width, height) = probe.format, probe.size
        if image_format not in ALLOWED:
            raise not_a_photo(upload, "wrong_format")
        limit = MAX_PIXELS_WITH_ALPHA if probe.mode in ALPHA_MODES else MAX_PIXELS
        if width * height > limit:
            raise too_many_pixels(upload)
        probe.verify()
    upload.seek(0)
    with Image.open(upload) as original:
        # A JPEG is decoded already scaled down by 1/2, 1/4 or 1/8 (no larger than needed).
        original.draft("RGB", (MAX_SIDE, MAX_SIDE))
        factor = max(original.size) // MAX_SIDE
        # reduce() averages whole blocks into a copy factor² smaller: far less memory
        # than thumbnail()'s passes over the full picture (measured: 10 MB, not 65 MB,
        # for 40 MP). Then shrink to size and turn: those copies are small.
        if factor > 1 and original.mode in REDUCIBLE_MODES:
            image = original.reduce(factor)
        else:
            image = original
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        image = ImageOps.exif_transpose(image)
        extension, save_as = ALLOWED[image_format]
        if save_as == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        elif image.mode == "P":
            image = image.convert("RGBA")
        # A new image holds the pixels only: nothing of the original's info travels.
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
        photo = encode(clean, save_as, f"photo.{extension}")
        clean.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        thumbnail = encode(clean, save_as, f"thumb.{extension}")
    return photo, thumbnail


def encode(image: Image.Image, save_as: str, name: str) -> ContentFile:
    buffer = io.BytesIO()
    options = {"quality": 85, "optimize": True} if save_as == "JPEG" else {"optimize": True}
    image.save(buffer, format=save_as, **options)
    return ContentFile(buffer.getvalue(), name=name)
