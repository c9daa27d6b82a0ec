"""The rows of the permission matrix: who may see which kind of object, and, per API endpoint
and page, what each role gets. Written from DOMAIN.md and the scope rules in
docs/architecture.md ("404 outside scope, 403 visible but not changeable"), not read off the
code: a difference is either a hole to fix or a rule to write down here."""

from __future__ import annotations

from dataclasses import dataclass, field

CLERK, OFFICER, HEAD = "window_clerk", "approval_officer", "bureau_head"
ENF, LEGAL, SUP = "enforcement_officer", "legal_reviewer", "department_supervisor"
CMD, GRID, APPLICANT = "command_centre", "grid_worker", "applicant"
ANON, MACHINE = "anonymous", "machine_client"

STAFF = {CLERK, OFFICER, HEAD, ENF, LEGAL, SUP, CMD, GRID, MACHINE}
ZONE_WIDE = {CLERK, OFFICER, HEAD, LEGAL, SUP, CMD, MACHINE}  # the machine acts as a supervisor
APPROVAL_STAFF = {CLERK, OFFICER, HEAD}
APPROVAL_WATCHERS = {SUP, CMD, MACHINE}
LICENCE_READERS = APPROVAL_STAFF | APPROVAL_WATCHERS | {ENF, LEGAL}
ENF_OVERSEERS = {LEGAL, HEAD}  # see and act on every squad's work (within their powers)
ENF_WATCHERS = {CMD}  # see everything, change nothing
VERIFICATION_ALL = {LEGAL, HEAD, CMD}


def _sees(kind: str, role: str, rel: str) -> bool:
    """May ``role`` (a side-A login) see the ``rel`` ("own"/"other") object of ``kind``?"""
    own = rel == "own"
    if kind in ("public", "missing_public"):
        return True
    if role == ANON:
        return False
    if kind in ("party", "contact", "address"):
        return role in ZONE_WIDE or (own and role in {ENF, GRID, APPLICANT})
    if kind == "application":
        return role in APPROVAL_STAFF | APPROVAL_WATCHERS or (own and role == APPLICANT)
    if kind == "licence":
        return role in LICENCE_READERS or (own and role == APPLICANT)
    if kind in ("case", "lead", "inspection", "evidence", "document"):
        return role in ENF_OVERSEERS | ENF_WATCHERS or (own and role == ENF)
    if kind == "org":
        return role in STAFF
    if kind in ("grid_event", "grid_photo"):
        # zone-wide staff read every event; a grid worker their grid's; the receiving squad
        # (each world event is routed to its grid's squad) its own
        return role in ZONE_WIDE or (own and role in {GRID, ENF})
    if kind == "objection":
        # bureau heads decide and the command centre reads every objection; a department's
        # supervisors see their department's (the machine client is department 2's system)
        return role in {HEAD, CMD} or (own and role == SUP) or (not own and role == MACHINE)
    if kind == "accountability":
        # bureau heads and the command centre read every record; staff their own
        return role in {HEAD, CMD} or (own and role == ENF)
    if kind == "missing":
        return False
    raise KeyError(kind)


def _changes(kind: str, role: str, rel: str) -> bool:
    """May ``role`` act on the object at all (a service may still refuse a step: 400/403/409)."""
    own = rel == "own"
    if role in (ANON,):
        return False
    if kind == "party":
        return role == CLERK or (own and role == APPLICANT)
    if kind in ("contact", "address"):
        return role == CLERK or (own and role == APPLICANT)
    if kind == "application":
        return role in APPROVAL_STAFF or (own and role == APPLICANT)
    if kind == "licence":
        return role in {OFFICER, HEAD} or (own and role == APPLICANT)
    if kind in ("case", "lead", "inspection", "evidence", "document"):
        return role in ENF_OVERSEERS or (own and role == ENF)
    if kind == "objection":
        return role == HEAD or (own and role == SUP) or (not own and role == MACHINE)
    if kind == "accountability":
        # the bureau head reviews and decides appeals; the staff member appeals
        return role == HEAD or (own and role == ENF)
    if kind == "grid_event":
        # the command centre dispatches every event; the receiver and the reporting grid's
        # worker act on their own
        return role == CMD or (own and role in {GRID, ENF})
    return False


