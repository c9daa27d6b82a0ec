"""Identifier checks (DOMAIN.md §11) with messages that say what is wrong."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

_SEPARATORS = re.compile(r"[\s\-]+")


def _normalise(value: str) -> str:
    """Upper case, no spaces or hyphens; full-width digits and letters (typed with a Chinese
    input method) become their ASCII forms."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def normalize_uscc(value: str) -> str:
    return _normalise(value)


def validate_uscc(value: str) -> str:
    """A unified social credit code (GB 32100-2015); returns it compacted."""
    value = _normalise(value)
    try:
        return uscc.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位为 %(given)s，应为 %(expected)s")
            % {"given": value[-1], "expected": uscc.calc_check_digit(value[:17])},
            code="checksum",
        )
    except InvalidLength:
        raise ValidationError(
            _("统一社会信用代码应为18位（输入为%(length)s位）") % {"length": len(value)},
            code="length",
        )
    except (InvalidFormat, InvalidComponent):
        if not value[:8].isdigit():
            raise ValidationError(
                _("统一社会信用代码前8位（登记管理部门、机构类别和行政区划码）应为数字"),
                code="format",
            )
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（只能使用数字和 A-H J-N P-R T U W X Y）"),
            code="format",
        )


def normalize_ric(value: str) -> str:
    return _normalise(value)


def validate_ric(value: str) -> str:
    """A resident identity number (GB 11643-1999); returns it compacted."""
    value = _normalise(value)
    try:
        number = ric.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _("公民身份号码校验位错误：第18位为 %(given)s，应为 %(expected)s")
            % {"given": value[-1], "expected": ric.calc_check_digit(value[:17] + "0")},
            code="checksum",
        )
    except InvalidLength:
        raise ValidationError(
            _("公民身份号码应为18位（输入为%(length)s位）") % {"length": len(value)},
            code="length",
        )
    except InvalidFormat:
        raise ValidationError(
            _("公民身份号码格式错误（前17位应为数字，第18位为数字或X）"), code="format"
        )
    except InvalidComponent:
        try:
            ric.get_birth_date(value)
        except InvalidComponent:
            raise ValidationError(_("公民身份号码中的出生日期无效"), code="birth_date")
        raise ValidationError(_("公民身份号码中的地址码（前6位）不存在"), code="area")
    if ric.get_birth_date(number) > timezone.localdate():
        raise ValidationError(_("公民身份号码中的出生日期晚于今天"), code="birth_date")
    return number


def mask_ric(value: str) -> str:
    """Shown to those without the right to see the whole number: first 3 and last 4 kept."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
