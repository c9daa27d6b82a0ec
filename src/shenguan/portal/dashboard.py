"""The staff dashboard: one card per role the user holds, each linking to the screens that
serve that role today. Later issues add their screens to ``_LINKS`` (approval queues,
enforcement cases, the command centre wall) rather than writing a new home page."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shenguan.core.permissions import Role, Scope


@dataclass
class Link:
    label: str
    url: str
    hint: str = ""


@dataclass
class Card:
    role: str
    title: str
    summary: str
    links: list[Link] = field(default_factory=list)


def _catalog(**filters) -> str:
    url = reverse("portal:catalog")
    return f"{url}?{urlencode(filters)}" if filters else url


def _links(scope: Scope) -> dict[str, tuple[str, list[Link]]]:
    catalog = Link(_("权力清单"), _catalog(), _("全部公开的权力事项及其责任分工"))
    licensing = Link(
        _("审批服务事项"), _catalog(kind="licensing"), _("行政许可事项的材料、要件与时限")
    )
    parties = Link(_("市场主体与个人"), reverse("portal:parties"), _("按权限范围查看当事人"))
    org = Link(_("组织机构"), reverse("portal:org"), _("部门、科室、岗位AB角与网格"))
    grids = Link(_("网格与网格员"), reverse("portal:org") + "#grids", _("网格、网格员及电话"))
    journal = Link(_("审计日志"), reverse("portal:journal"), _("全部状态变更，哈希链防篡改"))
    api_docs = Link(_("API 文档"), reverse("api:openapi-view"), _("OpenAPI 接口说明"))
    own_department = (
        Link(
            _("本部门事项"),
            _catalog(department=scope.department_id),
            _("本部门实施的权力事项"),
        )
        if scope.department_id
        else catalog
    )
    # Approvals (issue 3): the window, the review queue, the head's page, the applicant portal.
    window = Link(_("综合窗口"), reverse("approvals:window"), _("收件、核对材料、一次性告知与受理"))
    window_new = Link(
        _("窗口新申请"), reverse("approvals:window-new"), _("查找申请人和审批事项，现场收件")
    )
    review = Link(
        _("审查决定"), reverse("approvals:review"), _("我负责的申请及其法定、承诺办结期限")
    )
    head = Link(
        _("局领导审批"),
        reverse("approvals:head"),
        _("延长期限、从严审查、预警超期与待撤销许可"),
    )
    my_applications = Link(
        _("我的申请"), reverse("apply:home"), _("办理进度、一次性告知、补交材料与许可证下载")
    )
    apply_online = Link(
        _("在线申请"), reverse("apply:catalogue"), _("选择审批事项，上传材料，选择办理路径")
    )
    # Verification (issue 4): the squad inbox of pushes, tasks, double-random draws.
    pushes = Link(_("批后推送签收"), reverse("verification:inbox"), _("本中队待签收的审批结果推送"))
    checks = Link(
        _("批后核查任务"), reverse("verification:tasks"), _("核查、责令整改、复查与撤销许可")
    )
    draws = Link(_("双随机抽查"), reverse("verification:draws"), _("抽取对象与执法人员，复现校验"))
    # Enforcement (issue 5): cases, the legal section's desk, officers' phone pages.
    cases = Link(_("执法案件"), reverse("enforcement:cases"), _("立案、调查、告知、决定与执行"))
    procedures = Link(
        _("执法程序"), reverse("enforcement:procedures"), _("按执法类别合并的固定程序")
    )
    legal_queue = Link(_("法制审核"), reverse("enforcement:legal_queue"), _("待审核的重大执法决定"))
    legal_live = Link(
        _("现场执法监督"), reverse("enforcement:legal_live"), _("跟踪、指导外勤执法人员")
    )
    field = Link(_("外勤任务"), reverse("enforcement:field_tasks"), _("手机端现场检查与取证"))
    # Issue 6: the command centre, efficiency oversight, department supervision, grid events.
    command = Link(
        _("指挥中心大屏"), reverse("command:centre"), _("受理办结、按时率、核查与执法全景")
    )
    oversight = Link(
        _("效能监察"), reverse("oversight:home"), _("时限预警、超期督办、效能问责与绩效报表")
    )
    supervision = Link(
        _("部门监管"), reverse("supervision:feed"), _("实时查看本领域审批行为并提出异议")
    )
    grid_events = Link(_("网格事件"), reverse("grid:home"), _("上报隐患与诉求，分派、办结与反馈"))
    admin_links = []
    if scope.user is not None and scope.user.is_staff:
        admin_links.append(
            Link(_("管理后台"), reverse("admin:index"), _("维护组织、清单、当事人和节假日"))
        )
    return {
        Role.WINDOW_CLERK: (
            _("在服务窗口受理申请：查阅事项的材料清单、要件与时限，核对申请人的主体信息。"),
            [window, window_new, licensing, parties, org, oversight],
        ),
        Role.APPROVAL_OFFICER: (
            _("审查与决定审批事项：依据事项的审批分类、法定与承诺时限和责任清单办理。"),
            [
                review,
                oversight,
                licensing,
                Link(
                    _("控制类事项"),
                    _catalog(approval_class="controlled"),
                    _("不容缺、须现场核查的事项"),
                ),
                parties,
                org,
            ],
        ),
        Role.BUREAU_HEAD: (
            _("掌握全局：组织与AB角配备、权力与责任清单，以及全部操作的审计日志。"),
            [head, command, oversight, supervision, review, checks, draws, cases, journal, org],
        ),
        Role.ENFORCEMENT_OFFICER: (
            _("在责任网格内执法：查阅执法事项及其阶段责任，查看辖区网格内的当事人。"),
            [
                field,
                pushes,
                checks,
                cases,
                grid_events,
                oversight,
                procedures,
                Link(_("行政处罚事项"), _catalog(kind="penalty"), _("处罚事项的依据与阶段责任")),
                parties,
            ],
        ),
        Role.LEGAL_REVIEWER: (
            _("对重大执法决定进行法制审核：查阅执法事项的法律依据和阶段责任。"),
            [
                legal_queue,
                legal_live,
                cases,
                checks,
                draws,
                Link(_("行政强制事项"), _catalog(kind="coercion"), _("强制措施的依据与责任")),
            ],
        ),
        Role.DEPARTMENT_SUPERVISOR: (
            _("业务主管部门跟踪本部门事项的审批与执法，查看全区当事人。"),
            [supervision, own_department, parties, org],
        ),
        Role.COMMAND_CENTRE: (
            _("信息指挥中心：全部记录自动归档，查看审计日志与网格分布。"),
            [command, oversight, grid_events, journal, cases, pushes, checks, grids],
        ),
        Role.GRID_WORKER: (
            _("负责本网格：查看网格内的企业与个人（身份号码按权限遮蔽显示）。"),
            [
                grid_events,
                Link(_("本网格当事人"), reverse("portal:parties"), _("所负责网格内的当事人")),
                grids,
                catalog,
            ],
        ),
        Role.APPLICANT: (
            _("查询办事指南：事项所需材料、时限和责任部门；查看本账号关联的主体。"),
            [
                my_applications,
                apply_online,
                Link(_("办事指南"), _catalog(kind="licensing"), _("行政许可事项的材料与时限")),
                catalog,
            ],
        ),
        Role.ADMINISTRATOR: (
            _("维护组织、清单、当事人与节假日，签发 API 令牌，核对审计日志。"),
            [*admin_links, journal, org, api_docs],
        ),
    }


def cards_for(scope: Scope) -> list[Card]:
    """Cards in the order of ``Role``, one for each role the user holds."""
    table = _links(scope)
    return [
        Card(role.value, role.label, *table[role]) for role in Role if role.value in scope.roles
    ]