@dataclass(frozen=True)
class Expect:
    """``codes``: the statuses that pass; ``allowed``: the caller may act (the service may still
    refuse the step: only a 401 or a 5xx fails); ``empty_ok``: a 200 passes too when it lists
    nothing (a scoped list shows the caller no rows instead of refusing)."""

    codes: frozenset[int] = frozenset()
    allowed: bool = False
    empty_ok: bool = False
    note: str = ""

    def check(self, status: int, body=None) -> bool:
        if status >= 500:
            return False
        if self.allowed:
            return status != 401
        if status == 200 and self.empty_ok:
            return _is_empty(body)
        return status in self.codes


def _is_empty(body) -> bool:
    if isinstance(body, dict):
        if "items" in body:
            return not body["items"]
        if body.get("type") == "FeatureCollection":
            return not body.get("features")
        return False
    return isinstance(body, list) and not body


def codes(*c: int, note: str = "") -> Expect:
    return Expect(codes=frozenset(c), note=note)


ALLOW = Expect(allowed=True)
DENIED = codes(403, 404)
# a create refused: nothing is made. Input checks may answer before the role check (400/422):
# there is no object whose existence could show.
CREATE_DENIED = codes(400, 403, 404, 409, 422, note="refused, nothing created")
SCOPED_EMPTY = Expect(codes=frozenset({403, 404}), empty_ok=True)
OK = codes(200)
NOT_FOUND = codes(404)
FORBIDDEN = codes(403)
UNAUTH = codes(401)


@dataclass(frozen=True)
class Rule:
    """One endpoint's row. ``kind``: the object in its path (None for collections); ``read``:
    who may read a collection (None = every authenticated caller, the list is scoped);
    ``act``: who may post to a collection; ``public``: no login needed."""

    kind: str | None = None
    mode: str = "read"  # read | act | create
    roles: frozenset[str] | None = None
    public: bool = False
    list_kind: str | None = None  # for lists: the kind whose own/other ids we look for
    extra: dict = field(default_factory=dict)  # role -> Expect overrides

    def expect(self, role: str, rel: str) -> Expect:
        if role in self.extra:
            return self.extra[role]
        if role == ANON and not self.public:
            return UNAUTH
        kind = self.kind
        if self.mode == "read":
            if kind is None:
                if self.public or self.roles is None or role in self.roles:
                    return OK
                return SCOPED_EMPTY
            if self.public:
                return OK if kind != "missing_public" else NOT_FOUND
            if kind == "missing":
                return codes(403, 404)
            sees = _sees(kind, role, rel)
            if self.roles is not None and role not in self.roles:
                return DENIED if not sees else FORBIDDEN
            if sees:
                return OK
            # outside the caller's scope: 404. A role that sees no object of the kind at all
            # may be stopped by a role gate first (403 for every id, so it tells nothing).
            if not (_sees(kind, role, "own") or _sees(kind, role, "other")):
                return DENIED
            return NOT_FOUND
        if self.mode == "create":
            if self.roles is not None and role in self.roles:
                return ALLOW
            return CREATE_DENIED if self.roles is not None else ALLOW
        # act on an object
        if kind == "missing":
            return codes(403, 404)
        sees, acts = _sees(kind, role, rel), _changes(kind, role, rel)
        if self.roles is not None:
            acts = acts and role in self.roles
        if acts:
            return ALLOW
        if not sees:
            # the object's existence must not show: 404; a role-gate before the lookup (403)
            # answers the same for every id, so it tells nothing either
            return DENIED
        return FORBIDDEN


def pub(kind=None):
    return Rule(kind=kind, public=True)


def read(kind=None, roles=None, list_kind=None, **extra):
    return Rule(
        kind=kind, roles=frozenset(roles) if roles else None, list_kind=list_kind, extra=extra
    )


