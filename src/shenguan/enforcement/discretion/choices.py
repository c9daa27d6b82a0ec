from django.db import models
from django.utils.translation import gettext_lazy as _


class BenchmarkModel(models.TextChoices):
    """How a benchmark fixes the fine."""

    FINE_BAND = "fine_band", _("情形档次")  # circumstances → a fine range per row
    PERCENTAGE_WEIGHT = "percentage_weight", _("百分比权重")  # factors → weights → formula


class RowKind(models.TextChoices):
    BAND = "band", _("情形档次")  # fine_band: one circumstance row with its fine range
    FACTOR = "factor", _("裁量要素")  # percentage_weight: one degree of one factor, with a weight
    START = "start", _("裁量起点")  # percentage_weight: the starting weight(s)
    LABELS = "labels", _("裁量起点栏目")  # the column labels above the starting weights
    NOTE = "note", _("备注")  # a 备注 row inside the table (holds the formula in a few tables)
    CONTINUATION = "continuation", _("续行")  # a row the PDF split off; merged into the row above
    STRAY = "stray", _("表外文字")  # text that spilled into the table from the basis above it


class NoPenaltyOutcome(models.TextChoices):
    SHALL = "shall", _("不予行政处罚")  # 行政处罚法 art 33 ¶1 first sentence, ¶2
    MAY = "may", _("可以不予行政处罚")  # art 33 ¶1 second sentence


class ConditionMode(models.TextChoices):
    ALL = "all", _("同时满足")
    ANY = "any", _("满足其一")


class Harm(models.TextChoices):
    """The harmful consequence of the violation as the officer found it (art 33)."""

    NONE = "none", _("没有造成危害后果")
    MINOR = "minor", _("危害后果轻微")
    HARMFUL = "harmful", _("造成危害后果")
