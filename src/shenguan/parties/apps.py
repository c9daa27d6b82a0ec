from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "shenguan.parties"
    label = "parties"
    verbose_name = _("市场主体与个人")
