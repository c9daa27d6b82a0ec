"""The actions a page may post, each one form and one service call. The window, the review
page and the applicant portal each offer a subset (``pick``); the service decides again who
may act, so offering a button is never what grants the right to press it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .. import forms as f
from .. import services
from .detail import latest_cure_date, policy_rule


@dataclass(frozen=True)
class Spec:
    form: type
    call: Callable  # (request, app, cleaned_data) -> result
    success: str
    anchor: str = "actions"
    needs_materials: bool = False
    extra: dict = field(default_factory=dict)


def deferral_kwargs(app) -> dict:
    subs = list(app.materials.select_related("material").order_by("material__seq"))
    return {"submissions": subs, "default_due": latest_cure_date(app, policy_rule(app))}


def _sign_commitment(request, app, d):
    scan = d.get("scan")
    return services.sign_commitment(
        app.pk,
        signer_name=d["signer_name"],
        deferrals=d["deferrals"],
        scan=scan,
        scan_name=scan.name if scan else "",
        user=request.user,
    )


def _approve(request, app, d):
    return services.approve(
        app.pk,
        opinion=d["opinion"],
        conditions=d["conditions"],
        issue_now=True if d["issue_now"] else None,
        user=request.user,
    )


def _refuse(request, app, d):
    remedies = d["remedies"] if d["remedies"].strip() else services.DEFAULT_REMEDIES
    return services.refuse(app.pk, reasons=d["reasons"], remedies=remedies, user=request.user)


def _refuse_intake(request, app, d):
    remedies = d["remedies"] if d["remedies"].strip() else services.DEFAULT_REMEDIES
    return services.refuse_intake(
        app.pk, reasons=d["reasons"], remedies=remedies, user=request.user
    )


SPECS: dict[str, Spec] = {
    # intake
    "submit": Spec(
        f.EmptyForm, lambda r, a, d: services.submit(a.pk, user=r.user), _("申请已提交（收件）")
    ),
    "notice": Spec(
        f.NoticeForm,
        lambda r, a, d: services.notify_deficiency(a.pk, note=d["note"], user=r.user),
        _("已出具一次性告知书"),
        anchor="documents",
    ),
    "resubmit": Spec(
        f.EmptyForm,
        lambda r, a, d: services.resubmit(a.pk, user=r.user),
        _("补正材料已提交"),
    ),
    "accept": Spec(
        f.EmptyForm,
        lambda r, a, d: services.accept(a.pk, user=r.user),
        _("已受理，受理通知书已出具"),
        anchor="documents",
    ),
    "refuse-intake": Spec(f.RefuseIntakeForm, _refuse_intake, _("已出具不予受理通知书")),
    "redirect": Spec(
        f.RedirectForm,
        lambda r, a, d: services.redirect(
            a.pk, competent_body=d["competent_body"], reasons=d["reasons"], user=r.user
        ),
        _("已告知申请人向有权机关申请"),
    ),
    "not-required": Spec(
        f.NotRequiredForm,
        lambda r, a, d: services.declare_not_required(a.pk, reasons=d["reasons"], user=r.user),
        _("已告知申请人无需取得许可"),
    ),
    # routes and commitments
    "route": Spec(
        f.RouteForm,
        lambda r, a, d: services.choose_route(a.pk, d["route"], user=r.user),
        _("办理路径已选择"),
        anchor="route",
    ),
    "tolerance": Spec(
        f.ToleranceForm,
        lambda r, a, d: services.sign_tolerance(
            a.pk, signer_name=d["signer_name"], deferrals=d["deferrals"], user=r.user
        ),
        _("容缺受理承诺书已签署"),
        anchor="route",
        needs_materials=True,
    ),
    "commitment": Spec(
        f.CommitmentForm,
        _sign_commitment,
        _("告知承诺书已签署"),
        anchor="route",
        needs_materials=True,
    ),
    "withdraw-commitment": Spec(
        f.ReasonForm,
        lambda r, a, d: services.withdraw_commitment(a.pk, reason=d["reason"], user=r.user),
        _("告知承诺已撤回，按一般程序办理"),
        anchor="route",
    ),
    "withdraw": Spec(
        f.ReasonForm,
        lambda r, a, d: services.withdraw(a.pk, reason=d["reason"], user=r.user),
        _("申请已撤回"),
    ),
    # review and decision
    "start-review": Spec(
        f.EmptyForm, lambda r, a, d: services.start_review(a.pk, user=r.user), _("已开始审查")
    ),
    "review": Spec(
        f.ReviewForm,
        lambda r, a, d: services.record_review(
            a.pk, conclusion=d["conclusion"], opinion=d["opinion"], user=r.user
        ),
        _("审查意见已记录"),
        anchor="reviews",
    ),
    "suspend": Spec(
        f.SuspendForm,
        lambda r, a, d: services.suspend(
            a.pk,
            kind=d["kind"],
            reason=d["reason"],
            expected_working_days=d["expected_working_days"],
            user=r.user,
        ),
        _("已中止计时，并书面告知申请人所需时间"),
    ),
    "resume": Spec(
        f.EmptyForm, lambda r, a, d: services.resume(a.pk, user=r.user), _("已恢复计时")
    ),
    "approve": Spec(f.ApproveForm, _approve, _("已作出准予许可决定")),
    "refuse": Spec(f.RefuseForm, _refuse, _("已作出不予许可决定")),
    "issue": Spec(
        f.EmptyForm,
        lambda r, a, d: services.issue_licence(a.pk, user=r.user),
        _("许可证已颁发"),
    ),
    "extend": Spec(
        f.ReasonForm,
        lambda r, a, d: services.extend(a.pk, reason=d["reason"], user=r.user),
        _("审批期限已延长，延长理由已告知申请人"),
    ),
}


def pick(*names: str) -> dict[str, Spec]:
    return {name: SPECS[name] for name in names}


def make_form(spec: Spec, app, name: str, data=None, files=None, deferral=None):
    kwargs = {"prefix": name, "app": app}
    if spec.needs_materials:
        kwargs.update(deferral if deferral is not None else deferral_kwargs(app))
    if data is None:
        return spec.form(**kwargs)
    return spec.form(data, files, **kwargs)


def unbound_forms(specs: dict[str, Spec], app, bound: dict | None = None) -> dict:
    """One form per action (prefixed by its name, so that fields of the same name on one page
    keep apart), the bound one with its errors where a post was refused."""
    bound = bound or {}
    deferral = None
    if any(s.needs_materials for s in specs.values()):
        deferral = deferral_kwargs(app)
    return {
        name.replace("-", "_"): bound.get(name) or make_form(spec, app, name, deferral=deferral)
        for name, spec in specs.items()
    }
