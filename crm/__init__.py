"""The CRM: organisations and their people, and (from the CRM issue) contacts,
community groups, advisory groups and engagements."""
