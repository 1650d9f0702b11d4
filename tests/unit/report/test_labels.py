"""Every code a partner may deliver has a word for the reader (config/labels.yaml)."""

import json

import pytest

from pipeline.core.paths import PACKAGE_DIR
from pipeline.report import labels

# (suite, column) -> label kind
VALUE_SETS = {
    ("trajecten", "doelgroep"): "doelgroep",
    ("trajecten", "sector"): "sector",
    ("trajecten", "status"): "traject_status",
    ("opdrachten", "soort"): "soort",
    ("opdrachten", "sector"): "sector",
    ("aanbestedingskalender", "soort"): "soort",
    ("aanbestedingskalender", "sector"): "sector",
}


def _value_set(suite: str, column: str) -> list[str]:
    data = json.loads((PACKAGE_DIR / "expectations" / f"{suite}.json").read_text(encoding="utf-8"))
    for exp in data["expectations"]:
        kw = exp.get("kwargs", {})
        if exp["type"] == "expect_column_values_to_be_in_set" and kw.get("column") == column:
            return list(kw["value_set"])
    raise AssertionError(f"{suite}.{column}: no value set in the suite")


@pytest.mark.parametrize(("suite", "column"), sorted(VALUE_SETS))
def test_every_code_of_the_standard_has_a_label(suite, column):
    kind = VALUE_SETS[(suite, column)]
    known = labels.labels(kind)
    missing = [c for c in _value_set(suite, column) if c not in known]
    assert not missing, f"{suite}.{column}: no label in labels.yaml[{kind}] for {missing}"


def test_every_role_has_a_label():
    from pipeline.core.schema import ROLES

    for kind in ("rol", "rol_meervoud"):
        assert set(ROLES) <= set(labels.labels(kind)), kind


def test_every_building_block_has_a_description():
    from pipeline.indicators.ratecard import load_rate_card

    for code in load_rate_card()["bouwblok"].unique():
        text = labels.block_label(code)
        assert text != code and "_" not in text, code


def test_labels_are_words_not_codes():
    for kind in labels.KINDS:
        for code, word in labels.labels(kind).items():
            assert "_" not in word and word.strip() == word and word, (kind, code, word)


def test_every_column_of_the_standard_has_a_word():
    from pipeline.core.schema import standard

    known = labels.labels("kolom")
    missing = sorted({c for spec in standard().datasets.values() for c in spec.columns} - set(known))
    assert not missing, f"no label in labels.yaml[kolom] for {missing}"
