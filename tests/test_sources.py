"""Reading articles: formats, sidecars, and refusing what is not an article."""
import json

import pytest

from kg.sources import Article, Rejected, read_inputs


def read(*paths, **kwargs):
    return list(read_inputs([str(p) for p in paths], **kwargs))


def test_plain_text_keeps_text_and_normalises_line_endings(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"Line one.\r\nLine two.\r\n")
    [article] = read(tmp_path / "a.txt")
    assert article.text == "Line one.\nLine two.\n"


def test_sidecar_metadata_is_read(tmp_path):
    (tmp_path / "a.txt").write_text("Shelling hit the town.")
    (tmp_path / "a.json").write_text(json.dumps({"title": "T", "published": "2014-09-06", "url": "https://e.x/a"}))
    [article] = read(tmp_path)
    assert article.meta == {"title": "T", "published": "2014-09-06", "url": "https://e.x/a"}
    assert article.source == "https://e.x/a"


def test_bad_sidecar_date_is_rejected_by_name(tmp_path):
    (tmp_path / "a.txt").write_text("Text.")
    (tmp_path / "a.json").write_text('{"published": "last week"}')
    [rejected] = read(tmp_path / "a.txt")
    assert isinstance(rejected, Rejected)
    assert "a.txt" in str(rejected) and "published" in rejected.reason


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"caf\xe9 au lait", "not UTF-8"),
    ],
)
def test_files_that_are_not_articles_are_rejected(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    [rejected] = read(path)
    assert isinstance(rejected, Rejected)
    assert reason in rejected.reason and str(path) in str(rejected)


def test_too_large_is_rejected(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 100)
    [rejected] = read(path, max_bytes=100)
    assert "too large" in rejected.reason


def test_folders_skip_readmes_sidecars_and_other_files(tmp_path):
    (tmp_path / "README.md").write_text("# notes")
    (tmp_path / "a.txt").write_text("An article.")
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    assert [type(x) for x in read(tmp_path)] == [Article]


def test_json_lines_give_one_article_per_line_and_reject_bad_lines(tmp_path):
    path = tmp_path / "bulk.jsonl"
    path.write_text(
        json.dumps({"text": "First.", "title": "One"}) + "\n" + "{not json\n" + json.dumps({"title": "no text"}) + "\n"
    )
    items = read(path)
    assert isinstance(items[0], Article) and items[0].meta["title"] == "One" and items[0].line == 1
    assert [type(x) for x in items[1:]] == [Rejected, Rejected]
    assert items[1].origin.endswith("bulk.jsonl:2")


def test_html_goes_through_a_main_text_extractor(tmp_path):
    body = "<p>" + "Government artillery shelled the town of Idlib on Monday, killing four people. " * 5 + "</p>"
    html = f"<!doctype html><html><head><title>Idlib shelled</title></head><body><nav>Home | About</nav><article>{body}</article></body></html>"
    (tmp_path / "a.html").write_text(html)
    [article] = read(tmp_path / "a.html")
    assert "Government artillery shelled" in article.text
    assert "<p>" not in article.text and "Home | About" not in article.text
    assert article.meta.get("title") == "Idlib shelled"


def test_missing_path_is_rejected(tmp_path):
    [rejected] = read(tmp_path / "nope.txt")
    assert "no such file" in rejected.reason
