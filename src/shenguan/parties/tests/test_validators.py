"""Identifier checks against the real examples in identifier_examples.csv (DOMAIN.md §11)."""

from __future__ import annotations

import csv

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from shenguan.parties.validators import (
    mask_ric,
    normalize_ric,
    normalize_uscc,
    validate_ric,
    validate_uscc,
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
RIC_CHECK_CHARS = "0123456789X"


def _examples() -> list[dict]:
    path = settings.DATA_DIR / "identifiers" / "identifier_examples.csv"
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


EXAMPLES = _examples()
VALIDATOR = {"USCC": validate_uscc, "RIC": validate_ric}


def test_the_example_file_has_real_codes():
    real = [r for r in EXAMPLES if r["real_or_synthetic"].startswith("real (")]
    assert len(real) >= 40
    assert {r["id_type"] for r in EXAMPLES} == {"USCC", "RIC"}


@pytest.mark.parametrize(
    "row", [r for r in EXAMPLES if r["valid_by_algorithm"] == "True"], ids=lambda r: r["value"]
)
def test_every_valid_example_is_accepted(row):
    assert VALIDATOR[row["id_type"]](row["value"]) == row["value"]


@pytest.mark.parametrize(
    "row", [r for r in EXAMPLES if r["valid_by_algorithm"] == "False"], ids=lambda r: r["value"]
)
def test_every_negative_example_is_refused(row):
    with pytest.raises(ValidationError):
        VALIDATOR[row["id_type"]](row["value"])


def _valid(kind: str) -> list[str]:
    return [
        r["value"] for r in EXAMPLES if r["id_type"] == kind and r["valid_by_algorithm"] == "True"
    ]


@pytest.mark.parametrize("code", _valid("USCC"))
def test_a_wrong_check_character_names_the_right_one_uscc(code):
    for wrong in USCC_ALPHABET.replace(code[-1], ""):
        with pytest.raises(ValidationError) as exc:
            validate_uscc(code[:-1] + wrong)
        assert exc.value.code == "checksum"
        message = exc.value.messages[0]
        assert "校验位错误" in message
        assert f"应为 {code[-1]}" in message and f"为 {wrong}" in message


@pytest.mark.parametrize("number", _valid("RIC"))
def test_a_wrong_check_character_names_the_right_one_ric(number):
    for wrong in RIC_CHECK_CHARS.replace(number[-1], ""):
        with pytest.raises(ValidationError) as exc:
            validate_ric(number[:-1] + wrong)
        assert exc.value.code == "checksum"
        assert f"应为 {number[-1]}" in exc.value.messages[0]


def test_negative_example_message_names_the_published_character():
    # 115113016823646796 is the real 115113016823646795 (区行政审批局) with its last char altered
    with pytest.raises(ValidationError) as exc:
        validate_uscc("115113016823646796")
    assert "应为 5" in exc.value.messages[0]


def test_a_non_uscc_code_string_is_refused_as_format():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("TE5116020105116050")
    assert exc.value.code == "format"


@pytest.mark.parametrize(
    "value, code",
    [
        ("11511301008778175", "length"),
        ("11511301008778175UU", "length"),
        ("115113010087781I5U", "format"),  # I is not in the GB 32100 alphabet
    ],
)
def test_uscc_other_faults(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == code


@pytest.mark.parametrize(
    "value, code",
    [
        ("42070419900612031", "length"),
        ("4207041990061203A4", "format"),
        ("420704199013120314", "checksum"),
    ],
)
def test_ric_other_faults(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_ric(value)
    assert exc.value.code == code


def _with_check(first17: str) -> str:
    from stdnum.cn import ric

    return first17 + ric.calc_check_digit(first17 + "0")


def test_ric_with_an_impossible_birth_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_ric(_with_check("42070419901312031"))
    assert exc.value.code == "birth_date"


def test_ric_with_a_future_birth_date_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_ric(_with_check("42070421990612031"))
    assert exc.value.code == "birth_date"


def test_ric_with_an_unknown_area_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_ric(_with_check("00000019900612031"))
    assert exc.value.code == "area"


def test_identifiers_are_normalised():
    assert normalize_uscc(" 9142 0700-ma4f 12340q ") == "91420700MA4F12340Q"
    assert validate_uscc("91420700 ma4f12340q") == "91420700MA4F12340Q"
    assert normalize_ric("420704 19900612 0314") == "420704199006120314"
    # full-width digits typed with a Chinese input method
    assert validate_ric("４２０７０４１９９００６１２０３１４") == "420704199006120314"


def test_lower_case_x_check_character_is_accepted():
    found = next(
        _with_check(f"420704199006120{i:02d}")
        for i in range(100)
        if _with_check(f"420704199006120{i:02d}").endswith("X")
    )
    assert validate_ric(found.lower()) == found


def test_mask_keeps_first_three_and_last_four():
    assert mask_ric("420704199006120314") == "420***********0314"
    assert mask_ric("") == ""
    assert "1990" not in mask_ric("420704199006120314")
