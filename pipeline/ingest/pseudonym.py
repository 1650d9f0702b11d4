"""Keyed pseudonyms for citizen service numbers (BSN) (docs/domain.md: "Privacy and disclosure").

The BSN is replaced at ingest by ``HMAC-SHA256(key, <9-digit BSN>)`` in hex. The key comes from
the environment (``SROI_PSEUDONYM_KEY``) or a key file outside the repository
(``SROI_PSEUDONYM_KEY_FILE``). Only the bundled synthetic demo data, recognised by its manifest
(:func:`pipeline.ingest.pristine.is_pristine_demo`), may use :data:`DEMO_KEY`. The key is never logged,
printed or written anywhere; error messages name the variables, never their value. Only a keyed
check value (:func:`key_check`) is kept with the clean data, so a run notices a changed key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from stdnum.nl import bsn as stdnum_bsn

from pipeline.core.errors import PipelineError

#: The documented key for the bundled synthetic demo data only. It is public, so pseudonyms made
#: with it protect nothing: the pipeline refuses it for any raw folder that is not the pristine
#: demo (docs/architecture.md: every file listed in DEMO_MANIFEST.json with a matching sha256).
DEMO_KEY = "sroi-demo-sleutel-alleen-voor-synthetische-data"

KEY_ENV = "SROI_PSEUDONYM_KEY"
KEY_FILE_ENV = "SROI_PSEUDONYM_KEY_FILE"

#: How many trailing digits :func:`mask_bsn` shows. Three (not four) keeps a masked value from
#: narrowing a BSN down to about 1 in 10 000 candidates within a small regional register.
MASK_VISIBLE_DIGITS = 3


#: Shortest key accepted (bytes): HMAC-SHA256 is as strong as its key, and a short or guessable key
#: lets anyone recompute every pseudonym from the ~10^8 valid BSNs (``head -c 32 /dev/urandom``).
MIN_KEY_BYTES = 32

#: What the key check value is computed over (:func:`key_check`): a fixed, public constant, so the
#: value says only "same key or not" and reveals nothing about the key itself.
KEY_CHECK_MESSAGE = b"sroi-sleutelcontrole-v1"


def load_key(raw_dir: Path) -> bytes:
    """The pseudonymisation key for a run on ``raw_dir``, as bytes (docs/domain.md: "Privacy and disclosure").

    Order: ``SROI_PSEUDONYM_KEY`` (UTF-8 text, surrounding whitespace stripped); else the file named
    by ``SROI_PSEUDONYM_KEY_FILE`` read as raw bytes (only one trailing newline stripped, so a key
    made with ``head -c 32 /dev/urandom`` works); else :data:`DEMO_KEY` only if ``raw_dir`` is the
    pristine demo data; else a :class:`PipelineError` telling how to set the key.

    Raises:
        PipelineError: no key for non-demo data, an unreadable or empty key file, the public demo
            key on anything but the pristine demo data, or a key shorter than
            :data:`MIN_KEY_BYTES`. The message names the variables, never the key or its path.
    """
    key = _key_from_environment()
    if key is None:
        if _is_pristine_demo(raw_dir):
            return DEMO_KEY.encode("utf-8")
        raise PipelineError(
            f"geen pseudonimiseringssleutel: zet {KEY_ENV} of {KEY_FILE_ENV} (een bestand buiten de "
            "repository); de demosleutel mag alleen voor de ongewijzigde synthetische demodata",
            f"no pseudonymisation key: set {KEY_ENV} or {KEY_FILE_ENV} (a file outside the "
            "repository); the demo key may only be used for the unmodified synthetic demo data",
        )
    check_key(key, raw_dir)
    return key


def _key_from_environment() -> bytes | None:
    """The key given by the environment (variable or file), or None when neither is set."""
    value = os.environ.get(KEY_ENV, "")
    if value.strip():
        return value.strip().encode("utf-8")
    key_file = os.environ.get(KEY_FILE_ENV, "").strip()
    if not key_file:
        return None
    try:
        raw = Path(key_file).read_bytes()  # bytes: a random key is no UTF-8 text
    except OSError:
        raise PipelineError(
            f"sleutelbestand uit {KEY_FILE_ENV} kan niet gelezen worden",
            f"the key file named by {KEY_FILE_ENV} cannot be read",
        ) from None
    key = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
    if not key.strip():
        raise PipelineError(
            f"sleutelbestand uit {KEY_FILE_ENV} is leeg", f"the key file named by {KEY_FILE_ENV} is empty"
        )
    return key


def _is_pristine_demo(raw_dir: Path) -> bool:
    from pipeline.ingest.pristine import is_pristine_demo  # looked up at call time (tests stand it in)

    return is_pristine_demo(Path(raw_dir))


def check_key(key: bytes, raw_dir: Path) -> None:
    """Refuse a key that does not protect the BSNs of the data in ``raw_dir``.

    The demo key is public: on real data every pseudonym could be reversed by trying all valid
    BSNs, so it is refused whatever the source unless ``raw_dir`` is the pristine demo data. Any
    other key must be at least :data:`MIN_KEY_BYTES` bytes. Messages never contain the key.

    Raises:
        PipelineError: the demo key on other data, or a key that is too short.
    """
    if hmac.compare_digest(key, DEMO_KEY.encode("utf-8")):
        if _is_pristine_demo(raw_dir):
            return
        raise PipelineError(
            "de openbare demosleutel mag alleen voor de ongewijzigde synthetische demodata; maak een eigen "
            f"sleutel (head -c 32 /dev/urandom > sleutelbestand) en zet {KEY_FILE_ENV}",
            "the public demo key may only be used for the unmodified synthetic demo data; make a key of "
            f"your own (head -c 32 /dev/urandom > keyfile) and set {KEY_FILE_ENV}",
        )
    if len(key) < MIN_KEY_BYTES:
        raise PipelineError(
            f"de pseudonimiseringssleutel is te kort: minstens {MIN_KEY_BYTES} bytes nodig (maak er een met "
            "head -c 32 /dev/urandom > sleutelbestand)",
            f"the pseudonymisation key is too short: at least {MIN_KEY_BYTES} bytes are needed (make one "
            "with head -c 32 /dev/urandom > keyfile)",
        )


def key_check(key: bytes) -> str:
    """A check value that tells whether two runs used the same key, and nothing else.

    ``HMAC-SHA256(key, KEY_CHECK_MESSAGE)`` in hex, stored with each period's clean data. It is
    never the key nor a plain hash of it: testing a guessed key against it costs what testing the
    guess against a pseudonym already costs, so it adds nothing an attacker with the clean data
    lacks; with a key of :data:`MIN_KEY_BYTES` random bytes no guess succeeds.

    >>> key_check(b"k" * 32) == hmac.new(b"k" * 32, b"sroi-sleutelcontrole-v1", hashlib.sha256).hexdigest()
    True
    """
    return hmac.new(key, KEY_CHECK_MESSAGE, hashlib.sha256).hexdigest()


def normalise_bsn(values: pd.Series) -> pd.Series:
    """BSNs as 9-digit strings; ``<NA>`` where empty or not 8–9 digits.

    Spaces, dots and hyphens are removed, a numeric XLSX cell loses its ``.0``, and an 8-digit
    BSN gets back the leading zero Excel dropped.

    >>> normalise_bsn(pd.Series(["123456782", " 1234.56.782 ", "12345678", 123456782.0, "12a", None])).tolist()
    ['123456782', '123456782', '012345678', '123456782', <NA>, <NA>]
    """
    codes, distinct, _ = _factorize_normal(values)
    return _take(distinct, codes, values.index, "string")


def _factorize_normal(values: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Codes per element into the distinct raw values; those values normalised (or NA); blanks."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series([_bsn_text(u) for u in _as_values(uniques)], dtype="string")
    digits = text.str.replace(r"[ \t.\-]", "", regex=True)
    digits = digits.where(digits.str.fullmatch(r"[0-9]{8,9}").fillna(False).astype(bool))  # ASCII digits only
    return codes, digits.str.zfill(9), (text == "").to_numpy(dtype=bool)


def _as_values(uniques: object) -> Iterable[object]:
    """The distinct values of a column one by one: a text column's as Python strings at once
    (iterating an Arrow array costs a call per value); any other as the values themselves."""
    if isinstance(getattr(uniques, "dtype", None), pd.StringDtype):
        return uniques.to_numpy(dtype=object, na_value=None)
    return uniques


def _take(distinct: pd.Series, codes: np.ndarray, index: pd.Index, dtype: str) -> pd.Series:
    out = np.full(len(codes), None, dtype=object)
    hit = codes >= 0
    out[hit] = distinct.to_numpy(dtype=object)[codes[hit]]
    return pd.Series(out, index=index, dtype=object).astype(dtype)


def _bsn_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def pseudonymise(bsn: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 hex pseudonym of each normalised BSN; ``<NA>`` where the BSN is empty/invalid.

    Computed once per distinct value.

    >>> p = pseudonymise(pd.Series(["123456782", "12345678", None]), b"k")
    >>> len(p[0]), p[1] == pseudonymise(pd.Series(["012345678"]), b"k")[0], p[2]
    (64, True, <NA>)
    """
    return pseudonymise_with_check(bsn, key)[0]


