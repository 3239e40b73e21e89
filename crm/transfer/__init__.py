"""Import and export of community contacts, community groups and engagements as CSV and XLSX.

- `resources`: one django-import-export resource per record; reads start from
  `visible_to(user)`, every exported cell is escaped against spreadsheet formulae, every
  imported row goes through the model's `full_clean` and is saved by a service.
- `files`: reading an upload (CSV in UTF-8 with or without a BOM, or XLSX) within the
  size and row limits, and writing a download.
- `services`: `export_records` and `import_records`, the two doors the pages use.
"""