def act(kind, roles=None, **extra):
    return Rule(kind=kind, mode="act", roles=frozenset(roles) if roles else None, extra=extra)


def create(roles, **extra):
    return Rule(mode="create", roles=frozenset(roles), extra=extra)


# --- the API -------------------------------------------------------------------------------
# The kind of object an endpoint addresses follows from its last path parameter.
PARAM_KINDS = {
    "party_id": "party",
    "contact_id": "contact",
    "address_id": "address",
    "application_id": "application",
    "licence_id": "licence",
    "case_id": "case",
    "lead_id": "lead",
    "inspection_id": "inspection",
    "evidence_id": "evidence",
    "document_id": "document",
    "department_id": "org",
    "event_id": "grid_event",
    "photo_id": "grid_photo",
    "objection_id": "objection",
    "record_id": "accountability",
    "alert_id": "missing",
    "section_id": "org",
    "staff_id": "org",
    "post_id": "org",
    "grid_id": "org",
}
E = Expect
ENF_STAFF = ENF_OVERSEERS | ENF_WATCHERS | {ENF}

API: dict[str, Rule] = {
    # core
    "GET /api/core/me": read(),
    "GET /api/core/deadline": read(),
    "GET /api/core/journal": read(roles={HEAD, CMD}),
    # org: every staff member reads the organisation
    "GET /api/org/departments": read(roles=STAFF),
    "GET /api/org/departments/{department_id}": read(),
    "GET /api/org/sections": read(roles=STAFF),
    "GET /api/org/sections/{section_id}": read(),
    "GET /api/org/staff": read(roles=STAFF),
    "GET /api/org/staff/{staff_id}": read(),
    "GET /api/org/posts": read(roles=STAFF),
    "GET /api/org/posts/{post_id}": read(),
    "GET /api/org/grids": read(roles=STAFF),
    "GET /api/org/grids/{grid_id}": read(),
    "GET /api/org/grids.geojson": read(roles=STAFF),
    # catalogue: published
    "GET /api/catalog/powers": pub(),
    "GET /api/catalog/powers/{code}": pub("public"),
    "GET /api/catalog/powers/{code}/versions": pub("public"),
    "GET /api/catalog/responsibilities": pub(),
    # parties
    "GET /api/parties": read(list_kind="party"),
    "GET /api/parties/{party_id}": read(),
    "PATCH /api/parties/{party_id}": act("party"),
    "POST /api/parties/enterprises": create({CLERK, APPLICANT}),
    "POST /api/parties/individuals": create({CLERK, APPLICANT}),
    "GET /api/parties/{party_id}/contacts": read("party"),
    "POST /api/parties/{party_id}/contacts": act("party"),
    "PATCH /api/parties/{party_id}/contacts/{contact_id}": act("contact"),
    "DELETE /api/parties/{party_id}/contacts/{contact_id}": act("contact"),
    "GET /api/parties/{party_id}/addresses": read("party"),
    "POST /api/parties/{party_id}/addresses": act("party"),
    "PATCH /api/parties/{party_id}/addresses/{address_id}": act("address"),
    "DELETE /api/parties/{party_id}/addresses/{address_id}": act("address"),
    # approvals: applications
    "GET /api/approvals/applications": read(list_kind="application"),
    "POST /api/approvals/applications": create({CLERK, APPLICANT, OFFICER, HEAD}),
    "GET /api/approvals/applications/{application_id}": read(),
    "GET /api/approvals/applications/{application_id}/checklist": read(),
    "GET /api/approvals/applications/{application_id}/routes": read(),
    "GET /api/approvals/applications/{application_id}/materials/{material_id}/file": read(
        "application"
    ),
    # no deficiency notice exists in the world: 404 for every role (and no 5xx)
    "GET /api/approvals/applications/{application_id}/notice/pdf": read("missing"),
    "GET /api/approvals/applications/{application_id}/commitments/{kind}/pdf": read("application"),
    "GET /api/approvals/receipts/{receipt_id}/pdf": read("missing"),
    "GET /api/approvals/warnings": read(roles=APPROVAL_STAFF | APPROVAL_WATCHERS),
    "GET /api/approvals/policies": read(roles=STAFF),
    # the route policy in force is shown to applicants choosing a route in the portal
    "GET /api/approvals/policies/current": read(roles=STAFF | {APPLICANT}),
    "POST /api/approvals/sweep": create(set()),  # administrators only
    # approvals: licences
    "GET /api/approvals/licences": read(list_kind="licence"),
    "GET /api/approvals/licences/{licence_id}": read(),
    "GET /api/approvals/licences/{licence_id}/pdf": read(),
    "GET /api/approvals/licences/{licence_id}/renewals": read(),
    # the holder applies, or the window clerk for the holder at the counter
    "POST /api/approvals/licences/{licence_id}/renewals": act("licence", **{CLERK: ALLOW}),
    "POST /api/approvals/renewals/{renewal_id}/decision": act("missing"),
    "POST /api/approvals/licences/{licence_id}/cancel": act("licence"),
    "POST /api/approvals/licences/{licence_id}/revoke": act("licence"),
    "POST /api/approvals/licences/{licence_id}/revocation": act("licence"),
    "GET /api/approvals/verify/{verification_number}": pub("public"),
    # credit
    "GET /api/credit/public": pub(),
    "GET /api/credit/parties/{party_id}": read(),
    "GET /api/credit/lists": read(roles=STAFF),
    "GET /api/credit/repairs": read(),
    "POST /api/credit/repairs": create({APPLICANT, CLERK}),
    "GET /api/credit/repairs/{repair_id}": read("missing"),
    "POST /api/credit/repairs/{repair_id}/decision": act("missing"),
    # the body says source "approval": approval staff record such events (credit/services.py
    # SOURCE_ROLES); court and manual entries need a head or legal reviewer
    "POST /api/credit/events": create({CLERK, OFFICER, HEAD}),
    # enforcement: discretion and procedures are published
    "GET /api/enforcement/discretion/tables": pub(),
    "GET /api/enforcement/discretion/tables/{table_id}": pub("missing_public"),
    "GET /api/enforcement/discretion/benchmarks": pub(),
    "GET /api/enforcement/discretion/benchmarks/{benchmark_id}": pub("missing_public"),
    "GET /api/enforcement/discretion/no-penalty-rules": pub(),
    "POST /api/enforcement/discretion/benchmarks/{benchmark_id}/calculate": act("missing"),
    "POST /api/enforcement/discretion/calculate": create(ENF_STAFF),
    "GET /api/enforcement/procedures": pub(),
    "GET /api/enforcement/procedures/{code}": pub("missing_public"),
    # enforcement: cases
    "GET /api/enforcement/cases": read(list_kind="case"),
    "GET /api/enforcement/cases/{case_id}": read(),
    "GET /api/enforcement/documents/{document_id}.pdf": read(),
    "GET /api/enforcement/policy": read(roles=STAFF),
    "GET /api/enforcement/leads": read(list_kind="lead"),
    "POST /api/enforcement/leads": create(ENF_OVERSEERS | {ENF}),
    "GET /api/enforcement/leads/{lead_id}": read(),
    "POST /api/enforcement/leads/{lead_id}/assign": act("lead"),
    "POST /api/enforcement/leads/{lead_id}/dismiss": act("lead"),
    "POST /api/enforcement/leads/{lead_id}/open": act("lead"),
    "POST /api/enforcement/cases/simple": create(ENF_OVERSEERS | {ENF}),
    "GET /api/enforcement/inspections": read(list_kind="inspection"),
    "POST /api/enforcement/inspections": create(ENF_OVERSEERS | {ENF}),
    "GET /api/enforcement/inspections/{inspection_id}": read(),
    "POST /api/enforcement/rectifications/{order_id}/recheck": act("missing"),
    "GET /api/enforcement/evidence/{evidence_id}": read(),
    "GET /api/enforcement/measures": read(),
    "POST /api/enforcement/measures": create(ENF_OVERSEERS | {ENF}),
    "GET /api/enforcement/measures/{measure_id}": read("missing"),
    "POST /api/enforcement/measures/emergency": create(ENF_OVERSEERS | {ENF}),
    "GET /api/enforcement/legal/queue": read(roles=ENF_OVERSEERS),
    "GET /api/enforcement/legal/open-steps": read(roles=ENF_STAFF),  # scoped by squad
    "GET /api/enforcement/legal/alerts": read(),
    "POST /api/enforcement/legal/alerts/{alert_id}/acknowledgement": act("missing"),
    "GET /api/enforcement/legal/guidance": read(),
    "POST /api/enforcement/legal/guidance": create({LEGAL, HEAD}),
    "POST /api/enforcement/legal/guidance/{guidance_id}/read": act("missing"),
    "GET /api/enforcement/publications": pub(),
    "POST /api/enforcement/publications/{publication_id}/withdrawal": act("missing"),
    # verification (random checks): no objects in the world yet, so only the missing-id rows
    "GET /api/verification/pool": read(roles=VERIFICATION_ALL | {ENF}),
    "GET /api/verification/draws": read(),
    "POST /api/verification/draws": create({HEAD, LEGAL}),
    "GET /api/verification/draws/{draw_id}": read("missing"),
    "GET /api/verification/draws/{draw_id}/replay": read("missing"),
    "GET /api/verification/recusals": read(),
    "POST /api/verification/recusals": create({HEAD, LEGAL}),
    "DELETE /api/verification/recusals/{recusal_id}": act("missing"),
    "GET /api/verification/policy": read(roles=STAFF),
    "GET /api/verification/public/draws": pub(),
    "GET /api/verification/public/draws/{number}": pub("missing_public"),
    "GET /api/verification/pushes": read(),
    "GET /api/verification/pushes/{push_id}": read("missing"),
    "POST /api/verification/pushes/{push_id}/acknowledge": act("missing"),
    "POST /api/verification/pushes/{push_id}/assign": act("missing"),
    "GET /api/verification/tasks": read(),
    "GET /api/verification/tasks/{task_id}": read("missing"),
    "POST /api/verification/tasks/{task_id}/findings": act("missing"),
    "POST /api/verification/findings/{finding_id}/sign": act("missing"),
    "POST /api/verification/tasks/{task_id}/revoke": act("missing"),
    "GET /api/verification/leads": read(),
    "GET /api/verification/leads/{lead_id}": read("missing"),
}

