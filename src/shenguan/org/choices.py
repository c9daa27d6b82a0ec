from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    APPROVAL_BUREAU = "approval_bureau", _("行政审批局")
    ENFORCEMENT_BUREAU = "enforcement_bureau", _("综合执法局")
    BUSINESS = "business", _("业务主管部门")
    COMMAND_CENTRE = "command_centre", _("信息指挥中心")
    OTHER = "other", _("其他")


class SectionKind(models.TextChoices):
    SECTION = "section", _("科室")
    WINDOW = "window", _("窗口")
    SQUAD = "squad", _("执法中队")
    LEGAL = "legal", _("法制科")
    OFFICE = "office", _("办公室")


class GridKind(models.TextChoices):
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    INDUSTRIAL_PARK = "industrial_park", _("工业园区")
    ENTERPRISE = "enterprise", _("企业")
