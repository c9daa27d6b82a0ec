"""Forms of the approval pages. They only shape input: every rule (a refusal needs reasons, a
deferred material must be non-essential, a route must be open to the applicant…) is checked by
the service the view calls, whose refusal lands next to the field it names.

Text fields the services require are ``required=False`` here on purpose, so that the person
sees the service's own message, which cites the article (e.g. 行政许可法第三十八条)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from shenguan.catalog.choices import ApprovalClass
from shenguan.core.errors import DomainError
from shenguan.parties.choices import PartyKind

from .choices import (
    IN_HAND,
    Channel,
    MaterialState,
    ReviewConclusion,
    Route,
    SuspensionKind,
)
from .services import DEFAULT_REMEDIES


class ActionForm(forms.Form):
    """A form that posts one action. ``error_map`` names the form field for a service's
    field name where they differ (``applicant_id`` → ``applicant``)."""

    error_map: dict[str, str] = {}

    def __init__(self, *args, app=None, **kwargs):
        self.app = app
        super().__init__(*args, **kwargs)

    def add_domain_error(self, exc: DomainError) -> None:
        placed = False
        for name, msgs in (exc.field_errors or {}).items():
            target = self.error_map.get(name, name)
            if target in self.fields:
                for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
                    self.add_error(target, str(msg))
                placed = True
        if not placed:
            self.add_error(None, exc.message)


def _text(label, *, required=False, rows=None, initial=None, help_text="", max_length=None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        widget=widget,
        initial=initial,
        help_text=help_text,
        max_length=max_length,
    )


class EmptyForm(ActionForm):
    """Actions that take no input (submit, accept, start review…)."""


# --- window -----------------------------------------------------------------------------------


class SearchForm(forms.Form):
    party_q = forms.CharField(label=_("查找申请人"), required=False, max_length=100)
    item_q = forms.CharField(label=_("查找审批事项"), required=False, max_length=100)


class WindowApplicationForm(ActionForm):
    error_map = {"applicant_id": "applicant", "power_id": "power"}

    applicant = forms.IntegerField(label=_("申请人"), required=False, widget=forms.HiddenInput)
    power = forms.IntegerField(label=_("审批事项"), required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("申请渠道"),
        choices=[(Channel.WINDOW, Channel.WINDOW.label), (Channel.AGENT, Channel.AGENT.label)],
        initial=Channel.WINDOW,
    )
    description = _text(_("申请说明"), rows=2)

    def clean(self):
        data = super().clean()
        if not data.get("applicant"):
            self.add_error("applicant", _("请先查找并选择申请人"))
        if not data.get("power"):
            self.add_error("power", _("请先查找并选择审批事项"))
        return data


class MaterialStateForm(ActionForm):
    state = forms.ChoiceField(
        label=_("审核结果"),
        choices=[
            (MaterialState.PROVIDED, MaterialState.PROVIDED.label),
            (MaterialState.MISSING, MaterialState.MISSING.label),
            (MaterialState.FAULTY, MaterialState.FAULTY.label),
        ],
    )
    note = forms.CharField(
        label=_("问题说明"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("不符合要求时写明问题")}),
    )


class UploadForm(ActionForm):
    """One file for one checklist item; a refusal of the file (type, size, state) is shown
    next to the file input, the only thing the person can change."""

    def add_domain_error(self, exc: DomainError) -> None:
        if exc.field_errors:
            super().add_domain_error(exc)
        else:
            self.add_error("file", exc.message)

    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、PNG 或 JPEG"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class NoticeForm(ActionForm):
    note = _text(_("其他说明"), rows=2)


class RefuseIntakeForm(ActionForm):
    reasons = _text(_("不予受理理由"), rows=3)
    remedies = _text(_("救济途径"), rows=2, initial=DEFAULT_REMEDIES)


class RedirectForm(ActionForm):
    competent_body = _text(_("有权机关"), help_text=_("告知申请人向哪个机关申请"))
    reasons = _text(_("说明"), rows=2)


class NotRequiredForm(ActionForm):
    reasons = _text(_("无需取得许可的依据"), rows=2)


class RouteForm(ActionForm):
    route = forms.ChoiceField(label=_("办理路径"), choices=Route.choices, widget=forms.RadioSelect)


class DeferralMixin:
    """One pair of fields per non-essential, deferrable material not yet in hand: a box to
    defer it and its due date. ``deferrals`` in cleaned data is what the services take."""

    def add_deferral_fields(self, submissions, default_due):
        self.deferrable = []
        for sub in submissions:
            m = sub.material
            if m.essential or not m.deferrable or sub.state in IN_HAND:
                continue
            self.fields[f"defer_{m.pk}"] = forms.BooleanField(
                label=m.name, required=False, initial=sub.state == MaterialState.DEFERRED
            )
            self.fields[f"due_{m.pk}"] = forms.DateField(
                label=_("补交期限"),
                required=False,
                initial=default_due,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.deferrable.append(sub)

    def deferral_rows(self):
        """(submission, defer bound field, due bound field) for the template."""
        return [
            (sub, self[f"defer_{sub.material_id}"], self[f"due_{sub.material_id}"])
            for sub in self.deferrable
        ]

    def clean_deferrals(self, data) -> list[dict]:
        out = []
        for sub in self.deferrable:
            mid = sub.material_id
            if not data.get(f"defer_{mid}"):
                continue
            due = data.get(f"due_{mid}")
            if due is None:
                if f"due_{mid}" not in self.errors:
                    self.add_error(f"due_{mid}", _("请填写补交期限"))
                continue
            out.append({"material_id": mid, "due_on": due})
        return out


class ToleranceForm(DeferralMixin, ActionForm):
    signer_name = _text(_("签署人姓名"), max_length=100)

    def __init__(self, *args, submissions=(), default_due=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_deferral_fields(submissions, default_due)

    def clean(self):
        data = super().clean()
        data["deferrals"] = self.clean_deferrals(data)
        return data


class CommitmentForm(DeferralMixin, ActionForm):
    read_notice = forms.BooleanField(
        label=_("本人已阅读告知书，自愿选择告知承诺方式办理"),
        required=True,
        error_messages={"required": _("请先阅读告知书并确认")},
    )
    signer_name = _text(_("签署人姓名"), max_length=100)
    scan = forms.FileField(
        label=_("签字扫描件（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, submissions=(), default_due=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_deferral_fields(submissions, default_due)

    def clean(self):
        data = super().clean()
        data["deferrals"] = self.clean_deferrals(data)
        return data


class ReasonForm(ActionForm):
    reason = _text(_("理由"), rows=2)


# --- review -----------------------------------------------------------------------------------


class ReviewForm(ActionForm):
    conclusion = forms.ChoiceField(
        label=_("审查结论"), choices=ReviewConclusion.choices, widget=forms.RadioSelect
    )
    opinion = _text(_("审查意见"), rows=3)


class SuspendForm(ActionForm):
    kind = forms.ChoiceField(label=_("事由类型"), choices=SuspensionKind.choices)
    reason = _text(_("理由"), rows=2)
    expected_working_days = forms.IntegerField(
        label=_("预计所需(工作日)"), min_value=1, max_value=365
    )


class ApproveForm(ActionForm):
    opinion = _text(_("审查意见"), rows=2)
    conditions = _text(_("许可条件/范围"), rows=2, help_text=_("留空则采用事项模板的许可条件"))
    issue_now = forms.BooleanField(
        label=_("同时颁发许可证（行政许可法第四十四条）"), required=False, initial=True
    )


class RefuseForm(ActionForm):
    reasons = _text(_("不予许可理由"), rows=3)
    remedies = _text(_("救济途径"), rows=2, initial=DEFAULT_REMEDIES)


# --- applicant portal -------------------------------------------------------------------------


class CatalogueForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("事项名称或编码")}),
    )
    approval_class = forms.ChoiceField(
        label=_("审批分类"),
        required=False,
        choices=[("", _("全部")), *ApprovalClass.choices],
    )


class NewApplicationForm(ActionForm):
    error_map = {"applicant_id": "applicant"}

    applicant = forms.TypedChoiceField(label=_("申请主体"), coerce=int)
    description = _text(_("申请说明"), rows=2)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = [(p.pk, p.name) for p in parties]
        if len(parties) == 1:
            self.fields["applicant"].initial = parties[0].pk


class RegistrationForm(ActionForm):
    error_map = {"password": "password1"}

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("字母、数字和 @/./+/-/_，登录时使用"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    kind = forms.ChoiceField(
        label=_("登记为"),
        choices=PartyKind.choices,
        initial=PartyKind.ENTERPRISE,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("企业名称/本人姓名"), max_length=200)
    uscc = forms.CharField(
        label=_("统一社会信用代码"), required=False, max_length=30, help_text=_("企业填写，18位")
    )
    legal_representative = forms.CharField(label=_("法定代表人"), required=False, max_length=100)
    contact_name = forms.CharField(
        label=_("经办人姓名"), required=False, max_length=100, help_text=_("企业填写")
    )
    id_number = forms.CharField(
        label=_("公民身份号码"), required=False, max_length=30, help_text=_("个人填写，18位")
    )
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=40)

    def clean_password1(self):
        # Checked here too so that both password errors show together with the others;
        # the service checks again.
        password = self.cleaned_data.get("password1") or ""
        from django.contrib.auth import get_user_model

        probe = get_user_model()(username=self.data.get("username", ""))
        password_validation.validate_password(password, user=probe)
        return password

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", _("两次输入的密码不一致"))
        kind = data.get("kind")
        if kind == PartyKind.ENTERPRISE:
            if not (data.get("uscc") or "").strip():
                self.add_error("uscc", _("企业须填写统一社会信用代码"))
            if not (data.get("contact_name") or "").strip():
                self.add_error("contact_name", _("请填写经办人姓名"))
        elif kind == PartyKind.INDIVIDUAL and not (data.get("id_number") or "").strip():
            self.add_error("id_number", _("个人须填写公民身份号码"))
        return data
