"""A certificate as a PDF (reportlab, in the holder's language, with a QR code to the public
verification page) and as an Open Badges 3.0 / W3C verifiable-credential JSON document.

The JSON credential is unsigned (no `proof`): a verifier trusts it by fetching it from its
`id`, the verification URL on this site, over HTTPS; `credentialStatus` says there whether
it was revoked. Everything shown is what the certificate froze at issue: no e-mail address
or other private data of the holder.
"""

from __future__ import annotations

import io
from datetime import UTC
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ISSUER_NAME = "Puente"
FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
)


def verify_url(code: str) -> str:
    """The absolute, language-neutral address where anyone verifies the certificate."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("certificates:verify", args=[code])
    return settings.SITE_URL + path


def credential_url(code: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("certificates:credential", args=[code])
    return settings.SITE_URL + path


def _iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the PDF --------------------------------------------------------------------------------


@cache
def _fonts() -> tuple[str, str]:
    """(regular, bold) font names: DejaVu when the system has it (names in any Latin,
    Greek or Cyrillic script), else reportlab's bundled Vera, else Helvetica."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    candidates = list(FONT_CANDIDATES)
    for folder in rl_config.TTFSearchPath:
        candidates.append((str(Path(folder) / "Vera.ttf"), str(Path(folder) / "VeraBd.ttf")))
    for regular, bold in candidates:
        if Path(regular).is_file() and Path(bold).is_file():
            pdfmetrics.registerFont(TTFont("CertificateRegular", regular))
            pdfmetrics.registerFont(TTFont("CertificateBold", bold))
            return "CertificateRegular", "CertificateBold"
    return "Helvetica", "Helvetica-Bold"


def _credits_text(accreditation: dict) -> str:
    parts = []
    if accreditation.get("credit_hours"):
        parts.append(
            ngettext("%(count)s credit hour", "%(count)s credit hours", accreditation["credit_hours"])
            % {"count": accreditation["credit_hours"]}
        )
    if accreditation.get("ects") is not None:
        parts.append(_("%(ects)s ECTS credits") % {"ects": formats.number_format(accreditation["ects"], 1)})
    return ", ".join(parts)


def accreditation_lines(certificate) -> list[str]:
    """ "Accredited by <university> (<country>): <credits>", in the active language."""
    from network.models import Country

    codes = {item.get("country") for item in certificate.accreditations if item.get("country")}
    names = {country.code: country.name for country in Country.objects.filter(code__in=codes)}
    lines = []
    for item in certificate.accreditations:
        country = names.get(item.get("country"), item.get("country_name", ""))
        university = f"{item['university']} ({country})" if country else item["university"]
        credits = _credits_text(item)
        if credits:
            lines.append(
                _("Accredited by %(university)s: %(credits)s")
                % {"university": university, "credits": credits}
            )
        else:
            lines.append(_("Accredited by %(university)s") % {"university": university})
    return lines


def _centred_lines(canvas, text: str, font: str, size: float, top: float, width: float, page_width: float):
    """Draw `text` centred below `top`, wrapped to `width`; returns the y below it. No markup
    is parsed: a name like "<b>" is drawn as typed."""
    from reportlab.lib.utils import simpleSplit

    canvas.setFont(font, size)
    y = top
    for line in simpleSplit(text, font, size, width) or [""]:
        y -= size
        canvas.drawCentredString(page_width / 2, y, line)
        y -= size * 0.35
    return y


