"""The Wagtail document upload form, checking type by content and size.

Enabled with `WAGTAILDOCS_DOCUMENT_FORM_BASE = "library.forms.LibraryDocumentForm"`.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

ALLOWED_EXTENSIONS = ("pdf", "docx", "xlsx", "csv", "odt", "ods", "pptx")
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
ZIP_MEMBERS = {
    "docx": "word/",
    "xlsx": "xl/",
    "pptx": "ppt/",
    "odt": "mimetype",
    "ods": "mimetype",
}


def document_problem(uploaded) -> str | None:
    """Why the upload is refused (a message for the editor), or None when it is fine."""
    name = PurePath(uploaded.name or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        return str(
            _("Only these file types are accepted: %(types)s.") % {"types": ", ".join(ALLOWED_EXTENSIONS)}
        )
    if uploaded.size > MAX_DOCUMENT_BYTES:
        return str(_("The file is larger than %(size)d MB.") % {"size": MAX_DOCUMENT_BYTES // (1024 * 1024)})
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    try:
        uploaded.seek(0)
        head = uploaded.read(2048)
        if extension == "pdf":
            ok = head.lstrip(b"\x00\t\r\n ").startswith(b"%PDF-")
        elif extension == "csv":
            try:
                head.decode("utf-8")
                ok = b"\x00" not in head
            except UnicodeDecodeError:
                ok = False
        else:
            ok = head.startswith(b"PK\x03\x04")
            if ok:
                uploaded.seek(0)
                try:
                    with zipfile.ZipFile(uploaded) as archive:
                        names = archive.namelist()
                    prefix = ZIP_MEMBERS[extension]
                    ok = any(member == prefix or member.startswith(prefix) for member in names)
                except zipfile.BadZipFile:
                    ok = False
    finally:
        uploaded.seek(position)
    if not ok:
        return str(
            _("The file’s content does not match its “.%(extension)s” extension.") % {"extension": extension}
        )
    return None


class LibraryDocumentForm(BaseDocumentForm):
    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and hasattr(uploaded, "read") and not getattr(uploaded, "_committed", False):
            problem = document_problem(uploaded)
            if problem:
                raise forms.ValidationError(problem)
        return uploaded
