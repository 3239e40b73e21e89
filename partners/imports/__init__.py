"""Bulk intake of partner concerns from a CSV or XLSX file, as a background job.

- `files`: reading an upload as a stream of rows (CSV in UTF-8, UTF-8 with a byte order mark,
  or Windows-1252, said so; XLSX read-only, after a check that it is no zip bomb), within the
  size, row and cell limits, rows numbered as a spreadsheet shows them (the headings are row 1).
- `resources`: the django-import-export resource: the columns, how each cell is read (every
  widget raises a sentence a person can act on) and how a concern is exported (every cell escaped).
- `writer`: the bulk path: rows are checked in Python cell by cell, copied into a temporary
  staging table with COPY, checked as a set in SQL (inside a force area, repeated rows, already
  held), and written in one INSERT ... SELECT, all or nothing.
- `services`: the doors the pages and the Celery tasks use: start, check (dry run), confirm, commit.
"""
