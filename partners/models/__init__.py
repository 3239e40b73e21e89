"""Partner-reported concerns, how they arrive (form, bulk file, Open311) and their daily collation."""
from partners.models.concerns import Concern, ConcernChannel, ConcernLink, ConcernStatus  # noqa: F401
from partners.models.intake import ConcernImportJob, ImportJobStatus, PartnerApiKey  # noqa: F401
from partners.models.collation import CollationRun, CollationStatus, NeighbourhoodDigest  # noqa: F401
