"""Every export shape is read into one, and every problem names its row and column."""
import json

import pytest

from digital.formats import Format, RowProblem, read_posts


def read(data, file_format=Format.GENERIC):
    return list(read_posts(data if isinstance(data, bytes) else data.encode(), file_format))


def problem(data, file_format=Format.GENERIC) -> RowProblem:
    """The first problem: the whole file's (raised) or a row's (yielded in its place)."""
    try:
        rows = read(data, file_format)
    except RowProblem as raised:
        return raised
    found = [row for row in rows if isinstance(row, RowProblem)]
    assert found, "no problem was found"
    return found[0]


GENERIC_CSV = "post_id,text,time,site,author,url,place,latitude,longitude,reply_to\n" \
              "1,Bikes on the field,2026-11-20T18:00:00Z,Facebook,jo,https://x.example/1,Hindpool,,,\n" \
              "2,Music all night,20/11/2026 23:10,Forum,,,,54.105,-3.235,1\n"


def test_a_generic_csv_is_read_with_its_coordinates_and_reply():
    first, second = read(GENERIC_CSV)
    assert (first.post_id, first.site, first.place_text, first.longitude) == ("1", "Facebook", "Hindpool", None)
    assert (second.latitude, second.longitude, second.reply_to, second.posted_at.day) == (54.105, -3.235, "1", 20)


def test_a_generic_csv_saved_by_excel_as_utf16_is_read():
    assert len(read(GENERIC_CSV.encode("utf-16"))) == 2


def test_x_api_v2_tweets_take_their_handle_place_and_coordinates_from_includes():
    answer = {"data": [{"id": "1860000000000000001", "text": "Speeding on Abbey Road again", "created_at": "2026-11-21T08:15:00.000Z",
                        "author_id": "42", "geo": {"place_id": "p1", "coordinates": {"type": "Point", "coordinates": [-3.23, 54.105]}},
                        "entities": {"hashtags": [{"tag": "Barrow"}]}, "referenced_tweets": [{"type": "replied_to", "id": "1859"}]}],
              "includes": {"users": [{"id": "42", "username": "barrowresident", "name": "A Resident"}],
                           "places": [{"id": "p1", "full_name": "Barrow-in-Furness, England"}]}}
    (tweet,) = read(json.dumps(answer), Format.X_API_V2)
    assert (tweet.author, tweet.place_text, tweet.longitude, tweet.latitude, tweet.reply_to, tweet.site) == (
        "barrowresident", "Barrow-in-Furness, England", -3.23, 54.105, "1859", "X")
    assert tweet.url == "https://x.com/barrowresident/status/1860000000000000001"


def test_facebook_comments_read_the_graph_api_time_format_and_parent():
    answer = {"data": [{"id": "111_222", "message": "Fly tipping behind the shops", "created_time": "2026-11-22T10:00:00+0000",
                        "from": {"name": "Sam Resident", "id": "9"}, "permalink_url": "https://facebook.example/111_222",
                        "parent": {"id": "111_221"}}], "paging": {"cursors": {}}}
    (comment,) = read(json.dumps(answer), Format.FACEBOOK)
    assert (comment.author, comment.reply_to, comment.posted_at.hour, comment.site) == ("Sam Resident", "111_221", 10, "Facebook")


def test_a_media_monitoring_export_skips_its_title_lines_and_keys_posts_by_url():
    export = ("Mentions report\nDate range: 1 Nov 2026 - 27 Nov 2026\n\n"
              "Mention,Date,Author,URL,Site,Location\n"
              "Graffiti on the underpass,2026-11-23 09:00,@tagwatch,https://forum.example/t/9,forum.example,Roose\n")
    (mention,) = read(export, Format.MEDIA_MONITORING)
    assert (mention.post_id, mention.place_text, mention.site, mention.author) == ("https://forum.example/t/9", "Roose", "forum.example", "@tagwatch")