# Every step on an application or a case is an action on that object.
for _step in (
    "materials/{material_id}/file",
    "materials/{material_id}/state",
    "submit",
    "notice",
    "resubmit",
    "accept",
    "refuse-intake",
    "redirect",
    "not-required",
    "withdraw",
    "route",
    "tolerance",
    "commitment/sign",
    "commitment/scan",
    "commitment/withdraw",
    "supplements/{material_id}",
    "review/start",
    "reviews",
    "suspend",
    "resume",
    "extend",
    "approve",
    "refuse",
    "licence",
):
    API[f"POST /api/approvals/applications/{{application_id}}/{_step}"] = act("application")
for _step in (
    "investigation",
    "evidence",
    "officers",
    "recusals",
    "proposal",
    "proposal/revision",
    "notice",
    "statements",
    "waiver",
    "hearing/request",
    "hearing/schedule",
    "hearing/record",
    "review",
    "review/resubmission",
    "review/opinion",
    "extension",
    "decision",
    "service",
    "payment",
    "demand",
    "court-application",
    "execution",
    "annulment",
    "transfer",
    "termination",
):
    API[f"POST /api/enforcement/cases/{{case_id}}/{_step}"] = act("case")
for _step in (
    "start",
    "answers",
    "evidence",
    "result",
    "signature",
    "reopen",
    "officers",
    "cancellation",
):
    API[f"POST /api/enforcement/inspections/{{inspection_id}}/{_step}"] = act("inspection")
