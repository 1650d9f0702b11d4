"""HTML pages: the offline template, render_notebook, check_html_offline and html_table."""

from __future__ import annotations

import datetime as dt
import html
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pipeline.core.paths import TEMPLATES_DIR
from pipeline.report import charts, render, tables
from pipeline.report.render import check_html_offline, render_notebook

HOSTILE = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://evil.example","klik")'
FOOTER = {
    "periode": "2021Q3",
    "peildatum": dt.date(2021, 9, 30),
    "code_versie": "a1b2c3d (schoon)",
    "invoer_vingerafdruk": "9f86d081884c",
    "gegenereerd_door": "Gemaakt met sroi-pipeline 0.1.0",
}
# 1×1 transparent PNG
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
    '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt"><rect width="10" height="10"/></svg>'
)


def _notebook() -> nbformat.NotebookNode:
    table = pd.DataFrame({"naam": [HOSTILE, FORMULA], "kandidaten": ["<5", 12], "status": ["risico", "op_schema"]})
    return new_notebook(
        cells=[
            new_markdown_cell("# Regionaal overzicht\n\nDe cijfers van **dit kwartaal**."),
            new_code_cell(
                "periode = '2021Q3'  # parameters",
                metadata={"tags": ["parameters"]},
            ),
            new_code_cell(
                "display(HTML(tables.html_table(t)))",
                outputs=[
                    new_output(
                        "display_data",
                        data={
                            "text/html": tables.html_table(table, caption="Partners"),
                            "text/plain": "<IPython.core.display.HTML object>",
                        },
                    )
                ],
            ),
            new_code_cell(
                "import warnings; warnings.warn('x'); 1/0",
                outputs=[
                    new_output("stream", name="stderr", text="/work/main/pipeline/x.py:3: UserWarning: pas op\n"),
                    new_output(
                        "error",
                        ename="ZeroDivisionError",
                        evalue="division by zero",
                        traceback=["Traceback (most recent call last)", '  File "/home/user/x.py"'],
                    ),
                ],
            ),
            new_code_cell(
                "print('klaar')",
                outputs=[new_output("stream", name="stdout", text="Geen ontbrekende leveringen.\n")],
            ),
            new_code_cell(
                "fig",
                outputs=[new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure size 640x480>"})],
            ),
            new_code_cell(
                "svg_figure",
                outputs=[new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "<Figure>"})],
            ),
            new_code_cell(
                "widget",
                outputs=[
                    new_output(
                        "display_data",
                        data={"application/javascript": "document.write('x')", "text/html": "<p>Zonder script</p>"},
                    )
                ],
            ),
            new_code_cell(
                "debug_frame",
                metadata={"tags": ["remove_cell"]},
                outputs=[new_output("execute_result", data={"text/plain": "GEHEIM-DEBUG"}, execution_count=9)],
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("pagina")
    source = folder / "notebook_met_bestandsnaam.ipynb"
    nbformat.write(_notebook(), source)
    out = folder / "out" / "regio.html"
    render_notebook(source, out, "Regio 2021Q3", FOOTER)
    return out.read_text(encoding="utf-8"), out


def test_page_is_dutch_with_title_from_metadata(page):
    html, _ = page
    assert html.startswith('<!DOCTYPE html>\n<html lang="nl">')
    assert "<title>Regio 2021Q3</title>" in html
    assert "notebook_met_bestandsnaam" not in html
    assert "<h1>Regionaal overzicht</h1>" in html
    assert html.count("<h1") == 1  # the notebook's own heading, no second one


def test_page_shows_no_code_prompts_errors_or_stderr(page):
    html, _ = page
    for unwanted in [
        "In [",
        "Out[",
        "display(HTML",
        "periode = ",
        "print(",
        "Traceback",
        "ZeroDivisionError",
        "UserWarning",
        "GEHEIM-DEBUG",
        "document.write",
    ]:
        assert unwanted not in html, unwanted
    assert "Geen ontbrekende leveringen." in html  # stdout stays
    assert "<p>Zonder script</p>" in html  # HTML chosen over JavaScript


def test_page_has_no_machine_paths(page):
    html, out = page
    assert "/work/" not in html
    assert str(Path.home()) not in html
    assert str(out.parent) not in html


def test_page_is_offline(page):
    html, _ = page
    assert check_html_offline(html) == []
    assert "<script" not in html
    assert "@font-face" not in html


def test_hostile_text_is_escaped(page):
    html, _ = page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;klik&quot;)" in html


def test_png_inline_as_data_uri_with_alt(page):
    html, _ = page
    assert f'<img src="data:image/png;base64,{PNG}" alt="Grafiek">' in html


def test_svg_output_inline_without_xml_prolog(page):
    html, _ = page
    assert '<figure class="grafiek">\n<svg xmlns="http://www.w3.org/2000/svg" width="10pt"' in html
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html


def test_footer_from_metadata(page):
    html, _ = page
    footer = html[html.index('<footer class="voet">') :]
    for text in [
        "<dt>Periode</dt><dd>2021Q3</dd>",
        "<dt>Peildatum</dt><dd>30 september 2021</dd>",
        "<dt>Codeversie</dt><dd>a1b2c3d (schoon)</dd>",
        "<dt>Vingerafdruk invoer</dt><dd>9f86d081884c</dd>",
        '<p class="gemaakt">Gemaakt met sroi-pipeline 0.1.0</p>',
    ]:
        assert text in footer, text


def test_print_stylesheet_for_a4(page):
    html, _ = page
    assert "@page { size: A4;" in html
    assert "break-inside: avoid" in html


def test_second_render_is_byte_identical(page, tmp_path):
    _, first = page
    source = tmp_path / "elders.ipynb"
    nbformat.write(_notebook(), source)
    again = tmp_path / "regio.html"
    render_notebook(source, again, "Regio 2021Q3", FOOTER)
    assert again.read_bytes() == first.read_bytes()


def test_page_without_heading_gets_title_as_h1_and_chart_inline():
    chart = charts.contract_chart(10, 20, 40, "Opdracht 1")
    nb = new_notebook(
        cells=[
            new_code_cell(
                "c",
                outputs=[
                    new_output(
                        "execute_result", data={"text/html": chart.html(), "text/plain": "Chart"}, execution_count=1
                    )
                ],
            )
        ]
    )
    html = render.render_html(nb, "Partner <bouw>", {"periode": "2021Q3"})
    assert "<h1>Partner &lt;bouw&gt;</h1>" in html and "<title>Partner &lt;bouw&gt;</title>" in html
    assert chart.svg in html  # inline, untouched
    assert check_html_offline(html) == []


def test_rendering_a_page_is_fast():
    nb = _notebook()
    render.render_html(nb, "warm", FOOTER)  # first call builds the exporter
    start = time.perf_counter()
    for _ in range(5):
        render.render_html(nb, "Regio", FOOTER)
    assert (time.perf_counter() - start) / 5 < 0.3


def test_template_also_works_with_a_plain_html_exporter():
    # what `jupyter nbconvert --template sroi --no-input` does
    exporter = HTMLExporter(template_name="sroi", extra_template_basedirs=[str(TEMPLATES_DIR)], exclude_input=True)
    html, _ = exporter.from_notebook_node(_notebook())
    assert "Traceback" not in html and "display(HTML" not in html
    assert check_html_offline(html) == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param(
            '<script src="https://cdn.example/require.js"></script>',
            ["<script src>: https://cdn.example/require.js"],
            id="script_src",
        ),
        pytest.param("<script>alert(1)</script>", ["<script> (inline)"], id="inline_script"),
        pytest.param(
            '<link rel="stylesheet" href="https://fonts.example/css">',
            ["<link href>: https://fonts.example/css"],
            id="remote_font_css",
        ),
        pytest.param('<img src="//cdn.example/a.png">', ["<img src>: //cdn.example/a.png"], id="protocol_relative"),
        pytest.param(
            "<style>@import url(https://x.example/a.css);</style>",
            ["<style> url(): https://x.example/a.css", "<style> @import: @import url(https://x.example/a.css)"],
            id="css_import",
        ),
        pytest.param(
            "<div style=\"background: url('http://x.example/b.png')\">",
            ["<div style> url(): http://x.example/b.png"],
            id="css_url",
        ),
        pytest.param('<iframe src="page.html"></iframe>', ["<iframe>"], id="iframe"),
        pytest.param(
            '<svg xmlns="http://www.w3.org/2000/svg"><use xlink:href="#m1"/></svg>', [], id="svg_namespace_ok"
        ),
        pytest.param('<img src="data:image/png;base64,AAAA">', [], id="data_uri_ok"),
        pytest.param('<a href="https://www.example.nl">site</a>', [], id="plain_link_ok"),
        pytest.param("<p>&lt;script src=https://x&gt;</p>", [], id="escaped_text_ok"),
    ],
)
def test_check_html_offline(snippet, expected):
    assert check_html_offline(snippet) == expected


