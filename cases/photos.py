"""Visit photos: only JPEG and PNG up to 5 MB, re-encoded so that no metadata —
above all the phone's GPS position in EXIF — is kept."""

import io

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2000  # enough to read a document on screen, small enough for a slow phone line
THUMBNAIL_SIDE = 320  # the case page's timeline: a few kilobytes each on a cheap phone
ALLOWED = {"JPEG": ("jpg", "JPEG"), "PNG": ("png", "PNG")}


def clean_photo(upload: UploadedFile) -> tuple[ContentFile, ContentFile]:
    """The photo, checked and cleaned, and its thumbnail."""
    if upload.size > MAX_BYTES:
        raise forms.ValidationError(
            _("%(name)s is larger than 5 MB.") % {"name": upload.name}, code="too_large"
        )
    try:
        with Image.open(upload) as probe:
            image_format = probe.format
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise forms.ValidationError(
            _("%(name)s is not a photo: only JPEG and PNG images are accepted.")
            % {"name": upload.name},
            code="not_an_image",
        ) from None
    if image_format not in ALLOWED:
        raise forms.ValidationError(
            _("%(name)s is not a photo: only JPEG and PNG images are accepted.")
            % {"name": upload.name},
            code="wrong_format",
        )
    upload.seek(0)
    with Image.open(upload) as original:
        # Turn the pixels as the camera meant, then drop EXIF, XMP and ICC text chunks.
        image = ImageOps.exif_transpose(original)
        image.thumbnail((MAX_SIDE, MAX_SIDE))
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