for _step in (
    "approval",
    "refusal",
    "report",
    "ratification",
    "extension",
    "release",
    "evidence",
):
    API[f"POST /api/enforcement/measures/{{measure_id}}/{_step}"] = act("missing")

# The command centre: zone-wide figures for the command centre and bureau heads only
# (docs/command-centre.md); everyone else is refused at the door.
COMMAND = {HEAD, CMD}
for _figure in (
    "intake",
    "on_time",
    "time_to_decision",
    "routes",
    "verification",
    "findings",
    "enforcement_stages",
    "fines",
    "credit_tiers",
    "overdue_heatmap",
    "feed",
):
    API[f"GET /api/command/{_figure}"] = read(roles=COMMAND)

# Grid events (DOMAIN.md §10): grid workers report and confirm, receivers accept and close,
# the command centre dispatches; zone-wide staff read.
API["GET /api/grid/events"] = read(list_kind="grid_event")
API["POST /api/grid/events"] = create({GRID})
API["GET /api/grid/events/{event_id}"] = read()
for _step in ("accept", "close", "return", "recall", "dispatch", "route", "confirm", "reopen"):
    API[f"POST /api/grid/events/{{event_id}}/{_step}"] = act("grid_event")
API["GET /api/grid/photos/{photo_id}"] = read()
API["GET /api/grid/policy"] = read(roles=STAFF)
API["GET /api/grid/proxy-filings"] = read()
API["POST /api/grid/proxy-filings"] = create({GRID})