def test_check_html_offline_can_refuse_links():
    assert check_html_offline('<a href="https://www.example.nl">x</a>', allow_links=False) == [
        "<a href>: https://www.example.nl"
    ]


def test_render_notebook_accepts_a_notebook_node(page, tmp_path):
    _, first = page
    out = tmp_path / "uit_geheugen.html"
    footer = {**FOOTER, "gemaakt_door": FOOTER["gegenereerd_door"]}
    del footer["gegenereerd_door"]
    render_notebook(_notebook(), out, "Regio 2021Q3", footer)
    assert out.read_bytes() == first.read_bytes()


def test_footer_accepts_english_keys_and_keeps_order():
    meta = render.footer_metadata({"generated_by": "g", "input_fingerprint": "f", "period": "2021Q3", "extra": "e"})
    assert list(meta.items()) == [
        ("periode", "2021Q3"),
        ("invoer_vingerafdruk", "f"),
        ("gegenereerd_door", "g"),
        ("extra", "e"),
    ]


# ---------------------------------------------------------------- html_table


def test_html_table_structure_and_formats():
    df = pd.DataFrame(
        {
            "opdrachtgever": ["Gemeente A", "Totaal"],
            "verplichting_eur": [1234567.0, 2000000.0],
            "realisatie_pct": [12.5, 50.0],
            "startdatum": [pd.Timestamp("2021-09-30"), pd.NaT],
        }
    )
    html = tables.html_table(
        df,
        {"verplichting_eur": tables.fmt.format_eur, "realisatie_pct": tables.fmt.format_pct},
        caption="Opdrachten & verplichting",
        headers={"verplichting_eur": "Verplichting", "realisatie_pct": "Realisatie"},
    )
    assert "<caption>Opdrachten &amp; verplichting</caption>" in html
    assert '<th scope="col" class="getal">Verplichting</th>' in html
    assert (
        '<th scope="row">Gemeente A</th><td class="getal">€\u00a01.234.567</td><td class="getal">12,5%</td><td>30 september 2021</td>'
        in html
    )
    assert '<tr class="totaal"><th scope="row">Totaal</th>' in html
    assert "<td>–</td>" in html  # NaT
    assert "uuid" not in html and "id=" not in html


