"""Identifier checks (DOMAIN.md §11) with messages that say what is wrong."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def normalize_uscc(value: str) -> str:
    return uscc.compact(value or "")


def validate_uscc(value: str) -> str:
    """A unified social credit code (GB 32100-2015); returns it compacted."""
    try:
        return uscc.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码校验位错误（第18位应为 %(expected)s）")
            % {"expected": uscc.calc_check_digit(uscc.compact(value)[:17])},
            code="checksum",
        )
    except InvalidLength:
        raise ValidationError(_("统一社会信用代码应为18位"), code="length")
    except (InvalidFormat, InvalidComponent):
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（只能使用数字和 A-H J-N P-R T U W X Y）"),
            code="format",
        )


def normalize_ric(value: str) -> str:
    return ric.compact(value or "")


def validate_ric(value: str) -> str:
    """A resident identity number (GB 11643-1999); returns it compacted."""
    try:
        return ric.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _("公民身份号码校验位错误（第18位应为 %(expected)s）")
            % {"expected": ric.calc_check_digit(ric.compact(value)[:17] + "0")},
            code="checksum",
        )
    except InvalidLength:
        raise ValidationError(_("公民身份号码应为18位"), code="length")
    except InvalidComponent:
        raise ValidationError(_("公民身份号码中的出生日期无效"), code="birth_date")
    except InvalidFormat:
        raise ValidationError(_("公民身份号码格式错误"), code="format")


def mask_ric(value: str) -> str:
    """Shown to those without the right to see the whole number: first 3 and last 4 kept."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
