"""Post attachments: PDFs and images, checked by their content, served only through Django.

A member uploads a file while writing (`attachment_upload`), gets a random token back,
and the post form sends the tokens; `attach_to_post` links the uploader's own unattached
uploads to the new post. Files live in the private storage (outside MEDIA_ROOT, so never
at a /media/ URL) and are read back only by the download view after `can_download`.

What is accepted is decided by the bytes, never the name or the declared type: the magic
bytes of PDF, PNG, JPEG, WebP or GIF, and for images Pillow must parse and verify the
file. The name's extension must agree with the content. A refusal stores nothing.
"""

from __future__ import annotations

import io
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image

from forums.models import Attachment, PostStatus, attachment_path
from forums.selectors import can_moderate, can_read_category
from network.institutions.files import private_storage
from network.permissions import is_vetted_member, may_act

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_IMAGE_SIDE = 10_000
MAX_ATTACHMENTS_PER_POST = 10
# Uploads not yet attached to a post, per member: a cap on what a script could pile up.
MAX_PENDING_UPLOADS = 30
PENDING_WINDOW = timedelta(days=1)
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]  # the first one is given to a name without extension
    pillow_format: str | None  # None: not an image
    inline: bool  # shown in the browser (images) or always downloaded (PDF)


PDF = FileKind("application/pdf", ("pdf",), None, inline=False)
PNG = FileKind("image/png", ("png",), "PNG", inline=True)
JPEG = FileKind("image/jpeg", ("jpg", "jpeg"), "JPEG", inline=True)
WEBP = FileKind("image/webp", ("webp",), "WEBP", inline=True)
GIF = FileKind("image/gif", ("gif",), "GIF", inline=True)
KINDS = {kind.content_type: kind for kind in (PDF, PNG, JPEG, WEBP, GIF)}
ACCEPT = ",".join(KINDS)  # for <input type="file" accept="...">


class AttachmentError(ValidationError):
    """An upload refused, with a translated message for the member; nothing was stored."""


