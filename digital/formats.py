"""Reading the conversation exports a force's social-media team already has, into one shape.

Four shapes are read:

- **generic** CSV or JSON (a list of objects): `post_id, text, time, site, author, url, place,
  latitude, longitude, reply_to`;
- **X API v2** JSON: the `GET /2/tweets/search/*` answer, `{"data": [tweet...], "includes": {"users":
  [...], "places": [...]}}`, tweets with `id`, `text`, `created_at`, `author_id`, `geo`
  (`coordinates` as a GeoJSON point, or `place_id`), `entities` and `referenced_tweets`;
- **Facebook** Graph API comments JSON: `{"data": [{"id", "message", "created_time", "from":
  {"name", "id"}, "permalink_url", "parent": {"id"}}], "paging": {...}}`;
- **media monitoring** CSV (Meltwater, Brandwatch, Talkwalker style): `Mention, Date, Author, URL,
  Site, Location`, with the metadata lines such tools write above the heading row skipped.

Every problem names the row (as a spreadsheet or the file's list numbers it) and the column.
"""
from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone as dt_timezone

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from digital.communities import community_of


class Format:
    GENERIC = "generic"
    X_API_V2 = "x_api_v2"
    FACEBOOK = "facebook"
    MEDIA_MONITORING = "media_monitoring"

    CHOICES = [
        (GENERIC, "Generic CSV or JSON (post_id, text, time, site, author, url, place, latitude, longitude, reply_to)"),
        (X_API_V2, "X (Twitter) API v2 JSON"),
        (FACEBOOK, "Facebook Graph API comments JSON"),
        (MEDIA_MONITORING, "Media-monitoring CSV (Mention, Date, Author, URL, Site, Location)"),
    ]
    LABELS = dict(CHOICES)


MAX_TEXT = 5000


@dataclass
class RowProblem(Exception):
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedPost:
    row: int
    post_id: str
    text: str
    posted_at: datetime
    site: str
    author: str = ""
    url: str = ""
    place_text: str = ""
    longitude: float | None = None
    latitude: float | None = None
    reply_to: str = ""
    community_kind: str = ""
    community: str = ""


def _clean(value, row: int, column: str, *, limit: int = 500, required: bool = False) -> str:
    """Text as PostgreSQL can store it: no NUL (refused with its place named), trimmed, bounded."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    if "\x00" in value:
        raise RowProblem(row, column, "holds a NUL character, which cannot be stored: remove it and upload the file again")
    value = value.strip()
    if required and not value:
        raise RowProblem(row, column, "is empty; every post needs one")
    if len(value) > limit:
        raise RowProblem(row, column, f"is {len(value):,} characters long; the most the hub keeps is {limit:,}")
    return value


def _when(value, row: int, column: str) -> datetime:
    text = _clean(value, row, column, limit=60, required=True)
    moment = None
    try:
        moment = parse_datetime(text.replace(" +0000", "+00:00").replace("+0000", "+00:00"))
    except ValueError:
        moment = None
    if moment is None:
        for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d", "%d %b %Y %H:%M", "%b %d, %Y %I:%M %p"):
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        raise RowProblem(row, column, f"“{text[:40]}” is not a date and time the hub can read (for example 2026-11-27T14:30:00Z or 27/11/2026 14:30)")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    if moment < _earliest(settings.EARLIEST_DATE) or moment > timezone.now() + timedelta(days=1):
        raise RowProblem(row, column, f"{moment:%d %B %Y} is not a plausible date for a post")
    return moment


@functools.lru_cache(maxsize=4)
def _earliest(day) -> datetime:
    """The hub's earliest date (input_rules.dates) as a moment, made once rather than for every row."""
    return datetime.combine(day, time.min, tzinfo=dt_timezone.utc)


