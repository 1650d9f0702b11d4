"""Words for codes: what a reader sees instead of ``nug``, ``pwet_kort`` or ``sw-bedrijf``.

The labels are data (``config/labels.yaml``); building blocks take their description from the
rate card, so a page and the rate card never disagree. Codes stay in the machine-readable outputs.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import yaml

from pipeline.core.paths import CONFIG_DIR

KINDS = ("sector", "soort", "doelgroep", "traject_status", "rol", "rol_meervoud", "dataset", "kolom", "melding")


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    with open(CONFIG_DIR / "labels.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    unknown = set(data) - set(KINDS)
    if unknown:
        raise ValueError(f"labels.yaml: unknown kind(s) {sorted(unknown)}; known: {', '.join(KINDS)}")
    return {kind: {str(k): str(v) for k, v in (data.get(kind) or {}).items()} for kind in KINDS}


def fallback(code: object) -> str:
    """A code without a label, made readable: underscores become spaces.

    >>> fallback("nog_niet_gestart"), fallback(None), fallback(float("nan"))
    ('nog niet gestart', '', '')
    """
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return ""
    return str(code).replace("_", " ")


def label(kind: str, code: object) -> str:
    """The Dutch label of ``code`` in ``kind`` (one of :data:`KINDS`).

    >>> label("sector", "infra"), label("doelgroep", "nug"), label("rol", "opleider")
    ('infrastructuur', 'niet-uitkeringsgerechtigd', 'opleidingsinstituut')
    >>> label("sector", "ruimtevaart_nieuw")
    'ruimtevaart nieuw'
    """
    if kind not in KINDS:
        raise KeyError(f"unknown label kind {kind!r}; known: {', '.join(KINDS)}")
    return _labels()[kind].get(str(code), fallback(code))


def labels(kind: str) -> dict[str, str]:
    """All labels of one kind, code -> word."""
    return dict(_labels()[kind])


@lru_cache(maxsize=1)
def _block_descriptions() -> dict[str, str]:
    from pipeline.indicators.ratecard import load_rate_card

    card = load_rate_card()
    # The latest version's description wins (versions of one block share their meaning).
    card = card.sort_values(["bouwblok", "geldig_vanaf"])
    return {str(r.bouwblok): str(r.omschrijving) for r in card.itertuples()}


def block_label(code: object) -> str:
    """A building block by its rate-card description; the bonus and unknown codes readable.

    >>> block_label("pwet_kort")
    'Participatiewet, korter dan 2 jaar uitkering'
    """
    return _block_descriptions().get(str(code), fallback(code))


def map_column(values: pd.Series, kind: str) -> pd.Series:
    """``label`` over a column (codes -> words); ``kind="bouwblok"`` uses the rate card."""
    fn = block_label if kind == "bouwblok" else (lambda v: label(kind, v))
    return values.map(fn)


def roles_phrase(roles: tuple[str, ...] | list[str]) -> str:
    """The roles in plural, as a Dutch enumeration with a capital.

    >>> roles_phrase(("opleider", "werkplein", "sw-bedrijf"))
    'Opleidingsinstituten, werkpleinen en sw-bedrijven'
    """
    words = [label("rol_meervoud", r) for r in roles]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]
    return text[:1].upper() + text[1:]