def max_bytes() -> int:
    return int(getattr(settings, "PUENTE_FORUM_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def attachment_storage():
    """Where attachments are kept: the private storage, which has no public URL."""
    return private_storage()


def sniff(head: bytes) -> FileKind | None:
    """The kind of file these first bytes start, or None for anything else."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    return None


def _image_is_sound(data: bytes, kind: FileKind) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
                width, height = image.size
                if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
                    return False
                image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many types for broken or hostile files
        return False
    return True


def clean_filename(name: str, kind: FileKind) -> str:
    """A short ASCII file name ending in the extension of `kind` (the URL and download name).

    Raises AttachmentError when the given extension names another type than the content.
    """
    base = PurePath(str(name or "").replace("\\", "/")).name
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    extension = extension.lower()
    if extension and extension not in kind.extensions:
        raise AttachmentError(
            _("The file’s content does not match its “.%(extension)s” extension."),
            code="mismatch",
            params={"extension": extension[:10]},
        )
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = slugify(ascii_stem)[: MAX_NAME_LENGTH - 6].strip("-_") or "attachment"
    return f"{stem}.{extension or kind.extensions[0]}"


def _read_limited(uploaded_file, limit: int) -> bytes:
    try:
        uploaded_file.seek(0)
        data = uploaded_file.read(limit + 1)
    except (OSError, ValueError) as error:
        raise AttachmentError(_("The file could not be read."), code="unreadable") from error
    return data or b""


def check_upload(uploaded_file) -> tuple[bytes, FileKind, str]:
    """(content, kind, clean file name) of an acceptable upload; AttachmentError otherwise."""
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None)
    too_large = AttachmentError(
        _("The file is too large (%(size)s): at most %(limit)s."),
        code="too_large",
        params={"size": filesizeformat(size or limit + 1), "limit": filesizeformat(limit)},
    )
    if size is not None and size > limit:
        raise too_large
    data = _read_limited(uploaded_file, limit)
    if len(data) > limit:
        raise too_large
    if not data:
        raise AttachmentError(_("The file is empty."), code="empty")
    kind = sniff(data[:16])
    if kind is None:
        raise AttachmentError(
            _("Only PDF files and PNG, JPEG, WebP or GIF images can be attached."), code="type"
        )
    name = clean_filename(getattr(uploaded_file, "name", ""), kind)
    if kind.pillow_format and not _image_is_sound(data, kind):
        raise AttachmentError(
            _("This image is damaged or not really a %(format)s image."),
            code="broken_image",
            params={"format": kind.pillow_format},
        )
    return data, kind, name


def can_upload(user) -> bool:
    """Members of a network (or DPS staff) who may act: the people who may post somewhere."""
    return may_act(user) and is_vetted_member(user)


def attachment_upload(*, user, uploaded_file) -> Attachment:
    """Check `uploaded_file` and keep it as an unattached upload of `user`.

    Raises AttachmentError (nothing stored) for members who may not upload, too many
    pending uploads, files over the size cap, other types than PDF/PNG/JPEG/WebP/GIF,
    broken images, or a name whose extension contradicts the content.
    """
    if not can_upload(user):
        raise AttachmentError(_("Only network members can attach files."), code="forbidden")
    pending = Attachment.objects.filter(
        uploader=user, post__isnull=True, created_at__gte=timezone.now() - PENDING_WINDOW
    ).count()
    if pending >= MAX_PENDING_UPLOADS:
        raise AttachmentError(
            _("You have many uploads not attached to a post yet: post them or try again later."),
            code="too_many",
        )
    data, kind, name = check_upload(uploaded_file)
    attachment = Attachment(
        uploader=user,
        token=secrets.token_urlsafe(24),  # 32 characters
        filename=name,
        content_type=kind.content_type,
        size=len(data),
    )
    storage = attachment_storage()
    stored = storage.save(attachment_path(attachment, name), ContentFile(data))
    attachment.file.name = stored
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        storage.delete(stored)
        raise
    return attachment


def attach_to_post(*, post, tokens, user) -> list[Attachment]:
    """Link `user`'s own unattached uploads named by `tokens` to `post` (others are ignored).

    At most MAX_ATTACHMENTS_PER_POST; returns the attachments now on the post from this call.
    """
    wanted = []
    for token in tokens or ():
        token = str(token)[:32]
        if token and token not in wanted:
            wanted.append(token)
    if not wanted or user is None or not user.is_authenticated:
        return []
    room = MAX_ATTACHMENTS_PER_POST - post.attachments.count()
    if room <= 0:
        return []
    # Update first: of two posts sent at once with the same token, only one gets the file.
    Attachment.objects.filter(token__in=wanted[:room], uploader=user, post__isnull=True).update(post=post)
    return list(Attachment.objects.filter(post=post, token__in=wanted[:room]).order_by("pk"))


def attachments_purge_unattached(*, older_than: timedelta = PENDING_WINDOW) -> int:
    """Delete uploads never attached to a post (and their files); returns how many."""
    storage = attachment_storage()
    stale = list(Attachment.objects.filter(post__isnull=True, created_at__lt=timezone.now() - older_than))
    for attachment in stale:
        if attachment.file.name:
            storage.delete(attachment.file.name)
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in stale]).delete()
    return len(stale)


# --- reading ------------------------------------------------------------------------------


def can_download(user, attachment) -> bool:
    """Who may fetch an attachment: the one rule behind the download view.

    Unattached: its uploader only. Attached: readers of the post's category, when the post
    is readable by them: published and not deleted, in a visible topic, or they wrote it
    (pending or hidden), or they moderate the category.
    """
    post = attachment.post
    if post is None:
        return bool(user and user.is_authenticated and attachment.uploader_id == user.pk)
    topic = post.topic
    category = topic.category
    if not can_read_category(user, category):
        return False
    if can_moderate(user, category):
        return True
    if post.deleted_at is not None:
        return False
    is_author = bool(user and user.is_authenticated and post.author_id == user.pk)
    if post.status == PostStatus.PUBLISHED and topic.is_visible:
        return True
    return is_author and post.status in (PostStatus.PUBLISHED, PostStatus.PENDING, PostStatus.HIDDEN)


def attachment_for_download(*, user, token: str, filename: str) -> Attachment | None:
    """The attachment behind a download URL when `user` may fetch it, else None (→ 404)."""
    attachment = (
        Attachment.objects.select_related("post__topic__category")
        .filter(token=str(token)[:32], filename=str(filename)[:200])
        .first()
    )
    if attachment is None or attachment.content_type not in KINDS or not can_download(user, attachment):
        return None
    return attachment


def attachment_url(attachment) -> str:
    return reverse("forums:attachment", args=[attachment.token, attachment.filename])


def attachment_markdown(attachment) -> str:
    """The Markdown a member's post gets for an upload (one URL for every language)."""
    with translation.override(settings.LANGUAGE_CODE):
        url = attachment_url(attachment)
    label = attachment.filename.replace("[", "").replace("]", "")
    if KINDS[attachment.content_type].inline:
        return f"![{label}]({url})"
    return f"[{label}]({url})"


def is_image(attachment) -> bool:
    kind = KINDS.get(attachment.content_type)
    return bool(kind and kind.inline)
