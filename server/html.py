"""The pages' smallest pieces (a value, a list of values, a source sentence, a figure) written in Python.

A page with a hundred claims shows thousands of values; as Jinja macros each call cost a macro frame
and a context (about half the page's rendering time). These functions write the same markup the
macros of ``_macros.html`` wrote, every text through :func:`markupsafe.escape` as autoescaping did,
and return :class:`markupsafe.Markup`, so the templates print them as they are. Registered as
template globals by :func:`install`.

>>> from server.render import Value
>>> str(value(Value("Raqqa", href="/id/place/raqqa", kind="place")))
'<a href="/id/place/raqqa" class="place">Raqqa</a>'
>>> str(values([Value("a<b"), Value("6 September 2014", when="2014-09-06")]))
'a&lt;b, <time datetime="2014-09-06">6 September 2014</time>'
>>> str(value(Value("Rakka", language="en")))
'Rakka <span class="muted">@en</span>'
>>> str(values([], "not known"))
'<span class="muted">not known</span>'
"""
from __future__ import annotations

from markupsafe import Markup, escape


def value(v) -> Markup:
    """A link for an IRI, a ``<time>`` for a date, else the text with its language or datatype."""
    text = escape(getattr(v, "text", ""))
    href = getattr(v, "href", None)
    if href:
        kind = getattr(v, "kind", None)
        shown = f'<a href="{escape(href)}" class="{escape(kind)}">{text}</a>' if kind else f'<a href="{escape(href)}">{text}</a>'
        return Markup(shown)
    when = getattr(v, "when", None)
    if when:
        return Markup(f'<time datetime="{escape(when)}">{text}</time>')
    language, datatype = getattr(v, "language", None), getattr(v, "datatype", None)
    if language:
        text += Markup(f' <span class="muted">@{escape(language)}</span>')
    if datatype:
        text += Markup(f' <span class="muted">({escape(datatype)})</span>')
    return Markup(text)


def values(items, empty="—") -> Markup:
    """The values separated by commas, or ``empty`` (muted) when there are none."""
    shown = [value(v) for v in items or ()]
    if not shown:
        return Markup(f'<span class="muted">{escape(empty)}</span>')
    return Markup(", ").join(shown)


def sentence(ev) -> Markup:
    """A source sentence with its mention marked, and the article it is from."""
    shown = f'<blockquote class="sentence">{escape(ev.before)}<mark>{escape(ev.mention)}</mark>{escape(ev.after)}</blockquote>'
    if ev.article:
        shown += f'<p class="muted">from {value(ev.article)}</p>'
    return Markup(shown)


def figure(n) -> Markup:
    """A figure, or a muted dash when there is none."""
    return Markup('<span class="muted">—</span>') if n is None else escape(n)


def install(app) -> None:
    app.jinja_env.globals.update(value=value, values=values, sentence=sentence, figure=figure)
