"""The CRM's records, one module per area. Every sensitive model belongs to an
organisation and is read through `Model.objects.visible_to(user)`."""
from organisations.models import (  # noqa: F401
    PARTNER_ONLY_ROLES, POLICE_KINDS, POLICE_ONLY_ROLES, AuditEvent, HubUserManager, Membership, Organisation,
    OrganisationKind, User,
)
from access.roles import Role  # noqa: F401
from crm.models.vocabularies import IssueCategory, UnderRepresentedGroup  # noqa: F401
from crm.models.contacts import AccessibilityNeed, Channel, Contact, LawfulBasis, PartnerContact  # noqa: F401
from crm.models.groups import (  # noqa: F401
    AdviceResponse, AdvisoryAdvice, AdvisoryGroup, AdvisoryGroupKind, AdvisoryMembership, CommunityGroup, CommunityGroupKind,
    PoliceSupport,
)
from crm.models.engagements import (  # noqa: F401
    Adjustment, DoorstepVisit, Engagement, EngagementIssue, EngagementKind, EngagementStatus, ObjectivesMet, Questionnaire,
    QuestionnaireQuestion, QuestionKind, VenueKind, VisitOutcome,
)
from crm.models.priorities import FINISHED_STATUSES, PRIORITY_MOVES, ActionStatus, Priority, PriorityAction, PriorityStatus  # noqa: F401
