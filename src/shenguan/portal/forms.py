"""Filter forms of the list pages (GET). An invalid value is shown next to its field and that
filter is ignored, so a mistyped link still shows a page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shenguan.catalog.choices import ApprovalClass, PowerKind
from shenguan.parties.choices import CreditTier, PartyKind

ALL = _("全部")


def _blank(choices):
    return [("", ALL), *choices]


class FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def value(self, name: str):
        """The cleaned value of a field, or None when it is empty or invalid."""
        if not self.is_bound:
            return None
        self.is_valid()  # cleans once; a field that failed is absent from cleaned_data
        value = self.cleaned_data.get(name)
        return value if value not in ("", None) else None


class PowerFilterForm(FilterForm):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("事项名称或编码"), "type": "search"}),
    )
    kind = forms.ChoiceField(label=_("权力类型"), required=False, choices=_blank(PowerKind.choices))
    department = forms.TypedChoiceField(
        label=_("实施部门"), required=False, coerce=int, empty_value=None
    )
    approval_class = forms.ChoiceField(
        label=_("审批分类"), required=False, choices=_blank(ApprovalClass.choices)
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _blank([(d.pk, d.name) for d in departments])


class PartyFilterForm(FilterForm):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=_blank(PartyKind.choices))
    grid = forms.TypedChoiceField(label=_("所属网格"), required=False, coerce=int, empty_value=None)
    credit_tier = forms.ChoiceField(
        label=_("信用等级"), required=False, choices=_blank(CreditTier.choices)
    )

    def __init__(self, *args, grids=(), full_identifiers=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = _blank([(g.pk, g.name) for g in grids])
        # Searching by resident ID is offered only to those who may see it whole: otherwise a
        # search would reveal the masked digits one probe at a time.
        self.fields["q"].widget.attrs["placeholder"] = (
            _("名称、统一社会信用代码或身份号码")
            if full_identifiers
            else _("名称或统一社会信用代码")
        )


# The values of ``core.context.Actor.source``.
SOURCE_CHOICES = [
    ("ui", _("网页")),
    ("api", _("接口")),
    ("admin", _("管理后台")),
    ("command", _("命令")),
    ("worker", _("后台任务")),
    ("system", _("系统")),
]


class JournalFilterForm(FilterForm):
    action = forms.CharField(
        label=_("动作"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "parties.party.created"}),
    )
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象ID"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=100)
    source = forms.ChoiceField(label=_("来源"), required=False, choices=_blank(SOURCE_CHOICES))
    request_id = forms.CharField(label=_("请求/命令ID"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = _blank([(t, t) for t in object_types])

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期早于起始日期"))
        return data
