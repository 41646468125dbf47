"""Evidence documents: PDFs kept outside the public media folder, served only by a view
that checks who asks (`views.evidence_download`)."""

import contextlib
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

PDF_MAGIC = b"%PDF-"
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def private_root():
    return getattr(settings, "PUENTE_PRIVATE_MEDIA_ROOT", settings.VAR_DIR / "private")


class PrivateStorage(FileSystemStorage):
    """A file system storage without public URLs: nothing here is ever under MEDIA_URL.

    Without an explicit location it follows the setting at every use (a FileField takes
    its storage once, at import; tests move the folder with `settings`).
    """

    def __init__(self, location=None, **kwargs):
        self._fixed_location = location
        kwargs["base_url"] = None
        super().__init__(location=location, **kwargs)

    @property
    def base_location(self):
        return str(self._fixed_location or private_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no public URL; link to the view that serves them")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The evidence storage (a callable, so migrations do not record a path)."""
    return _private_storage


class EvidenceFieldFile(FieldFile):
    @property
    def url(self):
        # The permission-checked download view, never a file system path.
        self._require_file()
        return self.instance.get_evidence_url()


class EvidenceFileField(models.FileField):
    attr_class = EvidenceFieldFile


def validate_pdf_evidence(upload) -> None:
    """A PDF by its content (the `%PDF-` magic bytes), at most 10 MB; the name proves nothing.

    A file already stored was checked when it was uploaded: editing other fields of its
    certification does not read it again.
    """
    if getattr(upload, "_committed", False):
        return
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s): at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(MAX_EVIDENCE_BYTES)},
        )
    try:
        position = upload.tell()
    except (AttributeError, OSError, ValueError):
        position = None
    try:
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
    except (OSError, ValueError) as error:
        raise ValidationError(_("The file could not be read."), code="unreadable") from error
    finally:
        if position is not None:
            with contextlib.suppress(OSError, ValueError):
                upload.seek(position)
    if head != PDF_MAGIC:
        raise ValidationError(_("Only PDF files are accepted."), code="not_pdf")
