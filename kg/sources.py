"""Reading articles from disk: plain text, HTML, JSON Lines, with optional JSON sidecars.

Everything read here is untrusted. A file that cannot be an article (binary, empty, undecodable,
too large, malformed metadata) becomes a :class:`Rejected` naming the file and the problem; it never
raises past :func:`read_inputs`, so one bad file does not stop the rest.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

MAX_ARTICLE_BYTES = 5_000_000
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
META_FIELDS = ("title", "published", "author", "publisher", "url", "language")
MAX_META_CHARS = 2000  # a metadata field longer than this is cut (and the article notes it)


def quoted(name: str) -> str:
    """A file name for a message: quoted, with newlines and other control characters escaped, so a
    name cannot forge a line of output.

    >>> print(quoted("a\\nrejected b.txt"))
    'a\\nrejected b.txt'
    """
    return repr(str(name))


@dataclass
class Article:
    """One article as read, before extraction.

    ``text`` is what gets stored and what every character offset points into: for plain text it is
    the file's text with line endings normalised to ``\\n``; for HTML it is the main text an extractor
    found.
    """

    text: str
    path: str
    line: int | None = None  # for JSON Lines input
    meta: dict = field(default_factory=dict)
    html: str | None = None
    notes: list[str] = field(default_factory=list)  # what was changed on reading (a title cut short)

    @property
    def origin(self) -> str:
        """Where it came from, for messages: a path, or path:line for JSON Lines."""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    @property
    def source(self) -> str:
        """The article's identity across versions: its URL, else its file's URI."""
        if self.meta.get("url"):
            return self.meta["url"]
        uri = Path(self.path).resolve().as_uri()
        return uri if self.line is None else f"{uri}#line={self.line}"


@dataclass
class Rejected:
    """An input that is not an article, and why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{quoted(self.origin)}: {self.reason}"


class InputError(ValueError):
    """Raised inside this module for a bad input; turned into :class:`Rejected` at the boundary."""


def read_inputs(paths: Iterable[str | os.PathLike], *, max_bytes: int = MAX_ARTICLE_BYTES) -> Iterator[Article | Rejected]:
    """Every article under ``paths`` (files or folders), in a stable order.

    In folders only ``.txt``, ``.html``/``.htm`` and ``.jsonl`` files are read; anything else (a
    README, the ``.json`` sidecars themselves) is skipped. A file named explicitly is always read.
    """
    for item in _inputs(paths):
        if isinstance(item, Rejected):
            yield item
        elif item.exists() or item.is_symlink():
            yield from _read_file(item, max_bytes)
        else:
            yield Rejected(str(item), "no such file or folder")


def input_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """The files :func:`read_inputs` will read, folders expanded, in order."""
    return (item for item in _inputs(paths) if isinstance(item, Path))


def _inputs(paths: Iterable[str | os.PathLike]) -> Iterator[Path | Rejected]:
    """Each path named, folders expanded to their article files; a folder that cannot be listed, or
    that holds no article file, is a :class:`Rejected`."""
    for path in map(Path, paths):
        if not path.is_dir():
            yield path
            continue
        found = False
        for item in _folder_files(path):
            found = True
            yield item
        if not found:
            suffixes = ", ".join(sorted(TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES))
            yield Rejected(str(path), f"the folder holds no article files ({suffixes})")


def _folder_files(folder: Path) -> Iterator[Path | Rejected]:
    """The article files under ``folder`` in a stable order; sub-folders that cannot be read rejected."""
    unreadable: list[Rejected] = []

    def refused(error: OSError) -> None:
        unreadable.append(Rejected(str(error.filename or folder), f"the folder cannot be read ({error.strerror})"))

    files = []
    for root, dirs, names in os.walk(folder, onerror=refused):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend(Path(root, name) for name in names if _is_article_file(Path(name)))
    yield from sorted(unreadable, key=lambda r: r.origin)
    yield from sorted(files)


def count_articles(paths: Iterable[str | os.PathLike]) -> int:
    """How many articles :func:`read_inputs` will yield (JSON Lines counted by line), for progress bars."""
    total = 0
    for path in input_files(paths):
        total += 1
        if path.suffix.lower() in JSONL_SUFFIXES:
            try:
                with _open_regular(path) as handle:
                    total += sum(1 for line in handle if line.strip()) - 1
            except (OSError, InputError):
                pass  # read_inputs rejects it
    return total


def _is_article_file(path: Path) -> bool:
    if path.name.lower().startswith("readme") or path.name.startswith("."):
        return False
    if path.name.endswith(".expected.md"):
        return False
    return path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


def _read_file(path: Path, max_bytes: int) -> Iterator[Article | Rejected]:
    try:
        if path.suffix.lower() in JSONL_SUFFIXES:
            yield from _read_jsonl(path, max_bytes)
            return
        raw = _read_bytes(path, max_bytes)
        text = decode_text(raw)
        notes: list[str] = []
        meta = _read_sidecar(path, notes)
        if path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(text):
            article = _article_from_html(text, meta, str(path))
        else:
            article = Article(text=_nonempty(normalise_newlines(text)), path=str(path), meta=meta)
        article.notes.extend(notes)
        yield article
    except InputError as exc:
        yield Rejected(str(path), str(exc))
    except OSError as exc:
        yield Rejected(str(path), f"cannot be read ({exc.strerror or exc})")


