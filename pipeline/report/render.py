"""Executed notebook → one self-contained HTML page, through the offline ``sroi`` template.

docs/reports.md / docs/domain.md: pages open offline (no CDN, no remote fonts, no scripts), show no code,
no prompts, no tracebacks and no machine paths, are in Dutch (``<html lang="nl">``) and end with
a footer (period, peildatum, code version, input fingerprint, generated-by line).

How: nbconvert's ``HTMLExporter`` with ``template_name="sroi"`` and
``extra_template_basedirs=[pipeline/templates]``; inputs and prompts excluded; the title and
footer go into the notebook's metadata (``metadata.title``, ``metadata.sroi.footer``), which
the template reads, so nothing depends on the file's path. One exporter is built per process
and reused (building it loads the Jinja environment; converting a page then takes a few tens of
milliseconds).

The same from the command line::

    jupyter nbconvert --to html --template sroi \\
        --TemplateExporter.extra_template_basedirs=pipeline/templates --no-input page.ipynb
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets.config import Config

from pipeline.core.paths import TEMPLATES_DIR

TEMPLATE_NAME = "sroi"

# Cells with these tags are left out of the page entirely (papermill's error banner included;
# the pipeline stops before rendering on errors anyway).
REMOVE_CELL_TAGS = ("remove_cell", "remove-cell", "verbergen", "papermill-error-cell-tag")

# Only formats that render without a script; application/javascript and widgets are dropped.
DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/latex",
    "text/plain",
]

FOOTER_KEYS = ("periode", "peildatum", "code_versie", "invoer_vingerafdruk", "gegenereerd_door")
_FOOTER_ALIASES = {
    "period": "periode",
    "code_version": "code_versie",
    "input_fingerprint": "invoer_vingerafdruk",
    "generated_by": "gegenereerd_door",
    "gemaakt_door": "gegenereerd_door",
}


class _OfflineHTMLExporter(HTMLExporter):
    """``HTMLExporter`` without its final BeautifulSoup pass.

    That pass only adds English alt texts to ``<img>`` and ``tabindex`` to JupyterLab's cell
    classes (neither exists in our template), but re-parses the whole page (slow with inline
    SVG) and rewrites the charts' SVG. Our template writes alt texts itself.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
        )
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@functools.lru_cache(maxsize=1)
def html_exporter() -> HTMLExporter:
    """The configured exporter (built once per process, then reused)."""
    config = Config()
    config.NbConvertBase.display_data_priority = DISPLAY_PRIORITY
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    # the notebook is validated once, after all preprocessors, not after each of the eleven
    config.Exporter.optimistic_validation = True
    return _OfflineHTMLExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_output_stdin=True,
        exclude_anchor_links=True,
        language_code="nl",
    )


def _footer_value(key: str, value: object) -> str:
    # here, not at the top: a page worker gets its footer written out already (a ShownFooter,
    # never written out again) and converts pages without loading pandas and Babel
    from pipeline.report import formatting as fmt

    if fmt.is_missing(value):
        return ""
    if key == "peildatum" and isinstance(value, (dt.date, str)):
        try:
            return fmt.format_date(value)
        except ValueError:
            return str(value)
    return str(value)


class ShownFooter(dict):
    """A footer as :func:`footer_metadata` wrote it out: written out again, it stays as it is
    (a page worker gets it this way, so its pages are the run's whatever the values' types)."""


def footer_metadata(footer: Mapping[str, object]) -> ShownFooter:
    """The footer as the template reads it: Dutch keys (English aliases accepted) in a fixed
    order, then any extra keys in the given order; a peildatum as a Dutch date.

    >>> footer_metadata({"input_fingerprint": "ab12", "periode": "2021Q3",
    ...                  "peildatum": "2021-09-30"})
    {'periode': '2021Q3', 'peildatum': '30 september 2021', 'invoer_vingerafdruk': 'ab12'}
    """
    if isinstance(footer, ShownFooter):
        return footer
    named = {_FOOTER_ALIASES.get(k, k): v for k, v in footer.items()}
    ordered = [k for k in FOOTER_KEYS if k in named] + [k for k in named if k not in FOOTER_KEYS]
    values = {k: _footer_value(k, named[k]) for k in ordered}
    return ShownFooter({k: v for k, v in values.items() if v})