# Department supervision: supervisors watch their department's domain and raise objections;
# bureau heads decide them; the command centre reads.
SUPERVISION = {SUP, HEAD, CMD, MACHINE}
API["GET /api/supervision/feed"] = read(roles=SUPERVISION)
API["GET /api/supervision/objections"] = read(roles=SUPERVISION, list_kind="objection")
API["POST /api/supervision/objections"] = create({SUP, MACHINE})
API["GET /api/supervision/objections/{objection_id}"] = read()
for _step in ("start-review", "uphold", "reject", "withdraw"):
    API[f"POST /api/supervision/objections/{{objection_id}}/{_step}"] = act("objection")

# Oversight (效能监察): alerts for the responsible staff and their heads, accountability
# records reviewed by bureau heads and appealed by the staff member; the world has no alert
# (nothing is overdue on its day), so alert ids are unknown ids.
API["GET /api/oversight/alerts"] = read(roles=STAFF)
API["GET /api/oversight/alerts/{alert_id}"] = read("missing")
API["GET /api/oversight/accountability"] = read(roles=STAFF, list_kind="accountability")
API["POST /api/oversight/accountability"] = create({HEAD})
API["GET /api/oversight/accountability/{record_id}"] = read()
for _step in ("review", "appeal", "appeal-decision"):
    API[f"POST /api/oversight/accountability/{{record_id}}/{_step}"] = act("accountability")
API["GET /api/oversight/policy"] = read(roles=STAFF)
API["POST /api/oversight/sweep"] = create(set())
API["GET /api/oversight/reports/monthly"] = read(roles={HEAD, CMD})
API["GET /api/oversight/reports/monthly.xlsx"] = read(roles={HEAD, CMD})

PENDING_API_PREFIXES: tuple[str, ...] = ()
PENDING_PAGE_PREFIXES: tuple[str, ...] = ()