def passes_eleven_test(bsn: pd.Series) -> pd.Series:
    """Whether each BSN passes the eleven-test (``<NA>`` when empty), via ``stdnum.nl.bsn``.

    A value that is not 8–9 digits fails. Checked once per distinct value.

    >>> passes_eleven_test(pd.Series(["111222333", "123456789", "12345678", " ", None])).tolist()
    [True, False, False, <NA>, <NA>]
    """
    return pseudonymise_with_check(bsn, None)[1]


def pseudonymise_with_check(bsn: pd.Series, key: bytes | None) -> tuple[pd.Series, pd.Series]:
    """``(pseudonym, passes eleven-test)`` in one pass over the distinct values.

    With ``key=None`` the pseudonym column is left empty (only the check is wanted).
    """
    codes, normal, blank = _factorize_normal(bsn)
    digests, valid = [], []
    keyed = hmac.new(key, digestmod=hashlib.sha256) if key else None  # keyed once, copied per value
    checksum = stdnum_bsn.checksum
    for u, empty in zip(normal.to_numpy(dtype=object, na_value=None), blank):
        ok = u is not None
        # stdnum's own checksum on the already-normalised 9 digits (is_valid would re-clean them)
        valid.append(None if empty else ok and checksum(u) == 0 and u != "000000000")
        if ok and keyed is not None:
            mac = keyed.copy()
            mac.update(u.encode("ascii"))
            digests.append(mac.hexdigest())
        else:
            digests.append(None)
    return (
        _take(pd.Series(digests, dtype=object), codes, bsn.index, "string"),
        _take(pd.Series(valid, dtype=object), codes, bsn.index, "boolean"),
    )


