"""Profile photos: checked by their content, re-encoded, never kept as uploaded.

An upload must really be a JPEG, PNG or WebP image (whatever its name or declared type),
at most MAX_BYTES and MAX_SIDE pixels a side (checked from the header, before decoding, so
a "decompression bomb" is refused without being inflated). What is stored is new JPEG data
drawn from the pixels: a center-cropped square and a thumbnail, with no EXIF (GPS position,
camera serial numbers) or other metadata.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPTED_CONTENT_TYPES = "image/jpeg,image/png,image/webp"
MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
LARGE_SIDE = 400
THUMBNAIL_SIDE = 96
JPEG_QUALITY = 85

MESSAGES = {
    "invalid": _("This file is not a photo we can use: upload a JPEG, PNG or WebP image."),
    "too_big": _("This photo is too big: it may be at most 5 MB."),
    "too_large": _("This photo is too large: it may be at most 6000 × 6000 pixels."),
}


@dataclass(frozen=True)
class ProcessedPhoto:
    large: bytes
    thumbnail: bytes


def _refuse(code: str):
    raise ValidationError(MESSAGES[code], code=code)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or comment: the new file carries pixels only.
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def process_photo(upload) -> ProcessedPhoto:
    """Validate an uploaded file and return the two JPEGs to store; raise ValidationError."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        _refuse("too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            data = upload.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                _refuse("too_big")
            # Image.open reads the header only: the size is known before any decoding.
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    _refuse("invalid")
                width, height = probe.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    _refuse("too_large")
                if width < 1 or height < 1:
                    _refuse("invalid")
                probe.verify()
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                # JPEG can decode at a fraction of its size: no need for all 36 megapixels.
                image.draft("RGB", (LARGE_SIDE * 2, LARGE_SIDE * 2))
                image.load()
                upright = ImageOps.exif_transpose(image)
                square = ImageOps.fit(
                    _flatten(upright),
                    (LARGE_SIDE, LARGE_SIDE),
                    method=Image.Resampling.LANCZOS,
                    centering=(0.5, 0.5),
                )
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard, for headers claiming far more pixels than ours allows.
        _refuse("too_large")
    except (OSError, SyntaxError, ValueError, TypeError, EOFError):
        _refuse("invalid")
    thumbnail = square.resize((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(large=_jpeg(square), thumbnail=_jpeg(thumbnail))
