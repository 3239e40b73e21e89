"""Interface pieces every app uses: GOV.UK form and list template tags, widgets, spreadsheet cells."""
