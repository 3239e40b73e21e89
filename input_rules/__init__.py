"""The rules for input the hub cannot store or reason about, applied once for every page and API.

- `text`: text PostgreSQL refuses (a NUL byte; an unpaired surrogate, which has no UTF-8 form):
  how to recognise it, describe it and make a message safe to save.
- `dates`: the earliest and latest dates the hub accepts (settings), and the validator every
  date and date-time form field carries (installed by `apps.InputRulesConfig.ready`).
- `middleware`: refuses such text anywhere in a request (path, query string, form field,
  header, cookie) before any view or session reads it, and reads form bodies in the charset
  they declare, so a partner's ISO-8859-1 form is understood. (Django itself drops unprintable
  characters from uploaded files' names.)
- `responses`: the refusal in the shape of the surface asked: a GOV.UK page, police.uk-style
  JSON under /api/, the GeoReport v2 error list under /open311/.
"""
