"""An Open311 GeoReport v2 server for partner concerns (https://wiki.open311.org/GeoReport_v2)."""
