"""Changes to institutions and certifications. DPS staff mostly make them in the Wagtail
admin (/cms/), whose forms run the same model validation; the demo seeder and scripts use
these functions."""

from __future__ import annotations

from datetime import date

from django.core.files.base import File
from django.db import transaction

from network.institutions.files import validate_pdf_evidence
from network.institutions.models import Certification, Institution


@transaction.atomic
def institution_create(
    *, name: str, country, kind: str, acronym: str = "", website: str = "", description: str = ""
) -> Institution:
    """Create an institution after full model validation (unique name per country)."""
    institution = Institution(
        name=name.strip(),
        acronym=acronym.strip(),
        country=country,
        kind=kind,
        website=website,
        description=description,
    )
    institution.full_clean()
    institution.save()
    return institution


@transaction.atomic
def certification_create(
    *,
    institution: Institution,
    standard: str,
    scope: str,
    certifying_body: str,
    valid_from: date,
    valid_until: date,
    certificate_number: str = "",
    evidence: File | None = None,
) -> Certification:
    """Record a certification; `evidence`, if given, must be a PDF of at most 10 MB.
    Nothing is stored when any check fails (ValidationError)."""
    certification = Certification(
        institution=institution,
        standard=standard.strip(),
        scope=scope.strip(),
        certifying_body=certifying_body.strip(),
        certificate_number=certificate_number.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    certification.full_clean(exclude=["evidence_document"])
    if evidence is not None:
        validate_pdf_evidence(evidence)
    certification.save()
    if evidence is not None:
        _store_evidence(certification, evidence)
    return certification


@transaction.atomic
def certification_attach_evidence(*, certification: Certification, evidence: File) -> Certification:
    """Replace the certification's evidence document with `evidence` (a PDF, at most 10 MB)."""
    validate_pdf_evidence(evidence)
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    previous = certification.evidence_document.name
    _store_evidence(certification, evidence)
    if previous and previous != certification.evidence_document.name:
        storage = certification.evidence_document.storage
        # Delete the old file only once the new name is committed.
        transaction.on_commit(lambda: storage.delete(previous))
    return certification


def _store_evidence(certification: Certification, evidence: File) -> None:
    evidence.seek(0)
    # The stored name comes from `evidence_upload_to` (a random name), never from the upload.
    certification.evidence_document.save("evidence.pdf", evidence, save=False)
    stored = certification.evidence_document.name
    try:
        certification.save(update_fields=["evidence_document"])
    except Exception:
        certification.evidence_document.storage.delete(stored)
        raise


def tiny_pdf(lines: list[str]) -> bytes:
    """A minimal, valid one-page PDF showing `lines` (Latin-1 text): demo evidence."""

    def pdf_text(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream_lines = ["BT", "/F1 16 Tf", "72 760 Td", "20 TL"]
    for line in lines:
        stream_lines.append(f"({pdf_text(line)}) Tj T*")
    stream_lines.append("ET")
    stream = "\n".join(stream_lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