def test_html_table_status_is_word_plus_symbol():
    html = tables.html_table(pd.DataFrame({"opdracht": ["1"], "status": ["niet_voldaan"]}))
    assert "Niet voldaan" in html and "✗" in html and "status-niet_voldaan" in html
    assert 'aria-hidden="true"' in html  # the symbol is decoration; the word is read out


def test_html_table_escapes_everything_including_headers():
    df = pd.DataFrame({HOSTILE: [FORMULA], "n": [3]})
    html = tables.html_table(df, caption=HOSTILE, note=HOSTILE)
    assert "<script" not in html
    assert html.count("&lt;script&gt;") == 3


def test_html_table_links_only_relative():
    df = pd.DataFrame({"pagina": ["Regio", "Kwaad"], "href": ["regio.html", "javascript:alert(1)"]})
    html = tables.html_table(df, links={"pagina": "href"}, columns=["pagina"])
    assert '<a href="regio.html">Regio</a>' in html
    assert "javascript" not in html and ">Kwaad<" in html


def test_html_table_keeps_integers_and_marks_suppressed_cells():
    df = pd.DataFrame(
        {"sector": ["bouw", "zorg"], "kandidaten": pd.Series(["<5", 1234], dtype=object), "fte": [1.5, 2.25]}
    )
    html = tables.html_table(df)
    assert '<td class="getal onderdrukt">&lt;5</td>' in html
    assert '<td class="getal">1.234</td>' in html  # not 1.234,00
    assert '<td class="getal">2,25</td>' in html


def test_one_suppression_legend_per_page_under_the_first_suppressed_table():
    from pipeline.disclosure.suppress import suppression_note_nl

    legend = html.escape(suppression_note_nl())
    plain = '<table class="sroi"><tr><td class="getal">7</td></tr></table>'
    hidden = '<table class="sroi"><tr><td class="getal onderdrukt">&lt;5</td></tr></table>'
    page = (
        plain
        + f'<p class="noot">{legend} Het totaal telt de rijen op.</p>'
        + hidden
        + f'<p class="noot">{legend}</p>'
        + hidden
        + f'<p class="noot">{legend}</p>'
    )
    out = render.one_suppression_note(page)
    assert out.count("1 tot en met 4 personen") == 1
    # kept under the first table that has a suppressed cell, not under the table without one
    assert out.index("1 tot en met 4") > out.index("onderdrukt")
    assert '<p class="noot">Het totaal telt de rijen op.</p>' in out  # the note's own text stays
    # nothing suppressed on the page: no legend at all
    none = render.one_suppression_note(plain + f'<p class="noot">{legend}</p>')
    assert "1 tot en met 4" not in none and '<p class="noot"></p>' not in none