@pytest.mark.parametrize(("csv_text", "row", "column", "words"), [
    ("post_id,text,time,site\n1,,2026-11-20T18:00:00Z,X\n", 2, "text", "is empty"),
    ("post_id,text,time,site\n1,hello,0001-01-01T00:00:00Z,X\n", 2, "time", "not a plausible date"),
    ("post_id,text,time,site\n1,hello,yesterday,X\n", 2, "time", "not a date and time"),
    ("post_id,text,time,site,latitude\n1,hello,2026-11-20T18:00:00Z,X,54.1\n", 2, "latitude", "both latitude and longitude"),
    ("post_id,text,time,site,latitude,longitude\n1,hello,2026-11-20T18:00:00Z,X,91,-3\n", 2, "latitude", "outside"),
    ("post_id,text,time,site\n1,hel\x00lo,2026-11-20T18:00:00Z,X\n", 2, "text", "NUL"),
])
def test_a_bad_cell_is_named_by_row_and_column(csv_text, row, column, words):
    found = problem(csv_text)
    assert (found.row, found.column) == (row, column)
    assert words in found.message


@pytest.mark.parametrize(("data", "file_format", "words"), [
    (b"", Format.GENERIC, "empty"),
    (b"\x00", Format.GENERIC, "NUL"),
    (b"\xff\xfe\xfa\xfb", Format.GENERIC, ""),
    ("{not json".encode(), Format.X_API_V2, "not valid JSON"),
    (b'{"tweets": []}', Format.X_API_V2, "needs a"),
    (b"no,headings,here\n1,2,3\n", Format.MEDIA_MONITORING, "No heading row"),
    (b"\xe9t\xe9", Format.GENERIC, "not UTF-8"),
    (b"\xff\xfeA", Format.GENERIC, "not UTF-8"),
])
def test_a_file_that_cannot_be_read_says_why(data, file_format, words):
    try:
        found = problem(data, file_format)
    except UnicodeDecodeError:  # pragma: no cover - the reader must never let one escape
        pytest.fail("a decoding error escaped the reader")
    assert words in found.message


def test_every_bad_row_is_named_not_only_the_first():
    rows = read("post_id,text,time,site\n1,,2026-11-20T18:00:00Z,X\n2,ok,2026-11-20T18:00:00Z,X\n3,ok,never,X\n")
    assert [(r.row, r.column) for r in rows if isinstance(r, RowProblem)] == [(2, "text"), (4, "time")]


def test_a_tweet_of_the_wrong_shape_is_named_not_crashed_on():
    (row,) = read('{"data": [{"id": "1", "text": "hi", "created_at": "2026-11-20T18:00:00Z", "geo": "nowhere"}]}', Format.X_API_V2)
    assert isinstance(row, RowProblem) and row.row == 1


def test_json_posts_with_differently_spelt_keys_are_each_read_by_their_own_keys():
    records = [{"ID": "1", "Message": "Bikes again", "Created_At": "2026-11-20T18:00:00Z", "Source": "X"},
               {"post_id": "2", "text": "Music all night", "time": "2026-11-20T23:10:00Z", "site": "Forum", "place": "Roose"},
               {"ID": "3", "Message": "", "Created_At": "2026-11-21T08:00:00Z", "Source": "X"}]
    first, second, third = read(json.dumps(records))
    assert (first.post_id, first.text, first.site) == ("1", "Bikes again", "X")
    assert (second.post_id, second.place_text) == ("2", "Roose")
    assert (third.row, third.column) == (3, "message")


def test_a_post_before_the_hubs_earliest_date_is_refused(settings):
    import datetime

    settings.EARLIEST_DATE = datetime.date(2020, 1, 1)
    found = problem("post_id,text,time,site\n1,hello,2019-12-31T23:00:00Z,X\n")
    assert (found.row, found.column) == (2, "time") and "not a plausible date" in found.message
    assert read("post_id,text,time,site\n1,hello,2020-01-01T09:00:00Z,X\n")[0].text == "hello"
