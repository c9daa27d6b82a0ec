from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "shenguan.verification"
    label = "verification"
    verbose_name = _("批后核查")
