from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "shenguan.command"
    label = "command"
    verbose_name = _("信息指挥中心")
