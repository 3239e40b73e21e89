"""The starting vocabularies, from the College of Policing guidance and police.uk's categories.
Administrators edit them afterwards; the data migration only adds what is missing."""

UNDER_REPRESENTED_GROUPS = [
    ("Deaf people and BSL users", "deaf-bsl", "Deaf PACT meetings with a BSL interpreter (the guidance's South Wales case study)."),
    ("Disabled people", "disabled-people", "People with disabilities who may need adjustments to take part."),
    ("Older people", "older-people", "Including cared-for adults and people receiving day-to-day support."),
    ("Young people", "young-people", "Reached through youth groups, schools and sports clubs."),
    ("Gypsy, Roma and Traveller communities", "gypsy-roma-traveller", ""),
    ("LGBT+ people", "lgbt-plus", ""),
    ("Minority ethnic communities", "minority-ethnic", ""),
    ("Faith communities", "faith-communities", "Reached at places of worship."),
    ("People whose main language is not English", "other-language", ""),
    ("Migrants, refugees and asylum seekers", "migrants-refugees", ""),
    ("People experiencing homelessness", "homeless", ""),
    ("Carers", "carers", ""),
    ("People without internet access", "digitally-excluded", "Not everyone is online: keep conventional channels."),
]

# (name, slug, police.uk crime category or "")
ISSUE_CATEGORIES = [
    ("Anti-social behaviour", "anti-social-behaviour", "anti-social-behaviour"),
    ("Fly-tipping", "fly-tipping", ""),
    ("Graffiti", "graffiti", "criminal-damage-arson"),
    ("Noise", "noise", "anti-social-behaviour"),
    ("Drugs", "drugs", "drugs"),
    ("Speeding", "speeding", ""),
    ("Parking", "parking", ""),
    ("Street drinking", "street-drinking", "public-order"),
    ("Burglary", "burglary", "burglary"),
    ("Vehicle crime", "vehicle-crime", "vehicle-crime"),
    ("Criminal damage", "criminal-damage", "criminal-damage-arson"),
    ("Shoplifting", "shoplifting", "shoplifting"),
    ("Violence", "violence", "violent-crime"),
    ("Bicycle theft", "bicycle-theft", "bicycle-theft"),
    ("Litter and dog fouling", "litter-dog-fouling", ""),
    ("Begging", "begging", "anti-social-behaviour"),
    ("Off-road bikes", "off-road-bikes", "anti-social-behaviour"),
    ("Other", "other", "other-crime"),
]


def seed_vocabularies(apps, schema_editor=None) -> None:
    UnderRepresentedGroup = apps.get_model("crm", "UnderRepresentedGroup")
    IssueCategory = apps.get_model("crm", "IssueCategory")
    for name, slug, description in UNDER_REPRESENTED_GROUPS:
        UnderRepresentedGroup.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for name, slug, police_uk in ISSUE_CATEGORIES:
        IssueCategory.objects.get_or_create(slug=slug, defaults={"name": name, "police_uk_category": police_uk})