def _coordinate(value, row: int, column: str, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RowProblem(row, column, f"“{str(value)[:40]}” is not a number") from None
    if not low <= number <= high:
        raise RowProblem(row, column, f"{number} is outside {low} to {high}")
    return number


def _post(row: int, *, post_id, text, when, when_column, site, author="", url="", place="", lat=None, lng=None,
          reply_to="", community="", thread_account="", columns: dict) -> ParsedPost:
    latitude = _coordinate(lat, row, columns.get("latitude", "latitude"), -90, 90)
    longitude = _coordinate(lng, row, columns.get("longitude", "longitude"), -180, 180)
    if (latitude is None) != (longitude is None):
        raise RowProblem(row, columns.get("latitude", "latitude"), "a post needs both latitude and longitude, or neither")
    text = _clean(text, row, columns.get("text", "text"), limit=MAX_TEXT, required=True)
    url = _clean(url, row, columns.get("url", "url"), limit=500)
    community_kind, community = community_of(named=_clean(community, row, columns.get("community", "community"), limit=200),
                                             thread_account=_clean(thread_account, row, "in_reply_to_user_id", limit=200),
                                             url=url, text=text)
    return ParsedPost(
        row=row, post_id=_clean(post_id, row, columns.get("post_id", "post_id"), limit=100, required=True),
        text=text, community_kind=community_kind, community=community,
        posted_at=_when(when, row, when_column), site=_clean(site, row, columns.get("site", "site"), limit=100, required=True),
        author=_clean(author, row, columns.get("author", "author"), limit=200),
        url=url,
        place_text=_clean(place, row, columns.get("place", "place"), limit=300),
        latitude=latitude, longitude=longitude, reply_to=_clean(reply_to, row, columns.get("reply_to", "reply_to"), limit=100),
    )


NOT_UTF8 = "The file is not UTF-8 text. Save it as “CSV UTF-8” or as JSON and upload it again."


def _open_text(handle) -> io.TextIOWrapper:
    """The file as text, read as it goes (a CSV file is never held whole). Excel's "Unicode text" is
    UTF-16 with a byte-order mark; everything else must be UTF-8 (a UTF-8 byte-order mark is dropped)."""
    head = handle.read(2)
    handle.seek(0)
    encoding = "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    return io.TextIOWrapper(handle, encoding=encoding, newline="")


def _json(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RowProblem(error.lineno, None, f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None


def _csv_rows(stream, *, heading_must_hold: set[str]) -> Iterator[tuple[int, dict]]:
    """Rows as {lower-case heading: cell}, numbered as a spreadsheet shows them; lines above the heading
    row (a monitoring tool's title and date range) are skipped."""
    headings = None
    for line, cells in _numbered(csv.reader(stream)):
        if headings is None:
            lowered = [cell.strip().lower() for cell in cells]
            if heading_must_hold <= set(lowered):
                headings = lowered
            elif line > 20:
                break
            continue
        if not any(cell.strip() for cell in cells):
            continue
        yield line, dict(zip(headings, cells))
    if headings is None:
        needed = ", ".join(sorted(heading_must_hold))
        raise RowProblem(1, None, f"No heading row found: the file needs a row of headings holding {needed}")


GENERIC_ALIASES = {
    "post_id": ("post_id", "id"), "text": ("text", "message", "body"), "time": ("time", "created_at", "date"),
    "site": ("site", "source", "source_site"), "author": ("author", "author_handle", "handle"), "url": ("url", "link"),
    "place": ("place", "place_text", "location"), "latitude": ("latitude", "lat"), "longitude": ("longitude", "lng", "lon"),
    "reply_to": ("reply_to", "in_reply_to"), "community": ("community", "group", "page", "subreddit"),
}


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:
    line = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise RowProblem(line + 1 or None, None, NOT_UTF8) from None
        except csv.Error as error:
            raise RowProblem(line + 1, None, f"This line cannot be read as CSV ({error}). Save the file as “CSV UTF-8” and upload it again.") from None
        line = reader.line_num
        yield line, cells


@functools.lru_cache(maxsize=64)
def _generic_columns(keys: tuple) -> tuple[dict[str, str], dict[str, object]]:
    """Worked out once for a record's keys (every row of a CSV file, and most objects of a JSON list, share
    them): each field's column name, as problems name it, and the key that holds it (None when the record has
    none of its names). Keys match whatever their case and spacing; of two that match alike, the later wins."""
    held = {str(key).strip().lower(): key for key in keys}
    columns, sources = {}, {}
    for field, aliases in GENERIC_ALIASES.items():
        alias = next((alias for alias in aliases if alias in held), None)
        columns[field], sources[field] = (alias, held[alias]) if alias else (aliases[0], None)
    return columns, sources


def _generic(record: dict, row: int) -> ParsedPost:
    columns, sources = _generic_columns(tuple(record))
    value = {field: "" if key is None else record[key] for field, key in sources.items()}
    return _post(row, post_id=value["post_id"], text=value["text"], when=value["time"], when_column=columns["time"],
                 site=value["site"], author=value["author"], url=value["url"], place=value["place"],
                 lat=value["latitude"], lng=value["longitude"], reply_to=value["reply_to"], community=value["community"], columns=columns)


def _or_problem(build, *args):
    """A row's post, or the problem with it: one bad row never hides the problems of the rows after it."""
    try:
        return build(*args)
    except RowProblem as problem:
        return problem
    except (AttributeError, TypeError, ValueError, KeyError):  # a field of the wrong kind: an object where text belongs
        return RowProblem(args[1], None, "is not in the shape this kind of export has: check the kind of export chosen")


def _whole(stream) -> str:
    try:
        text = stream.read()
    except UnicodeDecodeError:
        raise RowProblem(None, None, NOT_UTF8) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise RowProblem(line, None, "The file holds a NUL character, which cannot be stored. Save it again and upload it again.")
    return text


def read_generic(stream, on_total=None) -> Iterator[ParsedPost | RowProblem]:
    try:
        start = stream.read(256).lstrip()
    except UnicodeDecodeError:
        raise RowProblem(None, None, NOT_UTF8) from None
    stream.seek(0)
    if start.startswith(("[", "{")):
        data = _json(_whole(stream))
        records = data.get("data", data.get("posts")) if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise RowProblem(None, None, "The JSON must be a list of posts (or an object with a “posts” list)")
        _tell(on_total, len(records))
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raise RowProblem(number, None, "is not an object with the post's fields")
            yield _or_problem(_generic, record, number)
        return
    for line, record in _csv_rows(stream, heading_must_hold={"text"}):
        yield _or_problem(_generic, record, line)


def read_x_api_v2(stream, on_total=None) -> Iterator[ParsedPost | RowProblem]:
    data = _json(_whole(stream))
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise RowProblem(None, "data", "This is not an X API v2 answer: it needs a “data” list of tweets")
    includes = data.get("includes") or {}
    users = {user.get("id"): user.get("username", "") for user in includes.get("users", []) if isinstance(user, dict)}
    places = {place.get("id"): place.get("full_name", "") for place in includes.get("places", []) if isinstance(place, dict)}
    _tell(on_total, len(data["data"]))
    for number, tweet in enumerate(data["data"], start=1):
        yield _or_problem(_tweet, tweet, number, users, places)


def _tweet(tweet, number: int, users: dict, places: dict) -> ParsedPost:
    if not isinstance(tweet, dict):
        raise RowProblem(number, None, "is not a tweet object")
    geo = tweet.get("geo") or {}
    point = (geo.get("coordinates") or {}).get("coordinates") or [None, None]
    if not isinstance(point, list) or len(point) != 2:
        raise RowProblem(number, "geo.coordinates", "must be [longitude, latitude]")
    replied = [ref.get("id") for ref in tweet.get("referenced_tweets") or [] if isinstance(ref, dict) and ref.get("type") == "replied_to"]
    username = users.get(tweet.get("author_id"), "")
    url = f"https://x.com/{username or 'i'}/status/{tweet.get('id')}" if tweet.get("id") else ""
    return _post(number, post_id=tweet.get("id"), text=tweet.get("text"), when=tweet.get("created_at"), when_column="created_at",
                site="X", author=username, url=url, place=places.get(geo.get("place_id"), ""), lat=point[1], lng=point[0],
                reply_to=replied[0] if replied else "",
                thread_account=users.get(tweet.get("in_reply_to_user_id"), "") if replied else "",
                columns={"post_id": "id", "latitude": "geo.coordinates", "longitude": "geo.coordinates", "author": "author_id"})


def read_facebook(stream, on_total=None) -> Iterator[ParsedPost | RowProblem]:
    data = _json(_whole(stream))
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise RowProblem(None, "data", "This is not a Facebook Graph API answer: it needs a “data” list of comments")
    _tell(on_total, len(data["data"]))
    for number, comment in enumerate(data["data"], start=1):
        yield _or_problem(_comment, comment, number)


def _comment(comment, number: int) -> ParsedPost:
    if not isinstance(comment, dict):
        raise RowProblem(number, None, "is not a comment object")
    author = comment.get("from") or {}
    parent = comment.get("parent") or {}
    return _post(number, post_id=comment.get("id"), text=comment.get("message"), when=comment.get("created_time"),
                when_column="created_time", site="Facebook", author=author.get("name", "") if isinstance(author, dict) else "",
                url=comment.get("permalink_url", ""), reply_to=parent.get("id", "") if isinstance(parent, dict) else "",
                columns={"post_id": "id", "text": "message", "author": "from.name", "url": "permalink_url", "reply_to": "parent.id"})


MONITORING_ALIASES = {
    "text": ("mention", "full text", "snippet", "content"), "time": ("date", "published", "date (utc)"),
    "author": ("author", "author handle", "screen name"), "url": ("url", "link"), "site": ("site", "source", "domain", "page type"),
    "place": ("location", "city"), "community": ("subreddit", "group", "source name", "community"),
}


def read_media_monitoring(stream, on_total=None) -> Iterator[ParsedPost | RowProblem]:
    for line, record in _csv_rows(stream, heading_must_hold={"url"}):
        yield _or_problem(_mention, record, line)


def _mention(record: dict, line: int) -> ParsedPost:
    def cell(key):
        for alias in MONITORING_ALIASES[key]:
            if alias in record:
                return alias, record[alias]
        return MONITORING_ALIASES[key][0], ""

    columns = {key: cell(key)[0] for key in MONITORING_ALIASES}
    url_column, url = cell("url")
    # A monitoring tool's only stable identity for a mention is its URL.
    return _post(line, post_id=url, text=cell("text")[1], when=cell("time")[1], when_column=columns["time"],
                site=cell("site")[1], author=cell("author")[1], url=url, place=cell("place")[1], community=cell("community")[1],
                columns={**{key: value.title() for key, value in columns.items()}, "post_id": url_column.title()})


READERS = {
    Format.GENERIC: read_generic, Format.X_API_V2: read_x_api_v2, Format.FACEBOOK: read_facebook,
    Format.MEDIA_MONITORING: read_media_monitoring,
}


def _tell(on_total, count: int) -> None:
    if on_total is not None:
        on_total(count)


def read_posts(source, file_format: str, *, on_total=None) -> Iterator[ParsedPost | RowProblem]:
    """The posts of a file (bytes, or a binary file open for reading), each row a ParsedPost or the
    RowProblem naming its row and column. A file that cannot be read at all raises a RowProblem.
    `on_total(count)` is told how many records a JSON file holds, once it is parsed (for progress)."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    head = handle.read(4096)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise RowProblem(None, None, "The file holds nothing but NUL characters." if b"\x00" in head else "The file is empty.")
    handle.seek(0)
    yield from READERS[file_format](_open_text(handle), on_total)
