"""The schedules an organisation starts with, and where each comes from. README.md shows this table.

Where a source gives no period, the assumption is stated: information governance confirms or changes it."""
from dataclasses import dataclass

from retention.models import EndAction, LegalRegime, RecordClass

MOPI = "APP on Management of Police Information (College of Policing)"


@dataclass(frozen=True)
class DefaultSchedule:
    record_class: str
    police_regime: str
    partner_regime: str
    period_months: int
    end_action: str
    source: str

    @property
    def label(self) -> str:
        return RecordClass(self.record_class).label

    @property
    def action_label(self) -> str:
        return EndAction(self.end_action).label


DEFAULTS = (
    DefaultSchedule(
        RecordClass.CONTACTS, LegalRegime.UK_GDPR, LegalRegime.UK_GDPR, 24, EndAction.REVIEW,
        f"{MOPI}: review, retention and disposal, with a recorded decision whenever a record is kept. Assumption: MoPI sets no "
        "period for community contacts (not crime records), so two years since the last change, or the contact's own "
        "'retain until' date if sooner, then a person reviews it."),
    DefaultSchedule(
        RecordClass.ADVISORY_MEMBERS, LegalRegime.UK_GDPR, LegalRegime.UK_GDPR, 12, EndAction.DELETE,
        "UK GDPR article 5(1)(e) and article 9 (special category data, given with consent for a group's diversity). Assumption: "
        "one year after a member leaves covers the group's annual review of its membership; then deleted."),
    DefaultSchedule(
        RecordClass.CONCERN_REPORTERS, LegalRegime.PART_3, LegalRegime.UK_GDPR, 12, EndAction.ANONYMISE,
        "UK GDPR article 5(1)(e); DPA 2018 s.39 for the police. Assumption: a reporter's details are needed to follow the "
        "concern up for a year; after that the concern is kept for statistics (category, LSOA, dates) without them."),
    DefaultSchedule(
        RecordClass.DOORSTEP_VISITS, LegalRegime.PART_3, LegalRegime.UK_GDPR, 6, EndAction.ANONYMISE,
        "Neighbourhood Alert (the community messaging system many forces use) deletes doorstep notes after six months. Anonymised rather than deleted: the outcome "
        "and the questionnaire's closed answers stay for StreetSafe statistics, with the street and not the home."),
    DefaultSchedule(
        RecordClass.ENGAGEMENT_ATTENDANCE, LegalRegime.PART_3, LegalRegime.UK_GDPR, 12, EndAction.ANONYMISE,
        "DPA 2018 s.39 (kept no longer than necessary). Assumption: notes and issue wording that may name people are "
        "needed for a year of PACT follow-up; type, place, date, turnout and issue categories stay for reports."),
    DefaultSchedule(
        RecordClass.IMPORT_FILES, LegalRegime.UK_GDPR, LegalRegime.UK_GDPR, 1, EndAction.DELETE,
        "UK GDPR article 5(1)(c) and (e). Assumption: once imported, the concerns are in the hub and the uploaded file is "
        "a copy; a month leaves time to query a rejected row, then the file is deleted from storage."),
    DefaultSchedule(
        RecordClass.NOTIFICATIONS, LegalRegime.PART_3, LegalRegime.UK_GDPR, 3, EndAction.DELETE,
        "UK GDPR article 5(1)(e); DPA 2018 s.39 for the police. GOV.UK Notify, the government's messaging service, keeps "
        "the content of messages it sends for 7 days by default and at most 90. Assumption: a notification (listed in the hub, "
        "and emailed) only points at a record the hub keeps anyway, so three months, then deleted."),
    DefaultSchedule(
        RecordClass.HISTORY_ROWS, LegalRegime.PART_3, LegalRegime.UK_GDPR, 72, EndAction.DELETE,
        f"{MOPI}: records outside groups 1 and 2 are reviewed after a six-year clear period; DPA 2018 s.62 (logging) sets "
        "no period. Assumption: history of changes older than six years is deleted."),
    DefaultSchedule(
        RecordClass.SOCIAL_MEDIA, LegalRegime.PART_3, LegalRegime.UK_GDPR, 3, EndAction.ANONYMISE,
        "UK GDPR article 5(1)(e); DPA 2018 s.39 for the police. Assumption: imported posts are for spotting hot topics, which "
        "takes weeks; three months after import, then each post's text, author handle, link and place words are removed "
        "and only counts stay (neighbourhood, topic, category, tone, site, time)."),
    DefaultSchedule(
        RecordClass.AGREEMENT_PDFS, LegalRegime.UK_GDPR, LegalRegime.UK_GDPR, 72, EndAction.DELETE,
        "UK GDPR article 5(1)(e). A printed agreement names its signatories and their roles. Assumption: six years after the "
        "protocol ended (the Limitation Act 1980 period for a claim under it), then deleted; the register keeps the version "
        "and its signatures, from which the PDF can be made again."),
)