_NOTE_P = re.compile(r'<p class="noot">(.*?)</p>', re.S)
_HIDDEN_CELL = re.compile(r'<td[^>]*class="[^"]*\bonderdrukt\b')


def one_suppression_note(page: str, legend: str | None = None) -> str:
    """One suppression legend per page (issue "pages that answer first", point 6): tables add
    it as their note (:func:`pipeline.report.pages.common.note`); here every copy is taken out
    and one is put back under the first table that has a suppressed cell (``td.onderdrukt``).
    A page without a suppressed cell keeps none. Other text of a note stays.

    >>> lg = "<5: weinig."
    >>> t = '<table><tr><td class="getal onderdrukt">&lt;5</td></tr></table>'
    >>> page = t + '<p class="noot">&lt;5: weinig. Rest.</p>' + t + '<p class="noot">&lt;5: weinig.</p>'
    >>> one_suppression_note(page, lg).count("weinig")
    1
    >>> one_suppression_note('<table></table><p class="noot">&lt;5: weinig.</p>', lg)
    '<table></table>'
    """
    if legend is None:
        from pipeline.disclosure.suppress import suppression_note_nl

        legend = suppression_note_nl()
    escaped = html.escape(legend)
    if escaped not in page:
        return page

    def strip(m: re.Match) -> str:
        rest = m.group(1).replace(escaped, "").strip()
        return f'<p class="noot">{rest}</p>' if rest else ""

    page = _NOTE_P.sub(strip, page)
    hidden = _HIDDEN_CELL.search(page)
    if not hidden:
        return page
    end = page.find("</table>", hidden.end())
    if end < 0:
        return page
    end += len("</table>")
    return page[:end] + f'\n<p class="noot onderdrukking">{escaped}</p>' + page[end:]


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the ``<style>`` element.

    >>> print(_css_string('A "B" </style>'))
    "A \\22 B\\22  \\3C /style>"
    """
    out = []
    for ch in text:
        if ch in '"\\<' or ord(ch) < 32:
            out.append(f"\\{ord(ch):X} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def print_css(title: str, footer: Mapping[str, str]) -> str:
    """The printed page's margin boxes (Chromium draws ``@page`` margin boxes since version 131):
    the page title (period and partner) as running header, the peildatum top right, and the
    footer's facts (code version, input fingerprint, generated-by line) with the page number at
    the bottom of every page. The footer element itself is not printed (sroi.css), so no
    printed page can hold only a footer.

    >>> css = print_css("Social return 2021Q3 — X", {"periode": "2021Q3", "peildatum": "30 september 2021"})
    >>> '@top-left { content: "Social return 2021Q3 — X"' in css, 'counter(page)' in css
    (True, True)
    """
    box = 'font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 7.5pt; color: #5a5a5a;'  # as sroi.css
    peil = footer.get("peildatum")
    facts = [
        f"Codeversie {footer['code_versie']}" if footer.get("code_versie") else "",
        f"invoer {footer['invoer_vingerafdruk']}" if footer.get("invoer_vingerafdruk") else "",
        re.sub(r"\s*\(.*?\)", "", footer.get("gegenereerd_door", "")),  # short enough for one line
    ]
    return (
        "@page { @top-left { content: " + _css_string(title) + "; " + box + " } "
        "@top-right { content: " + _css_string(f"Peildatum {peil}" if peil else "") + "; " + box + " } "
        "@bottom-left { content: " + _css_string(" · ".join(f for f in facts if f)) + "; " + box + " } "
        '@bottom-right { content: "Pagina " counter(page) " van " counter(pages); white-space: nowrap; ' + box + " } }"
    )


def render_html(nb: nbformat.NotebookNode, title: str, footer: Mapping[str, object], legend: str | None = None) -> str:
    """The page for an (executed) notebook, as a string. ``nb`` is not changed. ``legend``: the
    suppression legend (:func:`one_suppression_note`; default: the configured one)."""
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    shown = footer_metadata(footer)
    nb.metadata["sroi"] = {**nb.metadata.get("sroi", {}), "footer": shown, "print_css": print_css(title, shown)}
    nb.metadata.pop("widgets", None)
    # name/path are what nbconvert would otherwise take from the file: keep machine paths out
    resources = {"metadata": {"name": title, "path": ""}}
    page, _ = html_exporter().from_notebook_node(nb, resources=resources)
    page = one_suppression_note(page, legend)
    return page if page.endswith("\n") else page + "\n"


def render_notebook(
    executed_ipynb: Path | nbformat.NotebookNode,
    out_html: Path,
    title: str,
    footer: Mapping[str, object],
    legend: str | None = None,
) -> None:
    """Write the HTML page for an executed notebook (UTF-8, ``\\n`` line ends).

    Args:
        executed_ipynb: the notebook as papermill wrote it: its path, or the notebook itself
            (as papermill/nbclient return it, saving a read).
        out_html: where the page goes (folders are made).
        title: the page title (``<title>``, and ``<h1>`` when the notebook has no ``# `` heading).
        footer: ``periode``, ``peildatum``, ``code_versie``, ``invoer_vingerafdruk``,
            ``gegenereerd_door`` (alias ``gemaakt_door``; see :func:`footer_metadata`).
        legend: the suppression legend (default: the configured one; see :func:`render_html`).
    """
    if isinstance(executed_ipynb, nbformat.NotebookNode):
        nb = executed_ipynb
    else:
        nb = nbformat.read(Path(executed_ipynb), as_version=4)
    page = render_html(nb, title, footer, legend)
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_bytes(page.encode("utf-8"))


# ---------------------------------------------------------------- offline check

_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //host, ftp://
_CSS_URL = re.compile(r"""url\(\s*['"]?\s*((?:[a-z][a-z0-9+.-]*:)?//[^'")\s]*)""", re.I)
_CSS_IMPORT = re.compile(r"@import\b[^;]*", re.I)
_URL_ATTRS = {
    "src",
    "href",
    "xlink:href",
    "data",
    "poster",
    "action",
    "formaction",
    "background",
    "ping",
    "manifest",
    "codebase",
    "longdesc",
    "cite",
}
_EMBED_TAGS = {"iframe", "frame", "object", "embed", "applet", "base", "portal"}


class _OfflineChecker(HTMLParser):
    def __init__(self, allow_links: bool):
        super().__init__(convert_charrefs=True)
        self.allow_links = allow_links
        self.problems: list[str] = []
        self._in_style = False

    def _css(self, text: str, where: str) -> None:
        for url in _CSS_URL.findall(text):
            self.problems.append(f"{where} url(): {url}")
        for rule in _CSS_IMPORT.findall(text):
            self.problems.append(f"{where} @import: {rule.strip()}")

    def handle_starttag(self, tag, attrs):
        attrs = [(name.lower(), value or "") for name, value in attrs]
        if tag == "script":
            src = dict(attrs).get("src")
            self.problems.append(f"<script src>: {src}" if src else "<script> (inline)")
        if tag in _EMBED_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "link" and dict(attrs).get("href") and not dict(attrs)["href"].startswith("data:"):
            self.problems.append(f"<link href>: {dict(attrs)['href']}")
        for name, value in attrs:
            if name == "style":
                self._css(value, f"<{tag} style>")
            elif name == "srcset" and any(_REMOTE.match(p) for p in value.split(",")):
                self.problems.append(f"<{tag} srcset>: {value}")
            elif name in _URL_ATTRS and _REMOTE.match(value):
                if tag == "a" and name == "href" and self.allow_links:
                    continue
                if tag not in ("link", "script"):  # already reported above
                    self.problems.append(f"<{tag} {name}>: {value}")
        if tag == "style":
            self._in_style = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self._in_style = False

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data, "<style>")


def check_html_offline(html: str, allow_links: bool = True) -> list[str]:
    """Everything in ``html`` that would load from elsewhere or run a script; ``[]`` when the
    page is self-contained. Plain hyperlinks (``<a href="https://...">``) load nothing and are
    allowed unless ``allow_links=False``; ``data:`` URIs and ``#fragment`` references are fine.

    >>> check_html_offline('<img src="https://cdn.example/x.png"><a href="#top">t</a>')
    ['<img src>: https://cdn.example/x.png']
    >>> check_html_offline('<script src="require.js"></script><p>&lt;script&gt;</p>')
    ['<script src>: require.js']
    """
    checker = _OfflineChecker(allow_links)
    checker.feed(html)
    checker.close()
    return checker.problems
