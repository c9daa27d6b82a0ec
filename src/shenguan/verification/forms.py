"""Forms of the staff pages. They only collect input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shenguan.org.choices import SectionKind
from shenguan.org.models import Section, Staff

from .choices import FindingOutcome

STATES = [
    ("pending", _("待签收")),
    ("overdue", _("逾期未签收")),
    ("acknowledged", _("已签收")),
    ("all", _("全部")),
]


class PushFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("签收状态"), choices=STATES, required=False)


class FindingForm(forms.Form):
    outcome = forms.ChoiceField(label=_("核查结论"), choices=FindingOutcome.choices)
    facts = forms.CharField(label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    requirements = forms.CharField(
        label=_("整改要求"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("首次核查不符合时必填"),
    )
    co_inspector = forms.ModelChoiceField(
        label=_("协办执法人员（会签）"), queryset=Staff.objects.none()
    )
    inspected_on = forms.DateField(
        label=_("核查日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_inspector"].queryset = (
            inspectors if inspectors is not None else Staff.objects.none()
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("留空则以核查认定的事由为撤销理由（行政许可法第六十九条）"),
    )


class DrawForm(forms.Form):
    size = forms.IntegerField(label=_("抽取对象数"), min_value=1)
    inspectors_per_target = forms.IntegerField(
        label=_("每个对象的执法人员数"), min_value=2, initial=2
    )
    squads = forms.ModelMultipleChoiceField(
        label=_("执法人员库（中队）"),
        queryset=Section.objects.filter(kind=SectionKind.SQUAD),
        required=False,
        help_text=_("不选则为全部执法中队"),
    )
    seed = forms.CharField(
        label=_("随机种子"),
        required=False,
        max_length=128,
        help_text=_("留空由系统生成；种子、输入和结果均记录在案，可复现"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