def mask_bsn(value: object) -> str:
    """A BSN as it may appear in a rejection list: six stars and at most the last 3 characters.

    >>> mask_bsn("123456782"), mask_bsn(12345678), mask_bsn("12"), mask_bsn(None)
    ('******782', '******678', '***', '')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = "".join(_bsn_text(value).split())
    if not text:
        return ""
    if len(text) <= MASK_VISIBLE_DIGITS:
        return "***"
    return "******" + text[-MASK_VISIBLE_DIGITS:]


# A run of digit groups: "123456782", "1234 56 782", "12.34.56.782" (separators as normalise_bsn).
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]+(?:[ \t.\-][0-9]+)*(?![0-9])")
_GROUP = re.compile(r"[0-9]+")


def _is_bsn_digits(digits: str) -> bool:
    """Nine ASCII digits that pass the eleven-test (stdnum.nl.bsn); 000000000 is no BSN."""
    return (
        len(digits) == 9
        and digits.isascii()
        and digits.isdigit()
        and digits != "000000000"
        and stdnum_bsn.checksum(digits) == 0
    )


def mask_bsn_in_text(text: str, allow_short: bool = True) -> str:
    """``text`` with every BSN in it masked like :func:`mask_bsn` (docs/domain.md: no BSN in any output).

    A BSN is 9 digits passing the eleven-test, written whole or in groups split by a space, dot or
    hyphen, anywhere in the text (consecutive groups are tried, so "rij 12 123456782" is found).
    With ``allow_short`` a cell that is exactly 8 digits counts as a BSN whose leading zero Excel
    dropped (a numeric cell, so only the whole cell); KvK columns pass ``allow_short=False``, as a
    KvK number has 8 digits. Longer digit strings (phone numbers, IBANs) are left alone.

    >>> mask_bsn_in_text("woont in 1234 56 782"), mask_bsn_in_text("12345672"), mask_bsn_in_text("12345672", False)
    ('woont in ******782', '******672', '12345672')
    >>> mask_bsn_in_text("Groningen"), mask_bsn_in_text("tel 0501234567"), mask_bsn_in_text("rij 12 123456782")
    ('Groningen', 'tel 0501234567', 'rij 12 ******782')
    """
    stripped = text.strip()
    if allow_short and len(stripped) == 8 and _is_bsn_digits("0" + stripped):
        return mask_bsn(stripped)
    return _DIGIT_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match) -> str:
    """One run of digit groups with each span of whole groups that forms a BSN masked."""
    run = match.group()
    groups = list(_GROUP.finditer(run))
    out, done, i = [], 0, 0
    while i < len(groups):
        digits, j = "", i
        while j < len(groups) and len(digits) < 9:
            digits += groups[j].group()
            j += 1
        if _is_bsn_digits(digits):
            start, end = groups[i].start(), groups[j - 1].end()
            out += [run[done:start], mask_bsn(digits)]
            done, i = end, j
        else:
            i += 1
    return "".join(out) + run[done:]


def is_bsn_value(value: object) -> bool:
    """Whether a whole value is a BSN (9 digits passing the eleven-test, separators allowed).

    For values that are not free text (an amount, a date, a number written in a rejection line):
    only the whole value counts, so ``123456782.00`` (an amount) is not a BSN.

    >>> is_bsn_value("123 456 782"), is_bsn_value(123456782.0), is_bsn_value("123456782.00"), is_bsn_value("")
    (True, True, False, False)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return False
    return _is_bsn_digits(re.sub(r"[ \t.\-]", "", _bsn_text(value)))


