"""The share packages' building blocks: deterministic zips, links to absent pages, e-mail column."""

import zipfile

from pipeline.orchestrate import share


def test_a_zip_depends_only_on_names_and_contents(tmp_path):
    files = {"b/x.html": b"<p>x</p>", "a/y.xlsx": b"\x00\x01"}
    one = share.deterministic_zip(files)
    two = share.deterministic_zip(dict(reversed(list(files.items()))))
    assert one == two
    (tmp_path / "p.zip").write_bytes(one)
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        assert zf.namelist() == ["a/y.xlsx", "b/x.html"]
        assert {i.date_time for i in zf.infolist()} == {share.ZIP_DATE}
        assert zf.read("b/x.html") == b"<p>x</p>"


def test_links_to_other_partners_pages_become_text():
    page = (
        '<td><a class="x" href="partners/bouw-a.html">Bouw A</a></td>'
        '<td><a href="partners/bouw-b.html">Bouw B</a></td><a href="werkwijze.html">Werkwijze</a>'
    )
    got = share.unlink_other_partners(page, {"partners/bouw-a.html"})
    assert got == (
        '<td><a class="x" href="partners/bouw-a.html">Bouw A</a></td><td>Bouw B</td><a href="werkwijze.html">Werkwijze</a>'
    )


def test_the_optional_email_column_is_read_from_the_register(tmp_path):
    (tmp_path / "partners.csv").write_text(
        "partner_id;naam;rol;kvk;email\ngem-a;Gemeente A;opdrachtgever;;sr@gem-a.nl\nbouw-b;Bouw B;opdrachtnemer;12345678;\n",
        encoding="utf-8",
    )
    assert share.read_emails(tmp_path) == {"gem-a": "sr@gem-a.nl"}
    (tmp_path / "partners.csv").write_text("partner_id;naam;rol\ngem-a;Gemeente A;opdrachtgever\n", encoding="utf-8")
    assert share.read_emails(tmp_path) == {}
