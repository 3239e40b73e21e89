"""Partner-reported concerns: intake by form, bulk file and Open311, and daily collation (the partner-concerns issue)."""