# What every BSN that mask_bsn_in_text finds looks like, as one Arrow (RE2) pattern for a whole
# column at once: 9 ASCII digits, a single separator allowed between two of them, that start and
# end at the edge of a digit group (no digit just before or after). Whole groups that make 9 digits
# always match it; "OG032-2017-007" (groups of 3, 4 and 3) or "A021-00001" (8 digits) never do.
_NINE_DIGITS = r"(?:^|[^0-9])[0-9](?:[ \t.\-]?[0-9]){8}(?:$|[^0-9])"
# a character that is neither a digit nor whitespace: a text holding one is no whole cell of 8 digits
_NOT_DIGIT_OR_SPACE = r"[!-/:-~]"


def _may_hold_bsn(texts: list[str], allow_short: bool) -> np.ndarray:
    """Which ``texts`` :func:`mask_bsn_in_text` has to search: those that match
    :data:`_NINE_DIGITS`, and with ``allow_short`` those with 8 ASCII digits and no printable
    ASCII character besides them (a whole cell of 8 digits, with whitespace of any kind around).
    Every other text holds no BSN; the test compares the column with each value alone."""
    column = pd.Series(texts, dtype="string[pyarrow]")
    search = column.str.contains(_NINE_DIGITS, regex=True).to_numpy(dtype=bool, na_value=False)
    if allow_short:
        eight = column.str.count("[0-9]").to_numpy(dtype="int64", na_value=0) == 8
        plain = ~column.str.contains(_NOT_DIGIT_OR_SPACE, regex=True).to_numpy(dtype=bool, na_value=True)
        search |= eight & plain
    return search


