"""Attachments: what may be uploaded (checked by content, size-capped, nothing kept on
refusal), linking to a post, and who may download (404 for everyone else)."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from PIL import Image

from forums import attachments
from forums.models import Attachment, Category, Post, PostStatus, ReadAccess, Topic
from tests.factories import NetworkFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def image_bytes(fmt: str, size=(24, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 79, 138)).save(buffer, fmt)
    return buffer.getvalue()


def upload_file(content: bytes, name: str, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_topic(category, author, *, status=PostStatus.PUBLISHED, is_visible=True):
    topic = Topic.objects.create(
        category=category,
        author=author,
        title="Evidence of results",
        slug=slugify("Evidence of results"),
        is_visible=is_visible,
        last_post_number=1,
    )
    post = Post.objects.create(topic=topic, author=author, number=1, body="See the file.", status=status)
    return topic, post


def stored_files(root) -> list[Path]:
    root = Path(root)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUENTE_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PUENTE_PRIVATE_MEDIA_ROOT


@pytest.fixture
def network():
    return NetworkFactory(slug="prevention")


@pytest.fixture
def other_network():
    return NetworkFactory(slug="police")


@pytest.fixture
def category(network):
    return Category.objects.create(network=network, slug="practices", name="Practices")


@pytest.fixture
def public_category(network):
    return Category.objects.create(network=network, slug="open", name="Open", read_access=ReadAccess.PUBLIC)


@pytest.fixture
def author(network):
    return member_of(network)


@pytest.fixture
def reader(network):
    return member_of(network)


@pytest.fixture
def moderator(network):
    return with_totp(member_of(network, "moderator"))


def attached(post, author, content=PDF_BYTES, name="report.pdf"):
    attachment = attachments.attachment_upload(user=author, uploaded_file=upload_file(content, name))
    attachments.attach_to_post(post=post, tokens=[attachment.token], user=author)
    attachment.refresh_from_db()
    return attachment


def download(client, attachment, *, user=None):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("forums:attachment", args=[attachment.token, attachment.filename]))


UPLOAD_URL = "/forums/attachments/upload/"


# --- uploading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type", "filename"),
    [
        (
            PDF_BYTES,
            "Informe anual 2024 (versión final).PDF",
            "application/pdf",
            "informe-anual-2024-version-final.pdf",
        ),
        (image_bytes("PNG"), "chart.png", "image/png", "chart.png"),
        (image_bytes("JPEG"), "photo.jpeg", "image/jpeg", "photo.jpeg"),
        (image_bytes("WEBP"), "photo.webp", "image/webp", "photo.webp"),
        (image_bytes("GIF"), "anim", "image/gif", "anim.gif"),
    ],
)
def test_a_member_uploads_pdfs_and_images_kept_outside_the_media_folder(
    client, author, private_media, settings, content, name, content_type, filename
):
    client.force_login(author)
    response = client.post(UPLOAD_URL, {"file": upload_file(content, name, "text/html")})
    assert response.status_code == 201, response.content
    data = response.json()
    attachment = Attachment.objects.get(token=data["token"])
    assert attachment.content_type == content_type and attachment.filename == filename
    assert data["filename"] == filename and data["url"].endswith(f"/{data['token']}/{filename}")
    assert data["markdown"].startswith("!" if content_type.startswith("image/") else "[")
    assert attachment.post is None and attachment.uploader == author and attachment.size == len(content)
    assert [path.read_bytes() for path in stored_files(private_media)] == [content]
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (PDF_BYTES, "holiday.png", "does not match"),  # a PDF dressed as an image
        (image_bytes("PNG"), "scan.pdf", "does not match"),
        (b"<script>alert(document.cookie)</script>", "photo.png", "Only PDF files"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "logo.svg", "Only PDF files"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "x.png", "damaged"),
        (b"\xff\xd8\xff\xe0 not really a jpeg <script>", "x.jpg", "damaged"),
        (b"MZ\x90\x00 an executable", "tool.pdf", "Only PDF files"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_disguised_or_broken_files_are_refused_and_nothing_is_stored(
    client, author, private_media, content, name, words
):
    client.force_login(author)
    response = client.post(UPLOAD_URL, {"file": upload_file(content, name, "image/png")})
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert not Attachment.objects.exists()
    assert stored_files(private_media) == []


def test_a_file_over_the_size_cap_is_refused_with_the_limit(client, author, settings, private_media):
    settings.PUENTE_FORUM_ATTACHMENT_MAX_BYTES = 2000
    client.force_login(author)
    response = client.post(UPLOAD_URL, {"file": upload_file(PDF_BYTES + b"0" * 2000, "big.pdf")})
    assert response.status_code == 413
    assert "too large" in response.json()["error"] and "2.0\xa0KB" in response.json()["error"]
    assert not Attachment.objects.exists() and stored_files(private_media) == []


def test_the_size_cap_defaults_to_ten_megabytes(settings):
    del settings.PUENTE_FORUM_ATTACHMENT_MAX_BYTES
    assert attachments.max_bytes() == 10 * 1024 * 1024


def test_upload_errors_are_in_the_members_language(client, author):
    client.force_login(author)
    response = client.post("/es" + UPLOAD_URL, {"file": upload_file(b"plain text", "notes.txt")})
    assert response.status_code == 400
    with translation.override("es"):
        expected = translation.gettext("Only PDF files and PNG, JPEG, WebP or GIF images can be attached.")
    assert response.json()["error"] == expected


def test_visitors_and_people_outside_the_networks_cannot_upload(client):
    response = client.post(UPLOAD_URL, {"file": upload_file(PDF_BYTES, "a.pdf")})
    assert response.status_code == 403 and response.json()["error"]
    client.force_login(UserFactory())
    response = client.post(UPLOAD_URL, {"file": upload_file(PDF_BYTES, "a.pdf")})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_an_upload_without_a_file_or_with_get_is_refused(client, author):
    client.force_login(author)
    assert client.post(UPLOAD_URL, {}).status_code == 400
    assert client.get(UPLOAD_URL).status_code == 405


def test_a_member_cannot_pile_up_unattached_uploads(author, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_PENDING_UPLOADS", 2)
    for _ in range(2):
        attachments.attachment_upload(user=author, uploaded_file=upload_file(PDF_BYTES, "a.pdf"))
    with pytest.raises(attachments.AttachmentError):
        attachments.attachment_upload(user=author, uploaded_file=upload_file(PDF_BYTES, "a.pdf"))
    assert Attachment.objects.count() == 2


# --- attaching --------------------------------------------------------------------------------


def test_only_the_uploaders_own_unattached_files_join_a_post(category, author, reader):
    _topic, post = make_topic(category, author)
    mine = attachments.attachment_upload(user=author, uploaded_file=upload_file(PDF_BYTES, "mine.pdf"))
    theirs = attachments.attachment_upload(user=reader, uploaded_file=upload_file(PDF_BYTES, "theirs.pdf"))
    joined = attachments.attach_to_post(
        post=post, tokens=[mine.token, theirs.token, "not-a-token", mine.token], user=author
    )
    assert [attachment.pk for attachment in joined] == [mine.pk]
    theirs.refresh_from_db()
    assert theirs.post is None

    _other_topic, other_post = make_topic(category, author)
    assert attachments.attach_to_post(post=other_post, tokens=[mine.token], user=author) == []
    mine.refresh_from_db()
    assert mine.post == post


def test_stale_unattached_uploads_are_purged_with_their_files(author, private_media, category):
    _topic, post = make_topic(category, author)
    kept = attached(post, author)
    stale = attachments.attachment_upload(user=author, uploaded_file=upload_file(PDF_BYTES, "old.pdf"))
    Attachment.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert attachments.attachments_purge_unattached() == 1
    assert list(Attachment.objects.all()) == [kept]
    assert len(stored_files(private_media)) == 1


# --- downloading ------------------------------------------------------------------------------


def test_a_member_downloads_a_pdf_as_an_attachment(client, category, author, reader):
    _topic, post = make_topic(category, author)
    attachment = attached(post, author)
    response = download(client, attachment, user=reader)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_image_is_shown_inline_with_its_own_type(client, category, author, reader):
    _topic, post = make_topic(category, author)
    attachment = attached(post, author, image_bytes("PNG"), "chart.png")
    response = download(client, attachment, user=reader)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_visitors_and_other_networks_get_404_for_members_only_files(client, category, author, other_network):
    _topic, post = make_topic(category, author)
    attachment = attached(post, author)
    assert download(client, attachment).status_code == 404
    assert download(client, attachment, user=member_of(other_network)).status_code == 404
    assert download(client, attachment, user=UserFactory()).status_code == 404


def test_files_of_a_public_category_are_open_to_visitors(client, public_category, author):
    _topic, post = make_topic(public_category, author)
    attachment = attached(post, author, image_bytes("JPEG"), "team.jpg")
    assert download(client, attachment).status_code == 200


def test_a_guessed_or_altered_url_is_404(client, public_category, author):
    _topic, post = make_topic(public_category, author)
    attachment = attached(post, author)
    guesses = [
        (attachment.token, "other-name.pdf"),
        ("A" * 32, attachment.filename),
        (attachment.token[:-1] + ("A" if attachment.token[-1] != "A" else "B"), attachment.filename),
        ("..%2F..%2Fsettings", "x.pdf"),
    ]
    for token, filename in guesses:
        assert client.get(f"/forums/attachments/{token}/{filename}").status_code == 404
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


@pytest.mark.parametrize(
    ("state", "reader_sees", "author_sees", "moderator_sees"),
    [
        ("hidden", False, True, True),
        ("pending", False, True, True),
        ("deleted", False, False, True),
        ("invisible_topic", False, True, True),
    ],
)
def test_files_of_unreadable_posts_are_404_except_for_author_and_moderators(
    client, category, author, reader, moderator, state, reader_sees, author_sees, moderator_sees
):
    topic, post = make_topic(category, author)
    attachment = attached(post, author)
    if state == "hidden":
        Post.objects.filter(pk=post.pk).update(status=PostStatus.HIDDEN, hidden_reason="Off topic")
    elif state == "pending":
        Post.objects.filter(pk=post.pk).update(status=PostStatus.PENDING)
    elif state == "deleted":
        Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    else:
        Topic.objects.filter(pk=topic.pk).update(is_visible=False)
    for user, sees in ((reader, reader_sees), (author, author_sees), (moderator, moderator_sees)):
        client.logout()
        assert download(client, attachment, user=user).status_code == (200 if sees else 404), user


def test_an_unattached_upload_is_only_for_its_uploader(client, author, reader):
    attachment = attachments.attachment_upload(user=author, uploaded_file=upload_file(PDF_BYTES, "draft.pdf"))
    assert download(client, attachment).status_code == 404
    assert download(client, attachment, user=reader).status_code == 404
    client.logout()
    assert download(client, attachment, user=author).status_code == 200


def test_a_download_runs_a_handful_of_queries(
    client, category, author, reader, django_assert_max_num_queries
):
    _topic, post = make_topic(category, author)
    attachment = attached(post, author)
    client.force_login(reader)
    url = reverse("forums:attachment", args=[attachment.token, attachment.filename])
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


def test_a_missing_file_on_disk_is_404_not_500(client, category, author, reader, private_media):
    _topic, post = make_topic(category, author)
    attachment = attached(post, author)
    for path in stored_files(private_media):
        path.unlink()
    assert download(client, attachment, user=reader).status_code == 404


# --- the list of files ------------------------------------------------------------------------


def test_the_attachment_list_links_every_file_through_the_download_view(category, author):
    _topic, post = make_topic(category, author)
    pdf = attached(post, author)
    image = attached(post, author, image_bytes("PNG"), "chart.png")
    for language in ("en", "es"):
        with translation.override(language):
            html = render_to_string("forums/_attachments.html", {"attachments": post.attachments.all()})
            pdf_url = reverse("forums:attachment", args=[pdf.token, pdf.filename])
            image_url = reverse("forums:attachment", args=[image.token, image.filename])
        assert f'href="{pdf_url}"' in html and f'<img src="{image_url}"' in html
        assert "/media/" not in html and "style=" not in html
    assert render_to_string("forums/_attachments.html", {"attachments": []}).strip() == ""
