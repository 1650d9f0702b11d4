"""What a delivered file is, by its bytes, and how its text is encoded (docs/exports.md: "File formats").

A partner renames a screenshot to ``inzet.xlsx`` or exports a Word table: the message must say
what the file is, not that its character set is unknown. And a CSV pasted together from a UTF-8
and a Windows-1252 export must not be shown garbled without a word.
"""

from __future__ import annotations

import codecs

from pipeline.core.errors import UnreadableFileError

Note = tuple[str, str, str]  # soort, nl, en (meldingen.csv)

_NOT_A_TABLE = ", geen Excel- of CSV-bestand: lever de export zelf als .xlsx of CSV"
_NOT_A_TABLE_EN = ", not an Excel or CSV file: deliver the export itself as .xlsx or CSV"
# Leading bytes -> what the file is (Dutch, English). Signatures from the formats' own
# specifications; only those that cannot start a CSV a person would write.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "dit is een afbeelding (PNG)", "this is an image (PNG)"),
    (b"\xff\xd8\xff", "dit is een afbeelding (JPEG)", "this is an image (JPEG)"),
    (b"GIF87a", "dit is een afbeelding (GIF)", "this is an image (GIF)"),
    (b"GIF89a", "dit is een afbeelding (GIF)", "this is an image (GIF)"),
    (b"II*\x00", "dit is een afbeelding (TIFF)", "this is an image (TIFF)"),
    (b"MM\x00*", "dit is een afbeelding (TIFF)", "this is an image (TIFF)"),
    (b"%PDF", "dit is een PDF", "this is a PDF"),
    (b"{\\rtf", "dit is een RTF-tekstdocument", "this is an RTF text document"),
    (b"\x1f\x8b", "dit is een gecomprimeerd bestand (gzip)", "this is a compressed file (gzip)"),
    (b"7z\xbc\xaf\x27\x1c", "dit is een gecomprimeerd bestand (7-Zip)", "this is a compressed file (7-Zip)"),
    (b"Rar!\x1a\x07", "dit is een gecomprimeerd bestand (RAR)", "this is a compressed file (RAR)"),
)
# Text formats told by their first word (after a BOM and white space, case-insensitive)
_TEXT_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"<!doctype html", "dit is een webpagina (HTML)", "this is a web page (HTML)"),
    (b"<html", "dit is een webpagina (HTML)", "this is a web page (HTML)"),
    (b"<?xml", "dit is een XML-bestand", "this is an XML file"),
)
# Zip packages that are not a workbook: a part only that kind of document has -> what it is
ZIP_KINDS: tuple[tuple[str, str, str], ...] = (
    ("word/document.xml", "dit is een Word-document (DOCX)", "this is a Word document (DOCX)"),
    ("ppt/presentation.xml", "dit is een PowerPoint-presentatie (PPTX)", "this is a PowerPoint presentation (PPTX)"),
    ("content.xml", "dit is een OpenDocument-bestand (zoals .ods)", "this is an OpenDocument file (like .ods)"),
)


def not_a_table(nl: str, en: str) -> UnreadableFileError:
    """The error for a file that is some other kind of document: says what it is."""
    return UnreadableFileError(nl + _NOT_A_TABLE, en + _NOT_A_TABLE_EN)


def detect_format(raw: bytes) -> str:
    """``"xlsx"`` or ``"csv"`` from the first bytes; anything else is unreadable.

    >>> detect_format(b"PK\\x03\\x04..."), detect_format(b"a;b\\n1;2\\n")
    ('xlsx', 'csv')
    >>> detect_format(b"\\x89PNG\\r\\n\\x1a\\n...")
    Traceback (most recent call last):
    pipeline.core.errors.UnreadableFileError: dit is een afbeelding (PNG), geen Excel- of CSV-bestand: ...
    """
    if not raw.strip():
        raise UnreadableFileError("het bestand is leeg", "the file is empty")
    if raw.startswith(b"PK\x03\x04"):
        return "xlsx"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFileError(
            "oud Excel-formaat (.xls) of met wachtwoord beveiligd: sla op als .xlsx of CSV",
            "old Excel format (.xls) or password-protected: save as .xlsx or CSV",
        )
    for magic, nl, en in SIGNATURES:
        if raw.startswith(magic):
            raise not_a_table(nl, en)
    start = raw[:64].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    for word, nl, en in _TEXT_SIGNATURES:
        if start.startswith(word):
            raise not_a_table(nl, en)
    return "csv"


def decode_text(raw: bytes) -> str:
    """Decode CSV bytes: BOM (UTF-8, UTF-16), BOM-less UTF-16, UTF-8, else Windows-1252.

    >>> decode_text("€ ë".encode("cp1252")), decode_text(codecs.BOM_UTF8 + "é".encode())
    ('€ ë', 'é')
    """
    return decode_csv(raw)[0]


def decode_csv(raw: bytes) -> tuple[str, list[Note]]:
    """Decode CSV bytes as :func:`decode_text` does, plus notes about the encoding.

    A file mixing UTF-8 and Windows-1252 (two exports pasted together) is decoded line by line:
    UTF-8 where the line is valid UTF-8, else Windows-1252, so ``é`` stays ``é`` in both halves;
    a note tells the partner to save it as UTF-8.

    >>> decode_csv("ë\\n".encode() + "ë\\n".encode("cp1252"))[0]
    'ë\\në\\n'
    """
    if raw.startswith(codecs.BOM_UTF8):
        return _decode(raw[3:], "utf-8"), []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel "Unicode text"
        return _decode(raw, "utf-16"), []
    sample = raw[:4000]
    if sample.count(0) > len(sample) // 4:  # UTF-16 without BOM: every other byte is zero
        return _decode(raw, "utf-16-le" if sample[1::2].count(0) > sample[::2].count(0) else "utf-16-be"), []
    notes: list[Note] = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text, notes = _decode_mixed(raw)  # docs/exports.md: Windows-1252 (ë, é, € must survive)
    if "\x00" in text:
        raise UnreadableFileError("binair bestand, geen CSV of XLSX", "binary file, not CSV or XLSX")
    return text, notes


def _decode_mixed(raw: bytes) -> tuple[str, list[Note]]:
    """Windows-1252, except lines that are valid UTF-8 with non-ASCII characters (mixed files)."""
    lines = raw.splitlines(keepends=True)
    utf8_lines, cp1252_lines, parts = [], [], []
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            parts.append(line.decode("ascii"))
            continue
        try:
            parts.append(line.decode("utf-8"))
            utf8_lines.append(number)
        except UnicodeDecodeError:
            parts.append(_decode(line, "cp1252"))
            cp1252_lines.append(number)
    if not utf8_lines:
        return "".join(parts), []
    shown = ", ".join(map(str, cp1252_lines[:5])) + (" …" if len(cp1252_lines) > 5 else "")
    return "".join(parts), [
        (
            "tekencodering",
            f"gemengde tekencodering (UTF-8 en Windows-1252; Windows-1252 in regel {shown}): per regel gelezen, "
            "controleer letters als ë en €; sla het bestand op als UTF-8",
            f"mixed character encoding (UTF-8 and Windows-1252; Windows-1252 on line {shown}): read line by line, "
            "check letters like ë and €; save the file as UTF-8",
        )
    ]


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableFileError(
            "tekenset niet herkend (verwacht UTF-8, UTF-16 of Windows-1252)",
            "character encoding not recognised (expected UTF-8, UTF-16 or Windows-1252)",
        ) from None
