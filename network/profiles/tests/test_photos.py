"""Photos are checked by their content, re-encoded and stripped; the upload is never kept."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from network.profiles import photos
from network.profiles.models import Profile
from network.profiles.services import profile_for, profile_update
from network.profiles.tests.factories import exif_with_gps, image_bytes, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[str]:
    found = []
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found += [os.path.join(root, name) for name in files]
    return sorted(found)


def test_a_text_file_named_like_a_photo_is_refused():
    with pytest.raises(ValidationError) as refused:
        photos.process_photo(upload(b"just some text, not an image\n" * 20, "me.jpg", "image/jpeg"))
    assert refused.value.code == "invalid"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    with pytest.raises(ValidationError) as refused:
        photos.process_photo(upload(image_bytes(fmt), f"me.{fmt.lower()}", "image/jpeg"))
    assert refused.value.code == "invalid"


def test_a_truncated_image_is_refused():
    data = image_bytes("PNG", size=(300, 300))
    with pytest.raises(ValidationError) as refused:
        photos.process_photo(upload(data[: len(data) // 2]))
    assert refused.value.code == "invalid"


def test_a_file_over_5_mb_is_refused_before_it_is_decoded():
    data = image_bytes("PNG", size=(10, 10)) + b"\0" * (5 * 1024 * 1024)
    with pytest.raises(ValidationError) as refused:
        photos.process_photo(upload(data))
    assert refused.value.code == "too_big"


@pytest.mark.parametrize("size", [(6001, 10), (10, 6001)])
def test_an_image_over_6000_pixels_a_side_is_refused(size):
    with pytest.raises(ValidationError) as refused:
        photos.process_photo(upload(image_bytes("PNG", size=size, mode="L", color=0)))
    assert refused.value.code == "too_large"


def test_a_decompression_bomb_is_refused_from_its_header():
    # A tiny PNG that claims 30000 × 30000 pixels (900 megapixels once decoded).
    image = Image.new("1", (30000, 30000))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    assert buffer.tell() < 5 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        photos.process_photo(upload(buffer.getvalue()))
    assert refused.value.code == "too_large"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_valid_image_becomes_a_square_jpeg_and_a_thumbnail_without_exif(fmt):
    data = image_bytes(fmt, size=(1200, 800), exif=exif_with_gps())
    assert b"SpyCam" in data
    processed = photos.process_photo(upload(data, f"me.{fmt.lower()}"))
    for content, side in ((processed.large, 400), (processed.thumbnail, 96)):
        image = Image.open(io.BytesIO(content))
        assert image.format == "JPEG"
        assert image.size == (side, side)
        assert not image.getexif()
        assert "exif" not in image.info
        assert b"SpyCam" not in content
        assert b"secret-software" not in content


def test_a_transparent_png_gets_a_white_background():
    processed = photos.process_photo(
        upload(image_bytes("PNG", size=(50, 50), color=(0, 0, 0, 0), mode="RGBA"))
    )
    pixel = Image.open(io.BytesIO(processed.large)).getpixel((200, 200))
    assert all(channel > 245 for channel in pixel)


def test_the_photo_is_center_cropped():
    image = Image.new("RGB", (900, 300), (0, 0, 255))
    image.paste((255, 0, 0), (300, 0, 600, 300))  # the red middle third
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    processed = photos.process_photo(upload(buffer.getvalue()))
    red, green, blue = Image.open(io.BytesIO(processed.large)).getpixel((200, 200))
    assert red > 200 and blue < 60
    corner = Image.open(io.BytesIO(processed.large)).getpixel((5, 5))
    assert corner[0] > 200  # no blue sides left


def test_saving_a_photo_keeps_only_the_two_reencoded_files(settings):
    user = UserFactory()
    profile = profile_update(
        profile=profile_for(user), by=user, photo=upload(image_bytes("PNG", exif=exif_with_gps()))
    )
    files = stored_files(settings)
    assert len(files) == 2
    assert all(name.endswith(".jpg") for name in files)
    assert {os.path.basename(profile.photo.name), os.path.basename(profile.photo_thumbnail.name)} == {
        os.path.basename(name) for name in files
    }
    for name in files:
        with open(name, "rb") as handle:
            assert b"SpyCam" not in handle.read()


def test_a_new_photo_replaces_the_old_files_and_removing_deletes_them(
    settings, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(profile=profile_for(user), by=user, photo=upload(image_bytes("PNG")))
    first = stored_files(settings)
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(profile=Profile.objects.get(user=user), by=user, photo=upload(image_bytes("JPEG")))
    second = stored_files(settings)
    assert len(second) == 2
    assert not set(first) & set(second)
    with django_capture_on_commit_callbacks(execute=True):
        profile = profile_update(profile=Profile.objects.get(user=user), by=user, remove_photo=True)
    assert stored_files(settings) == []
    assert not profile.photo
    assert not profile.photo_thumbnail


def test_a_refused_photo_changes_nothing(settings):
    user = UserFactory()
    profile = profile_update(profile=profile_for(user), by=user, values={"position": "Analyst"})
    with pytest.raises(ValidationError):
        profile_update(
            profile=profile,
            by=user,
            values={"position": "Changed"},
            photo=upload(b"GIF89a not really", "x.jpg"),
        )
    profile.refresh_from_db()
    assert profile.position == "Analyst"
    assert stored_files(settings) == []