_SPECIAL_FILES = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


def _open_regular(path: Path):
    """``path`` opened for reading in binary, if it is a regular file; InputError otherwise.

    Opened without blocking and checked on the open descriptor, so a FIFO (or a file swapped for one)
    cannot make the run wait forever.
    """
    _check_regular(os.stat(path).st_mode)  # a socket cannot even be opened; say what it is
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_regular(os.fstat(fd).st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "something else")
        raise InputError(f"not a regular file but {kind}; only files are read")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    with _open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise InputError(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
        return handle.read(max_bytes + 1)


def decode_text(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; refuse binary data.

    >>> decode_text("Raqqa".encode())
    'Raqqa'
    >>> decode_text(b"\\x00\\x01\\x02PNG")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    InputError: binary data, not text (NUL bytes)
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"undecodable UTF-16 at byte {exc.start}") from None
    if b"\x00" in raw:
        raise InputError("binary data, not text (NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (undecodable byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
    controls = sum(1 for ch in text[:10000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text[:10000]) // 100):
        raise InputError("binary data, not text (control characters)")
    return text


def normalise_newlines(text: str) -> str:
    r"""Line endings as ``\n``; nothing else changes, so offsets still point into the user's file.

    >>> normalise_newlines("a\r\nb\rc")
    'a\nb\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _nonempty(text: str) -> str:
    if not text.strip():
        raise InputError("empty: no text to read")
    return text


def _looks_like_html(text: str) -> bool:
    head = text[:1000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html"))


def _article_from_html(html: str, meta: dict, path: str, line: int | None = None) -> Article:
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    if extracted is None:
        raise InputError("HTML with no main text that an extractor could find")
    data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    text = _nonempty(normalise_newlines(data.get("text") or ""))
    found = {
        "title": data.get("title"),
        "author": data.get("author"),
        "published": data.get("date"),
        "publisher": data.get("sitename"),
        "url": data.get("url"),
        "language": data.get("language"),
    }
    merged = {k: v for k, v in found.items() if v}
    inferred = [k for k in merged if k not in meta]
    merged.update(meta)
    if inferred:
        merged.setdefault("_inferred", []).extend(inferred)
    return Article(text=text, path=path, line=line, meta=merged, html=html)


def _read_sidecar(path: Path, notes: list[str] | None = None) -> dict:
    sidecar = path.with_suffix(".json")
    if not sidecar.exists():
        return {}
    try:
        with _open_regular(sidecar) as handle:
            data = json.loads(handle.read(MAX_ARTICLE_BYTES).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"its sidecar {quoted(sidecar.name)} is not valid JSON ({exc})") from None
    except InputError as exc:
        raise InputError(f"its sidecar {quoted(sidecar.name)} is {exc}") from None
    except OSError as exc:
        raise InputError(f"its sidecar {quoted(sidecar.name)} cannot be read ({exc.strerror or exc})") from None
    return clean_meta(data, f"sidecar {quoted(sidecar.name)}", notes)


def clean_meta(data: object, where: str, notes: list[str] | None = None) -> dict:
    """Keep the known metadata fields, checked: strings, and an ISO date for ``published``.

    >>> clean_meta({"title": "T", "published": "2014-09-06", "x": 1}, "here")
    {'title': 'T', 'published': '2014-09-06'}
    """
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object")
    meta = {}
    for key in META_FIELDS:
        value = data.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            raise InputError(f"{where}: field {key!r} must be a string")
        meta[key] = value.strip()[:MAX_META_CHARS]
        if len(value.strip()) > MAX_META_CHARS and notes is not None:
            notes.append(f"{where}: {key} cut to {MAX_META_CHARS:,} characters (it had {len(value.strip()):,})")
    if "published" in meta:
        try:
            meta["published"] = dt.date.fromisoformat(meta["published"][:10]).isoformat()
        except ValueError:
            raise InputError(f"{where}: 'published' must be an ISO date like 2014-09-06, not {meta['published']!r}") from None
    return meta


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Article | Rejected]:
    with _open_regular(path) as handle:
        for number, line in enumerate(handle, start=1):
            origin = f"{path}:{number}"
            if not line.strip():
                continue
            try:
                if len(line) > max_bytes:
                    raise InputError(f"too large ({len(line):,} bytes; the limit is {max_bytes:,})")
                try:
                    record = json.loads(decode_text(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"not a JSON object ({exc.msg} at column {exc.colno})") from None
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    raise InputError("a JSON Lines article needs a string field 'text'")
                notes: list[str] = []
                meta = clean_meta(record, "record", notes)
                if _looks_like_html(record["text"]):
                    article = _article_from_html(record["text"], meta, str(path), number)
                else:
                    article = Article(text=_nonempty(normalise_newlines(record["text"])), path=str(path), line=number, meta=meta)
                article.notes.extend(notes)
                yield article
            except InputError as exc:
                yield Rejected(origin, str(exc))
