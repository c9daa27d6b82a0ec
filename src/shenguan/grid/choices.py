from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    HAZARD = "hazard", _("安全隐患")
    UNLICENSED_OPERATION = "unlicensed_operation", _("无证经营")
    COMPLAINT = "complaint", _("投诉")
    HELP_REQUEST = "help_request", _("求助")


class EventStatus(models.TextChoices):
    REPORTED = "reported", _("待分派")
    ROUTED = "routed", _("已分派")
    ACCEPTED = "accepted", _("办理中")
    CLOSED = "closed", _("已办结")
    CONFIRMED = "confirmed", _("已确认")


# Events whose handling clock runs (the receiver has not closed them yet).
OPEN_STATUSES = (EventStatus.REPORTED, EventStatus.ROUTED, EventStatus.ACCEPTED)
WITH_RECEIVER = (EventStatus.ROUTED, EventStatus.ACCEPTED)