# --- the pages -----------------------------------------------------------------------------
# name -> (rule, how to fill the URL's arguments: world parameter name or a literal in "=...")
# The same Rule reads for pages; anonymous callers of staff pages are sent to the login page.
AP = "application_id"
WINDOW = {CLERK}
ALL_ROLES = {CLERK, OFFICER, HEAD, ENF, LEGAL, SUP, CMD, GRID, APPLICANT, ANON, MACHINE}
PAGES: dict[str, tuple[Rule, dict[str, str]]] = {
    "home": (pub(), {}),
    "healthz": (pub(), {}),
    "login": (pub(), {}),
    "approvals:window": (read(roles=WINDOW), {}),
    "approvals:window-new": (read(roles=WINDOW), {}),
    "approvals:intake": (read("application", roles=WINDOW), {"pk": AP}),
    "approvals:intake-action": (act("application", roles=WINDOW), {"pk": AP, "action": "=accept"}),
    "approvals:intake-material": (
        act("application", roles=WINDOW),
        {"pk": AP, "material_id": "material_id", "op": "=upload"},
    ),
    "approvals:review": (read(roles={OFFICER, HEAD}), {}),
    "approvals:review-detail": (read("application", roles={OFFICER, HEAD}), {"pk": AP}),
    "approvals:review-action": (
        act("application", roles={OFFICER, HEAD}),
        {"pk": AP, "action": "=approve"},
    ),
    "approvals:head": (read(roles={HEAD}), {}),
    "approvals:head-extend": (act("application", roles={HEAD}), {"pk": AP}),
    "approvals:head-revoke": (act("licence", roles={HEAD}), {"licence_id": "licence_id"}),
    "approvals:notice": (read("missing"), {"pk": AP}),  # no notice in the world
    "approvals:notice-pdf": (read("missing"), {"pk": AP}),
    "approvals:receipt": (read("missing"), {"receipt_id": "=999999"}),
    "approvals:receipt-pdf": (read("missing"), {"receipt_id": "=999999"}),
    "approvals:commitment": (read("application"), {"pk": AP, "kind": "=notification"}),
    "approvals:commitment-pdf": (read("application"), {"pk": AP, "kind": "=notification"}),
    "approvals:licence-pdf": (read("licence"), {"licence_id": "licence_id"}),
    "approvals:material-file": (read("application"), {"pk": AP, "material_id": "material_id"}),
    "credit:archive": (read("party"), {"pk": "party_id"}),
    # a plain redirect to the case list (which does the checking)
    "enforcement:index": (Rule(public=True, extra={r: codes(302) for r in ALL_ROLES}), {}),
    "enforcement:procedures": (pub(), {}),  # published, like the API
    "enforcement:cases": (read(roles=ENF_STAFF), {}),
    "enforcement:case": (read("case"), {"pk": "case_id"}),
    "enforcement:document": (read("document"), {"pk": "document_id"}),
    "enforcement:evidence": (read("evidence"), {"pk": "evidence_id"}),
    "enforcement:legal_queue": (read(roles=ENF_OVERSEERS | ENF_WATCHERS), {}),
    "enforcement:legal_review": (
        read("case", roles=ENF_OVERSEERS | ENF_WATCHERS),
        {"pk": "case_id"},
    ),
    "enforcement:legal_live": (read(roles=ENF_OVERSEERS | ENF_WATCHERS), {}),
    "enforcement:legal_alerts": (read(roles=ENF_OVERSEERS | ENF_WATCHERS), {}),
    "enforcement:legal_guidance": (read(roles=ENF_OVERSEERS | ENF_WATCHERS), {}),
    # the field app is the officers' (others read inspections on the API and case pages)
    "enforcement:field_tasks": (read(roles={ENF}), {}),
    "enforcement:field_inspection": (read("inspection", roles={ENF}), {"pk": "inspection_id"}),
    "enforcement:field_sw": (pub(), {}),
    "enforcement:field_offline": (pub(), {}),
    # verification pages open to staff; their lists are scoped (nothing outside the squad)
    "verification:inbox": (read(roles=STAFF), {}),
    "verification:acknowledge": (act("missing"), {"pk": "=999999"}),
    "verification:tasks": (read(roles=STAFF), {}),
    "verification:task": (read("missing"), {"pk": "=999999"}),
    "verification:draws": (read(roles=STAFF), {}),
    "verification:draw_new": (read(roles={HEAD, LEGAL}), {}),
    "verification:draw": (read("missing"), {"pk": "=999999"}),
    "approvals-verify": (pub("public"), {"number": "verification_number"}),
    "apply:home": (read(roles={APPLICANT}), {}),
    # registration: the public; a logged-in caller is sent to the portal home
    "apply:register": (
        Rule(public=True, extra=dict.fromkeys(STAFF | {APPLICANT}, codes(200, 302))),
        {},
    ),
    # the applicant portal: the public and applicants; staff use the window pages
    "apply:catalogue": (read(roles={APPLICANT}), {}),
    "apply:new": (read(roles={APPLICANT}), {"code": "approval_code"}),
    "apply:detail": (read("application", roles={APPLICANT}), {"pk": AP}),
    "apply:upload": (
        act("application", roles={APPLICANT}),
        {"pk": AP, "material_id": "material_id"},
    ),
    "apply:action": (act("application", roles={APPLICANT}), {"pk": AP, "action": "=submit"}),
    "credit_lookup": (pub(), {}),
    "enforcement_publicity": (pub(), {}),
    "verification_public_draws": (pub(), {}),
    "verification_public_draw": (pub("missing_public"), {"pk": "=999999"}),
    "portal:catalog": (pub(), {}),
    "portal:power": (pub("public"), {"code": "code"}),
    "portal:org": (read(roles=STAFF), {}),
    "portal:parties": (read(roles=STAFF), {}),
    "portal:party": (read("party", roles=STAFF), {"pk": "party_id"}),
    "portal:journal": (read(roles={HEAD, CMD}), {}),
    "command:centre": (read(roles={HEAD, CMD}), {}),
    "grid:home": (read(roles=STAFF), {}),
    "oversight:home": (read(roles=STAFF), {}),
    "oversight:record": (read("accountability"), {"pk": "record_id"}),
    "oversight:record-action": (
        act("accountability"),
        {"pk": "record_id", "action": "=confirm"},
    ),
    "oversight:propose": (act("missing"), {"alert_id": "=999999"}),
    "oversight:report": (read(roles={HEAD, CMD}), {}),
    "supervision:feed": (read(roles=SUPERVISION), {}),
    "supervision:poll": (read(roles=SUPERVISION), {}),
    "supervision:application": (read("application", roles=SUPERVISION), {"pk": AP}),
    # a supervisor objects to any application of the department's domain (both world
    # applications are of an item both departments supervise)
    "supervision:raise": (act("application", roles={SUP}, **{SUP: ALLOW}), {"pk": AP}),
    "supervision:objections": (read(roles=SUPERVISION), {}),
    "supervision:objection": (read("objection"), {"pk": "objection_id"}),
    "supervision:objection-action": (
        act("objection"),
        {"pk": "objection_id", "action": "=withdraw"},
    ),
    "grid:report": (read(roles={GRID}), {}),
    "grid:event": (read("grid_event"), {"pk": "event_id"}),
    "grid:photo": (read("grid_photo"), {"pk": "photo_id"}),
    "grid:proxy": (read(roles={GRID}), {}),
    "command:records": (read(roles={HEAD, CMD}), {"kind": "=applications"}),
}
# Pages that are not about permissions (language switch, logout): no row needed.
PAGES_WITHOUT_ROWS = {"set_language", "logout"}

# Request bodies the schema cannot tell (a free-text field the service checks against a list):
# merged over the sample built from the OpenAPI schema.
BODIES: dict[str, dict] = {
    "POST /api/enforcement/cases/{case_id}/review/opinion": {"opinion": "approve"},
    "POST /api/approvals/applications/{application_id}/reviews": {"conclusion": "approve"},
    "POST /api/approvals/licences/{licence_id}/revoke": {"reason": "权限矩阵测试"},
    "POST /api/credit/events": {"source": "approval"},
    "POST /api/credit/repairs/{repair_id}/decision": {"approve": False, "opinion": "权限矩阵测试"},
    # multipart form fields
    "POST /api/enforcement/cases/{case_id}/evidence": {"officer_ids": "1,2"},
}
