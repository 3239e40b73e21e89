"""Officer-facing pages, one module per area. Every sensitive read starts from visible_to."""