def _draw_qr(canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code of `url` as vector squares (crisp at any zoom), quiet zone included."""
    import segno

    matrix = segno.make(url, error="m", micro=False).matrix
    modules = len(matrix) + 8  # four light modules each side
    cell = size / modules
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                path.rect(x + (col_index + 4) * cell, y + size - (row_index + 5) * cell, cell, cell)
    canvas.setFillGray(0)
    canvas.drawPath(path, fill=1, stroke=0)


def _certificate_texts(certificate) -> dict:
    """Every sentence of the certificate, in the active language."""
    is_programme = certificate.programme_id is not None
    return {
        "heading": _("Certificate of completion") if not is_programme else _("Programme certificate"),
        "certifies": _("This certifies that"),
        "completed": _("has completed the course") if not is_programme else _("has completed the programme"),
        "hours": ngettext("%(count)s hour", "%(count)s hours", certificate.hours)
        % {"count": certificate.hours},
        "issued": _("Issued on %(date)s")
        % {"date": formats.date_format(timezone.localtime(certificate.issued_at), "DATE_FORMAT")},
        "reissued": _("Re-issued on %(date)s")
        % {"date": formats.date_format(timezone.localtime(certificate.reissued_at), "DATE_FORMAT")}
        if certificate.reissued_at
        else "",
        "verify": _("Verify this certificate at:"),
        "code": _("Certificate code: %(code)s") % {"code": certificate.code},
    }


def _issuer_name(certificate) -> str:
    """The network that trained the holder, e.g. "Network for Police Development"."""
    if certificate.enrolment_id:
        return certificate.enrolment.run.course.network.name
    if certificate.programme_id:
        return certificate.programme.network.name
    return ""


def render_pdf(certificate) -> bytes:
    """The certificate as an A4 landscape PDF in the holder's language (`certificate.language`)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = _fonts()
    width, height = landscape(A4)
    issuer = _issuer_name(certificate)
    url = verify_url(certificate.code)
    buffer = io.BytesIO()
    language = certificate.language or settings.LANGUAGE_CODE
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1, lang=language)
    with translation.override(language):
        texts = _certificate_texts(certificate)
        accreditations = accreditation_lines(certificate)
        canvas.setTitle(f"{texts['heading']}: {certificate.title}")
        canvas.setAuthor(ISSUER_NAME)
        canvas.setSubject(certificate.code)
    canvas.setStrokeColorRGB(0.1, 0.3, 0.5)
    canvas.setLineWidth(3)
    canvas.rect(1 * cm, 1 * cm, width - 2 * cm, height - 2 * cm)
    text_width = width - 6 * cm
    y = height - 2.2 * cm
    if issuer:
        y = _centred_lines(canvas, issuer, regular, 12, y, text_width, width) - 0.5 * cm
    y = _centred_lines(canvas, texts["heading"].upper(), bold, 26, y, text_width, width) - 0.8 * cm
    y = _centred_lines(canvas, texts["certifies"], regular, 14, y, text_width, width) - 0.3 * cm
    y = _centred_lines(canvas, certificate.holder_name, bold, 28, y, text_width, width) - 0.3 * cm
    y = _centred_lines(canvas, texts["completed"], regular, 14, y, text_width, width) - 0.3 * cm
    y = _centred_lines(canvas, certificate.title, bold, 20, y, text_width, width) - 0.2 * cm
    y = _centred_lines(canvas, texts["hours"], regular, 13, y, text_width, width) - 0.3 * cm
    for line in accreditations:
        y = _centred_lines(canvas, line, regular, 12, y, text_width - 6 * cm, width)
    canvas.setFont(regular, 11)
    canvas.drawString(2 * cm, 3.4 * cm, texts["issued"])
    if texts["reissued"]:
        canvas.drawString(2 * cm, 2.9 * cm, texts["reissued"])
    canvas.drawString(2 * cm, 2.4 * cm, texts["code"])
    canvas.setFont(regular, 9)
    canvas.drawString(2 * cm, 1.9 * cm, f"{texts['verify']} {url}")
    canvas.linkURL(url, (2 * cm, 1.7 * cm, width - 7 * cm, 2.3 * cm), relative=0)
    qr_size = 4 * cm
    _draw_qr(canvas, url, width - 1.5 * cm - qr_size, 1.5 * cm, qr_size)
    canvas.linkURL(
        url, (width - 1.5 * cm - qr_size, 1.5 * cm, width - 1.5 * cm, 1.5 * cm + qr_size), relative=0
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- the verifiable credential --------------------------------------------------------------


def _achievement(certificate, url: str) -> dict:
    from courses.selectors import course_url

    course = certificate.enrolment.run.course if certificate.enrolment_id else None
    with translation.override(certificate.language or settings.LANGUAGE_CODE):
        narrative = ngettext(
            "Completed every requirement (%(count)s hour of study).",
            "Completed every requirement (%(count)s hours of study).",
            certificate.hours,
        ) % {"count": certificate.hours}
        lines = accreditation_lines(certificate)
    achievement = {
        "id": (settings.SITE_URL + course_url(course.slug)) if course else f"{url}#achievement",
        "type": ["Achievement"],
        "achievementType": "Course" if certificate.programme_id is None else "Certificate",
        "name": certificate.title,
        "description": " ".join([narrative, *lines]),
        "criteria": {"narrative": narrative},
        "inLanguage": certificate.language,
    }
    ects = [item["ects"] for item in certificate.accreditations if item.get("ects") is not None]
    if ects:
        achievement["creditsAvailable"] = max(ects)
    return achievement


def credential_json(certificate) -> dict:
    """The certificate as an Open Badges 3.0 credential (W3C Verifiable Credentials 2.0
    shape), unsigned; `id` is the verification URL and `credentialStatus` tells revocation."""
    url = verify_url(certificate.code)
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.title,
        "issuer": {"id": settings.SITE_URL + "/", "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.holder_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": _achievement(certificate, url),
        },
        "credentialStatus": {
            "id": f"{url}#status",
            "type": "PuenteCertificateStatus",
            "statusPurpose": "revocation",
            "revoked": certificate.revoked_at is not None,
        },
    }
    completed_at = certificate.enrolment.completed_at if certificate.enrolment_id else None
    if completed_at:
        credential["credentialSubject"]["activityEndDate"] = _iso(completed_at)
    ects = credential["credentialSubject"]["achievement"].get("creditsAvailable")
    if ects is not None:
        credential["credentialSubject"]["creditsEarned"] = ects
    if certificate.revoked_at is not None:
        credential["credentialStatus"]["revokedAt"] = _iso(certificate.revoked_at)
        credential["credentialStatus"]["revocationReason"] = certificate.revoked_reason
    return credential
