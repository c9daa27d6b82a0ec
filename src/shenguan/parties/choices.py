from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业/组织")
    INDIVIDUAL = "individual", _("个人")


class CreditTier(models.TextChoices):
    """Until the credit archive lands this is a plain field; the credit app will compute it."""

    A = "A", _("A级（守信）")
    B = "B", _("B级（一般）")
    C = "C", _("C级（关注）")
    D = "D", _("D级（严重失信）")


class AddressKind(models.TextChoices):
    REGISTERED = "registered", _("注册地址")
    BUSINESS = "business", _("经营地址")
    RESIDENCE = "residence", _("住所")
    MAILING = "mailing", _("通讯地址")


class AccountRole(models.TextChoices):
    OWNER = "owner", _("本人/法定代表人")
    AGENT = "agent", _("经办人")
