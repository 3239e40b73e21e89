"""Navigation by role: each person sees links to what their role uses."""
from dataclasses import dataclass

from django.urls import reverse

from access.roles import Role
from publication.services import REVIEWER_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] | None = None  # None: every signed-in user
    staff_only: bool = False


POLICE_ROLES = (Role.OFFICER, Role.MANAGER, Role.ADMINISTRATOR)

# No "Home": the service name at the left of the bar already links there. On a phone the whole list
# folds behind GOV.UK's "Menu" button (the service navigation component in base.html).
NAVIGATION = (
    NavItem("Engagements", "crm:engagement-list", roles=POLICE_ROLES),
    NavItem("Priorities", "crm:priority-list", roles=POLICE_ROLES),
    NavItem("Contacts", "crm:contact-list", roles=POLICE_ROLES),
    NavItem("Groups", "crm:group-list", roles=POLICE_ROLES),
    NavItem("Advisory groups", "crm:advisory-list", roles=POLICE_ROLES),
    NavItem("Concerns", "partners:concern-list", roles=(*POLICE_ROLES, Role.PARTNER_USER)),
    # Partner agencies' own pages: bulk files of concerns and Open311 keys (the police report no concerns).
    NavItem("Concern imports", "partners:import-list", roles=(Role.PARTNER_USER,)),
    NavItem("API keys", "partners:api-key-list", roles=(Role.PARTNER_USER,)),
    NavItem("Shared with us", "partners:shared-with-us", roles=(Role.PARTNER_USER,)),
    NavItem("Topics in concerns", "digital:partner-text-topics", roles=(Role.PARTNER_USER,)),
    NavItem("Collation", "partners:collation", roles=POLICE_ROLES),
    NavItem("Reports", "reports:list", roles=POLICE_ROLES),
    NavItem("Online conversations", "digital:hot-topics", roles=POLICE_ROLES),
    NavItem("Import and export", "crm:export", roles=POLICE_ROLES),
    NavItem("Neighbourhood map", "geo:map"),
    NavItem("Neighbourhoods", "geo:neighbourhood-list"),
    NavItem("People", "crm:people"),
    NavItem("Notifications", "notifications:list"),
    NavItem("Publication review", "publication:review-queue", roles=REVIEWER_ROLES),
    # Information governance: the protocol register, and the disclosure log with its chain check;
    # how long personal data is kept, and people's requests about their own.
    NavItem("Sharing protocols", "sharing:protocol-list", roles=(Role.INFORMATION_GOVERNANCE,)),
    NavItem("Disclosure log", "sharing:disclosure-log", roles=(Role.INFORMATION_GOVERNANCE,)),
    NavItem("Retention", "retention:schedule-list", roles=(Role.INFORMATION_GOVERNANCE,)),
    NavItem("Subject access", "subject_access:request-list", roles=(Role.INFORMATION_GOVERNANCE,)),
    NavItem("Your public profile", "publication:profile", roles=(Role.OFFICER, Role.MANAGER)),
    NavItem("Postcodes and places", "finder:gazetteer", roles=(Role.MANAGER, Role.ADMINISTRATOR)),
    NavItem("Administration", "admin:index", roles=(Role.ADMINISTRATOR,), staff_only=True),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    current = request.path
    items = []
    for item in NAVIGATION:
        if item.roles is not None and not user.has_role(*item.roles):
            continue
        if item.staff_only and not user.is_staff:
            continue
        url = reverse(item.url_name)
        active = current == url if url == "/" else current.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return {"navigation": items}
