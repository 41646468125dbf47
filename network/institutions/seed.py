"""Demo institutions and certifications (`manage.py seed_demo`). Idempotent: running it again
updates the same rows and files. Validity dates are relative to the day it runs, so the demo
always shows valid, expiring and expired certifications."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from network.institutions.files import private_storage
from network.institutions.models import Certification, Institution
from network.institutions.services import tiny_pdf
from network.models import Country

# name, acronym, country, kind, website, description
INSTITUTIONS = [
    (
        "Policía Nacional de Colombia",
        "PONAL",
        "CO",
        "police_force",
        "https://www.policia.gov.co",
        "Colombia's national civilian police force.",
    ),
    (
        "Escuela de Cadetes de Policía General Francisco de Paula Santander",
        "ECSAN",
        "CO",
        "police_academy",
        "https://www.policia.gov.co",
        "The officers' academy of the National Police of Colombia.",
    ),
    (
        "Universidad Nacional de Colombia",
        "UNAL",
        "CO",
        "university",
        "https://unal.edu.co",
        "Public university; research on citizen security and coexistence.",
    ),
    (
        "Carabineros de Chile",
        "",
        "CL",
        "police_force",
        "https://www.carabineros.cl",
        "Chile's uniformed national police.",
    ),
    (
        "Policía de Investigaciones de Chile",
        "PDI",
        "CL",
        "police_force",
        "https://www.pdichile.cl",
        "Chile's investigative police.",
    ),
    (
        "Academia Nacional de Policía – Costa Rica",
        "ANP",
        "CR",
        "police_academy",
        "https://www.seguridadpublica.go.cr",
        "Basic and specialised training of the Fuerza Pública.",
    ),
    (
        "Ministerio de Seguridad Pública – Costa Rica",
        "MSP",
        "CR",
        "ministry",
        "https://www.seguridadpublica.go.cr",
        "",
    ),
    (
        "Royal Canadian Mounted Police",
        "RCMP",
        "CA",
        "police_force",
        "https://www.rcmp-grc.gc.ca",
        "Canada's federal and national police service.",
    ),
    ("Trinidad and Tobago Police Service", "TTPS", "TT", "police_force", "https://www.ttps.gov.tt", ""),
    (
        "CARICOM Implementation Agency for Crime and Security",
        "CARICOM IMPACS",
        "TT",
        "international",
        "https://caricomimpacs.org",
        "Regional agency coordinating the Caribbean Community's security action.",
    ),
    (
        "Polícia Militar do Estado de São Paulo",
        "PMESP",
        "BR",
        "police_force",
        "https://www.policiamilitar.sp.gov.br",
        "The uniformed police of the State of São Paulo.",
    ),
    ("Polícia Federal", "PF", "BR", "police_force", "https://www.gov.br/pf", ""),
    (
        "Instituto Igarapé",
        "",
        "BR",
        "ngo",
        "https://igarape.org.br",
        "Think tank on public, climate and digital security.",
    ),
    (
        "Secretaría de Seguridad y Protección Ciudadana – México",
        "SSPC",
        "MX",
        "ministry",
        "https://www.gob.mx/sspc",
        "",
    ),
    ("Policía Nacional del Perú", "PNP", "PE", "police_force", "https://www.policia.gob.pe", ""),
    ("Policía Nacional Civil de Guatemala", "PNC", "GT", "police_force", "https://pnc.edu.gt", ""),
    ("Policía Nacional Civil de El Salvador", "PNC", "SV", "police_force", "https://www.pnc.gob.sv", ""),
    ("Jamaica Constabulary Force", "JCF", "JM", "police_force", "https://jcf.gov.jm", ""),
    ("Royal Bahamas Police Force", "RBPF", "BS", "police_force", "https://www.royalbahamaspolice.org", ""),
    ("Ministerio del Interior – Uruguay", "MI", "UY", "ministry", "https://www.minterior.gub.uy", ""),
    (
        "Policía Federal Argentina",
        "PFA",
        "AR",
        "police_force",
        "https://www.argentina.gob.ar/policiafederal",
        "",
    ),
    ("Miami-Dade Police Department", "MDPD", "US", "police_force", "https://www.miamidade.gov/police", ""),
]

# institution name, standard, scope, certifying body, number, days since start, days until end
CERTIFICATIONS = [
    (
        "Policía Nacional de Colombia",
        "ISO 9001:2015",
        "Citizen services and police education processes",
        "ICONTEC",
        "SC-CER-3127",
        420,
        675,
    ),
    (
        "Escuela de Cadetes de Policía General Francisco de Paula Santander",
        "ISO 9001:2015",
        "Professional training of police officers",
        "ICONTEC",
        "SC-CER-5410",
        300,
        800,
    ),
    (
        "Carabineros de Chile",
        "ISO 9001:2015",
        "Citizen service at police stations (Comisaría Virtual)",
        "Bureau Veritas",
        "CL-2023-118",
        1050,
        45,
    ),
    (
        "Policía de Investigaciones de Chile",
        "ISO 9001:2015",
        "International police cooperation and migration checks",
        "SGS",
        "CL-QMS-2207",
        200,
        900,
    ),
    (
        "Academia Nacional de Policía – Costa Rica",
        "ISO 9001:2015",
        "Basic police training course",
        "INTECO",
        "INTE-SGC-481",
        500,
        595,
    ),
    (
        "Royal Canadian Mounted Police",
        "ISO/IEC 17025:2017",
        "National Forensic Laboratory Services",
        "Standards Council of Canada",
        "SCC-15000",
        350,
        1100,
    ),
    (
        "Trinidad and Tobago Police Service",
        "ISO 9001:2015",
        "Firearms licensing unit",
        "Trinidad and Tobago Bureau of Standards",
        "TTBS-QMS-077",
        1155,
        -60,
    ),
    (
        "Polícia Militar do Estado de São Paulo",
        "ISO 9001:2015",
        "Emergency call centre 190 (COPOM)",
        "Fundação Vanzolini",
        "BR-0192-SP",
        250,
        840,
    ),
    (
        "Secretaría de Seguridad y Protección Ciudadana – México",
        "ISO 37001:2016",
        "Anti-bribery management of procurement",
        "SGS",
        "MX-ABMS-0091",
        180,
        910,
    ),
    (
        "Policía Nacional del Perú",
        "ISO 9001:2015",
        "Issuance of police record certificates",
        "SGS del Perú",
        "PE-QMS-3319",
        600,
        495,
    ),
    (
        "Policía Nacional Civil de Guatemala",
        "ISO 9001:2015",
        "Police academy admissions",
        "ICONTEC",
        "GT-SC-0771",
        700,
        395,
    ),
    (
        "Ministerio del Interior – Uruguay",
        "ISO 9001:2015",
        "National civil identification services",
        "LSQA",
        "UY-LSQA-2290",
        150,
        945,
    ),
    (
        "Miami-Dade Police Department",
        "CALEA accreditation",
        "Law enforcement agency accreditation",
        "Commission on Accreditation for Law Enforcement Agencies",
        "",
        800,
        660,
    ),
]


@transaction.atomic
def seed_institutions(progress=None, scale=0, **options) -> None:
    today = timezone.localdate()
    countries = Country.objects.in_bulk([row[2] for row in INSTITUTIONS])
    institutions = {}
    for name, acronym, code, kind, website, description in INSTITUTIONS:
        institutions[name], _created = Institution.objects.update_or_create(
            name=name,
            country=countries[code],
            defaults={"acronym": acronym, "kind": kind, "website": website, "description": description},
        )
        if progress:
            progress(1)
    storage = private_storage()
    for name, standard, scope, body, number, since, until in CERTIFICATIONS:
        institution = institutions[name]
        certification, _created = Certification.objects.update_or_create(
            institution=institution,
            standard=standard,
            scope=scope,
            defaults={
                "certifying_body": body,
                "certificate_number": number,
                "valid_from": today - timedelta(days=since),
                "valid_until": today + timedelta(days=until),
            },
        )
        # A fixed name per certification: running the seeder again replaces the file.
        file_name = f"demo/{slugify(institution.acronym or institution.name)}-{certification.pk}.pdf"
        pdf = tiny_pdf(
            [
                "Demo certificate (not a real document)",
                standard,
                institution.name,
                scope,
                f"{body} {number}".strip(),
                f"{certification.valid_from.isoformat()} - {certification.valid_until.isoformat()}",
            ]
        )
        if storage.exists(file_name):
            storage.delete(file_name)
        certification.evidence_document.name = storage.save(file_name, ContentFile(pdf))
        certification.save(update_fields=["evidence_document"])
        if progress:
            progress(1)
