"""Parties with valid generated identifiers (GB 32100 / GB 11643 check characters computed)."""

from __future__ import annotations

import datetime as dt
import random

import factory
from stdnum.cn import ric, uscc

from .choices import PartyKind
from .models import Address, Contact, Party

# Area codes of Ezhou (鄂州), where the Gedian zone lies: 420700 city, 420702 梁子湖区,
# 420703 华容区 (葛店 is in 华容区), 420704 鄂城区.
EZHOU_AREAS = ["420703", "420702", "420704", "420700"]
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def generated_uscc(n: int) -> str:
    """A valid 18-character unified social credit code built with the GB 32100 algorithm:
    9 (registration authority: industry and commerce) 1 (enterprise), area, organisation code."""
    rng = random.Random(n)
    area = rng.choice(EZHOU_AREAS)
    body = "".join(rng.choice(_USCC_CHARS[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    # positions 9-17 are an organisation code (GB 11714) with its own check character
    first17 = "91" + area + body + _org_check(body)
    return first17 + uscc.calc_check_digit(first17)


def _org_check(code8: str) -> str:
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in code8]
    total = sum(w * v for w, v in zip(weights, values, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def generated_ric(n: int) -> str:
    """A valid resident ID (GB 11643) that is unique for every n below 5,800,000."""
    area = EZHOU_AREAS[n % 3]
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=(n // 1000) % 5840)
    first17 = f"{area}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum skips the last character


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = PartyKind.ENTERPRISE
    name = factory.Sequence(lambda n: f"鄂州葛店测试企业{n}有限公司")
    uscc = factory.Sequence(generated_uscc)
    id_number = None
    legal_representative = factory.Sequence(lambda n: f"法人{n}")
    phone = factory.Sequence(lambda n: f"1390711{n:04d}")
    is_generated = True

    class Params:
        green = factory.Trait(credit_tier="A")
        blacklisted = factory.Trait(credit_tier="D")


class IndividualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = PartyKind.INDIVIDUAL
    name = factory.Sequence(lambda n: f"测试居民{n}")
    uscc = None
    id_number = factory.Sequence(generated_ric)
    phone = factory.Sequence(lambda n: f"1370711{n:04d}")
    is_generated = True


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    party = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = factory.Sequence(lambda n: f"1350711{n:04d}")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    party = factory.SubFactory(EnterpriseFactory)
    text = factory.Sequence(lambda n: f"湖北省鄂州市葛店开发区创业大道{n}号")
