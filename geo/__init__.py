"""Geography: force area, neighbourhoods, small areas (LSOA, MSOA, ward) and their demographic profiles."""