def test_printed_pages_get_a_running_header_page_numbers_and_the_footer_facts():
    css = render.print_css(
        'Social return 2021Q3 — "A" </style>',
        {"peildatum": "30 september 2021", "code_versie": "abc123", "invoer_vingerafdruk": "ff00"},
    )
    assert "@top-left" in css and 'counter(page) " van " counter(pages)' in css
    assert "</style>" not in css and "\\22 A\\22" in css  # a title cannot end the style element
    assert "Codeversie abc123 · invoer ff00" in css


def test_a_page_is_validated_once_not_after_every_preprocessor(monkeypatch):
    # nbconvert validates the notebook after each of its eleven preprocessors unless told to
    # validate once at the end (Exporter.optimistic_validation); the page is the same either way
    import nbformat.validator

    calls = []
    real = nbformat.validator.validate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    nb = _notebook()
    monkeypatch.setattr(nbformat, "validate", counting)
    once = render.render_html(nb, "Regio 2021Q3", FOOTER)
    assert len(calls) == 1
    monkeypatch.setattr(render.html_exporter(), "optimistic_validation", False)
    assert render.render_html(nb, "Regio 2021Q3", FOOTER) == once
    assert len(calls) > 5


@pytest.mark.parametrize(
    "peildatum",
    [dt.date(2021, 9, 30), "2021-09-30", "eind september", np.datetime64("2021-09-30"), 20210930, None],
)
def test_a_footer_written_out_once_gives_the_same_page(peildatum):
    # the page workers get the footer as footer_metadata wrote it, and the legend as read by the
    # run: the page is the same bytes as one rendered from the footer's own values, whatever
    # the type of a value (a peildatum of 20210930 written out once must not become a date later)
    import pickle

    from pipeline.disclosure.suppress import suppression_note_nl

    nb = _notebook()
    footer = {**FOOTER, "peildatum": peildatum}
    direct = render.render_html(nb, "Regio 2021Q3", footer)
    shown = pickle.loads(pickle.dumps(render.footer_metadata(footer)))  # as it crosses to a worker
    assert render.render_html(nb, "Regio 2021Q3", shown, suppression_note_nl()) == direct
    assert render.footer_metadata({"peildatum": "2021-09-30"})["peildatum"] == "30 september 2021"
    assert render.footer_metadata({"peildatum": "eind september"})["peildatum"] == "eind september"


def test_the_legend_handed_over_is_the_one_kept():
    # a worker gets the legend from the run: the note under the first table with a hidden cell
    # is that legend, once, and a page told another legend leaves the note where it was
    from pipeline.disclosure.suppress import suppression_note_nl

    legend = suppression_note_nl()
    nb = _notebook()
    table = pd.DataFrame({"naam": ["A", "B"], "kandidaten": ["<5", 12]})
    noted = tables.html_table(table, caption="Met noot", note=legend)
    nb.cells.append(new_code_cell("t", outputs=[new_output("display_data", data={"text/html": noted})]))
    nb.cells.append(new_code_cell("t", outputs=[new_output("display_data", data={"text/html": noted})]))
    page = render.render_html(nb, "Regio 2021Q3", FOOTER, legend)
    assert page.count(html.escape(legend)) == 1 and 'class="noot onderdrukking"' in page
    other = render.render_html(nb, "Regio 2021Q3", FOOTER, "Een andere legenda.")
    assert other.count(html.escape(legend)) == 2 and 'class="noot onderdrukking"' not in other


def test_a_page_worker_converts_pages_without_pandas():
    # a worker process imports the converter at its start: pandas and Babel would add a second
    import subprocess
    import sys

    code = (
        "import sys, nbformat; import pipeline.orchestrate.notebooks; from pipeline.report import render; "
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# Pagina')]); "
        "render.render_html(nb, 'Pagina', render.ShownFooter(periode='2021Q3', peildatum='30 september 2021'), 'x'); "
        "print(sorted(m for m in ('pandas', 'babel') if m in sys.modules))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[]"