def mask_bsn_in_column(
    values: pd.Series, allow_short: bool = True, key: bytes | None = None
) -> tuple[pd.Series, pd.Series]:
    """``(values with every BSN masked, which changed)`` for a text column, once per distinct value.

    With ``key`` (identifier columns: contract, line, trajectory ids) a masked value gets a keyed
    tag, ``******782#1a2b3c4d``: two different ids stay different, and the same id gets the same
    tag in every dataset and quarter made with that key, so links between tables still hold.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # the distinct values as Python strings at once (iterating an Arrow array costs a call each)
    texts = [str(u) for u in _as_values(uniques)]
    masked = list(texts)
    changed = np.zeros(len(texts) + 1, dtype=bool)  # the last: missing values
    for i in np.flatnonzero(_may_hold_bsn(texts, allow_short)):
        shown = mask_bsn_in_text(texts[i], allow_short)
        if shown != texts[i]:
            if key is not None:
                shown += "#" + hmac.new(key, b"id:" + texts[i].encode("utf-8"), hashlib.sha256).hexdigest()[:8]
            masked[i], changed[i] = shown, True
    if not changed.any() and isinstance(values.dtype, pd.StringDtype):
        return values.copy(), pd.Series(False, index=values.index)  # no BSN: the column as it was
    shown_values = np.array(masked + [None], dtype=object)
    out = pd.Series(shown_values[codes], index=values.index, dtype=object).astype(values.dtype)
    return out, pd.Series(changed[codes], index=values.index)


def mask_line_values(lines: pd.DataFrame) -> pd.DataFrame:
    """Rejection/finding lines (``dataset, kolom, waarde``) with every BSN in ``waarde`` masked.

    docs/domain.md: no BSN in any output, whatever column it was typed into. By the column's type in
    the export standard: the BSN column always; a text column wherever a BSN occurs in the text
    (an 8-digit whole cell too, except in KvK columns: a KvK number has 8 digits); an amount,
    date or number only when the whole value is a BSN; a column outside the standard as text.

    >>> lines = pd.DataFrame({"dataset": ["trajecten"] * 4, "kolom": ["kandidaat_bsn", "woongemeente",
    ...     "plaatsing_werkgever_kvk", "plaatsing_uren_per_week"],
    ...     "waarde": ["12", "Haren 123456782", "12345672", "123456782"]})
    >>> mask_line_values(lines)["waarde"].tolist()
    ['***', 'Haren ******782', '12345672', '******782']
    """
    from pipeline.core.schema import standard  # the export standard says which columns are text

    types = {(d, c): s.type for d, spec in standard().datasets.items() for c, s in spec.columns.items()}
    out = lines.copy()
    masked = []
    for dataset, kolom, waarde in zip(out["dataset"], out["kolom"], out["waarde"]):
        text = (
            "" if waarde is None or waarde is pd.NA or (isinstance(waarde, float) and np.isnan(waarde)) else str(waarde)
        )
        kind = types.get((str(dataset), str(kolom)))
        if not text:
            masked.append(waarde)
        elif kind == "bsn":
            masked.append(mask_bsn(text))
        elif kind in ("date", "money", "number", "boolean"):
            masked.append(mask_bsn(text) if is_bsn_value(text) else text)
        else:
            masked.append(mask_bsn_in_text(text, allow_short=kind == "text" and not str(kolom).endswith("_kvk")))
    out["waarde"] = pd.Series(masked, index=out.index, dtype=object)
    return out
