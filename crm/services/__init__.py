"""Writes: each validates, saves and records its history in one transaction, and queues
background work only on commit. Re-exported here so callers write `services.engagement_log(...)`."""
from organisations.services import membership_grant, organisation_upsert  # noqa: F401
from crm.services.records import record_save  # noqa: F401
from crm.services.engagements import doorstep_visit_record, engagement_log, force_area_for  # noqa: F401,E402
from crm.services.priorities import priority_action_record, priority_action_withdraw, priority_agree, priority_move  # noqa: F401,E402
