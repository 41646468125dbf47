from django.db import migrations

# The 34 member states: ISO code, names (en, es, pt-BR, fr), tile position on the map.
MEMBER_STATES = [
    ("AG", "Antigua and Barbuda", "Antigua y Barbuda", "Antígua e Barbuda", "Antigua-et-Barbuda", 3, 8),
    ("AR", "Argentina", "Argentina", "Argentina", "Argentine", 12, 4),
    ("BS", "Bahamas", "Bahamas", "Bahamas", "Bahamas", 2, 4),
    ("BB", "Barbados", "Barbados", "Barbados", "Barbade", 6, 8),
    ("BZ", "Belize", "Belice", "Belize", "Belize", 3, 1),
    ("BO", "Bolivia", "Bolivia", "Bolívia", "Bolivie", 10, 4),
    ("BR", "Brazil", "Brasil", "Brasil", "Brésil", 9, 6),
    ("CA", "Canada", "Canadá", "Canadá", "Canada", 0, 2),
    ("CL", "Chile", "Chile", "Chile", "Chili", 11, 3),
    ("CO", "Colombia", "Colombia", "Colômbia", "Colombie", 8, 3),
    ("CR", "Costa Rica", "Costa Rica", "Costa Rica", "Costa Rica", 6, 1),
    ("DM", "Dominica", "Dominica", "Dominica", "Dominique", 4, 8),
    ("DO", "Dominican Republic", "República Dominicana", "República Dominicana", "République dominicaine", 3, 5),
    ("EC", "Ecuador", "Ecuador", "Equador", "Équateur", 9, 2),
    ("SV", "El Salvador", "El Salvador", "El Salvador", "El Salvador", 4, 0),
    ("GD", "Grenada", "Granada", "Granada", "Grenade", 7, 7),
    ("GT", "Guatemala", "Guatemala", "Guatemala", "Guatemala", 3, 0),
    ("GY", "Guyana", "Guyana", "Guiana", "Guyana", 8, 5),
    ("HT", "Haiti", "Haití", "Haiti", "Haïti", 3, 4),
    ("HN", "Honduras", "Honduras", "Honduras", "Honduras", 4, 1),
    ("JM", "Jamaica", "Jamaica", "Jamaica", "Jamaïque", 4, 3),
    ("MX", "Mexico", "México", "México", "Mexique", 2, 0),
    ("NI", "Nicaragua", "Nicaragua", "Nicarágua", "Nicaragua", 5, 1),
    ("PA", "Panama", "Panamá", "Panamá", "Panama", 7, 2),
    ("PY", "Paraguay", "Paraguay", "Paraguai", "Paraguay", 11, 5),
    ("PE", "Peru", "Perú", "Peru", "Pérou", 10, 3),
    ("KN", "Saint Kitts and Nevis", "San Cristóbal y Nieves", "São Cristóvão e Névis", "Saint-Kitts-et-Nevis", 3, 7),
    ("LC", "Saint Lucia", "Santa Lucía", "Santa Lúcia", "Sainte-Lucie", 5, 8),
    (
        "VC",
        "Saint Vincent and the Grenadines",
        "San Vicente y las Granadinas",
        "São Vicente e Granadinas",
        "Saint-Vincent-et-les-Grenadines",
        6,
        7,
    ),
    ("SR", "Suriname", "Surinam", "Suriname", "Suriname", 8, 6),
    ("TT", "Trinidad and Tobago", "Trinidad y Tabago", "Trinidad e Tobago", "Trinité-et-Tobago", 7, 8),
    ("US", "United States", "Estados Unidos", "Estados Unidos", "États-Unis", 1, 2),
    ("UY", "Uruguay", "Uruguay", "Uruguai", "Uruguay", 12, 5),
    ("VE", "Venezuela", "Venezuela", "Venezuela", "Venezuela", 8, 4),
]

TOPICS = [
    ("community-policing", "Community policing", "Policía comunitaria", "Policiamento comunitário", "Police de proximité"),
    ("gender-based-violence", "Gender-based violence", "Violencia de género", "Violência de gênero", "Violence fondée sur le genre"),
    ("cybercrime", "Cybercrime", "Ciberdelito", "Crimes cibernéticos", "Cybercriminalité"),
    ("maritime-security", "Maritime and port security", "Seguridad marítima y portuaria", "Segurança marítima e portuária", "Sûreté maritime et portuaire"),
    ("tourism-security", "Tourism security", "Seguridad turística", "Segurança turística", "Sécurité touristique"),
    ("migration", "Irregular migration", "Migración irregular", "Migração irregular", "Migration irrégulière"),
    ("victim-protection", "Victim and witness protection", "Protección de víctimas y testigos", "Proteção de vítimas e testemunhas", "Protection des victimes et des témoins"),
    ("police-training", "Police training", "Formación policial", "Formação policial", "Formation policière"),
    ("youth-violence-prevention", "Youth violence prevention", "Prevención de la violencia juvenil", "Prevenção da violência juvenil", "Prévention de la violence chez les jeunes"),
    ("organized-crime", "Organized crime", "Crimen organizado", "Crime organizado", "Criminalité organisée"),
    ("drug-policy", "Drug policy", "Política de drogas", "Política sobre drogas", "Politique en matière de drogues"),
    ("firearms-control", "Firearms control", "Control de armas de fuego", "Controle de armas de fogo", "Contrôle des armes à feu"),
    ("crime-statistics", "Crime data and statistics", "Datos y estadísticas delictivas", "Dados e estatísticas criminais", "Données et statistiques sur la criminalité"),
    ("prison-systems", "Prison systems", "Sistemas penitenciarios", "Sistemas prisionais", "Systèmes pénitentiaires"),
    ("police-management", "Police management and quality", "Gestión y calidad policial", "Gestão e qualidade policial", "Gestion et qualité policières"),
    ("human-rights-policing", "Human rights in policing", "Derechos humanos en la labor policial", "Direitos humanos na atividade policial", "Droits humains dans l'action policière"),
    ("trafficking-in-persons", "Trafficking in persons", "Trata de personas", "Tráfico de pessoas", "Traite des personnes"),
    ("emergency-response", "Crisis and emergency response", "Respuesta a crisis y emergencias", "Resposta a crises e emergências", "Réponse aux crises et aux urgences"),
]


def load(apps, schema_editor):
    Country = apps.get_model("network", "Country")
    Topic = apps.get_model("network", "Topic")
    for code, en, es, pt, fr, row, col in MEMBER_STATES:
        Country.objects.update_or_create(
            code=code,
            defaults={"name_en": en, "name_es": es, "name_pt": pt, "name_fr": fr, "map_row": row, "map_col": col},
        )
    for order, (slug, en, es, pt, fr) in enumerate(TOPICS):
        Topic.objects.update_or_create(
            slug=slug, defaults={"name_en": en, "name_es": es, "name_pt": pt, "name_fr": fr, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("network", "0002_networks_and_membership")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
