"""Django's {# … #} comment ends on its own line: one that runs on is printed on the page as text (the lists' pagination
showed its comment under every long list). Longer comments use {% comment %}."""
from tests.conftest import PROJECT_ROOT


def test_every_one_line_template_comment_closes_on_its_line():
    unclosed = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in sorted((PROJECT_ROOT / "templates").rglob("*.*")) if path.suffix in (".html", ".txt", ".xml")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert unclosed == [], f"Comments that run past their line (use {{% comment %}}): {unclosed}"
