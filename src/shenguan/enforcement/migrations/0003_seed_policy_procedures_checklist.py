"""Seed the data the enforcement app needs to work: version 1 of the enforcement policy (the
DOMAIN.md §6 and §8 defaults, effective from 2000-01-01 so every case finds a version), the four
fixed procedures (one per enforcement class, with the article of each step) and the default
inspection checklist. Kept literal (not imported) so the migration never changes with the code;
administrators publish new policy versions and checklists through the admin."""

import datetime as dt

from django.db import migrations

PROCEDURES = [{'code': 'inspection',
  'name': '行政检查程序',
  'enforcement_class': 'inspection',
  'workflow': 'shenguan.enforcement.inspections.workflow',
  'description': '批后核查、双随机抽查、投诉举报、网格上报和计划检查，统一按检查单实施。',
  'steps': [{'key': 'task', 'label': '接受检查任务（来源：核查、抽查、投诉、网格、计划）'},
            {'key': 'start', 'label': '两名执法人员到场，出示执法证件', 'article': '行政处罚法第四十二条、第五十五条'},
            {'key': 'checklist', 'label': '按事项检查单逐项检查'},
            {'key': 'evidence', 'label': '取证：照片、文件，记录地点与时间', 'article': '行政处罚法第四十六条、第四十七条'},
            {'key': 'result', 'label': '记录检查结果'},
            {'key': 'sign', 'label': '两名执法人员分别签名', 'article': '行政处罚法第五十五条'},
            {'key': 'rectify', 'label': '责令限期改正，到期复查', 'article': '行政处罚法第二十八条'},
            {'key': 'lead', 'label': '发现违法行为的，移交立案'}]},
 {'code': 'levy',
  'name': '行政征收程序',
  'enforcement_class': 'levy',
  'workflow': '',
  'description': '依法核定征收数额，书面告知并送达征收决定，逾期加收滞纳金。',
  'steps': [{'key': 'assess', 'label': '核定征收对象与数额'},
            {'key': 'notice', 'label': '书面告知征收依据、数额和期限'},
            {'key': 'decision', 'label': '作出并送达征收决定'},
            {'key': 'payment', 'label': '缴纳'},
            {'key': 'late', 'label': '逾期加收滞纳金（不超过本金）、催告、申请强制执行', 'article': '行政强制法第四十五条、第五十四条'}]},
 {'code': 'penalty',
  'name': '行政处罚程序',
  'enforcement_class': 'penalty',
  'workflow': 'shenguan.enforcement.cases.workflow',
  'description': '简易程序（当场处罚）与普通程序（立案、调查、告知、听证、法制审核、决定、送达、执行）。',
  'steps': [{'key': 'simple',
             'label': '简易程序：当场处罚（个人200元、单位3000元以下罚款或警告）',
             'article': '行政处罚法第五十一条、第五十二条'},
            {'key': 'lead', 'label': '案件线索（核查、投诉、网格、检查）'},
            {'key': 'open', 'label': '立案（线索之日起15个工作日内）', 'article': '行政处罚法第五十四条'},
            {'key': 'investigate',
             'label': '调查取证（两名以上执法人员，回避）',
             'article': '行政处罚法第四十二条、第四十三条、第五十五条'},
            {'key': 'propose', 'label': '拟处罚意见（适用裁量基准）', 'article': '行政处罚法第三十四条'},
            {'key': 'notify', 'label': '告知事实、理由、依据及陈述、申辩、听证权利', 'article': '行政处罚法第四十四条'},
            {'key': 'statement', 'label': '陈述和申辩（不因申辩加重处罚）', 'article': '行政处罚法第四十五条'},
            {'key': 'hearing', 'label': '听证（告知后5日内申请，提前7日通知）', 'article': '行政处罚法第六十三条、第六十四条'},
            {'key': 'review', 'label': '法制审核（重大案件）', 'article': '行政处罚法第五十八条'},
            {'key': 'decide', 'label': '决定（立案之日起90日内，经批准可延长30日）', 'article': '行政处罚法第五十七条、第六十条'},
            {'key': 'serve', 'label': '送达（7日内）', 'article': '行政处罚法第六十一条'},
            {'key': 'pay', 'label': '缴纳罚款（15日内；逾期每日加处3%，不超过罚款数额）', 'article': '行政处罚法第六十七条、第七十二条'},
            {'key': 'enforce',
             'label': '催告，申请人民法院强制执行（期限届满之日起3个月内）',
             'article': '行政强制法第五十三条、第五十四条'},
            {'key': 'close', 'label': '结案归档', 'article': '行政处罚法第四十七条'}]},
 {'code': 'coercion',
  'name': '行政强制措施程序',
  'enforcement_class': 'coercion',
  'workflow': 'shenguan.enforcement.coercion.workflow',
  'description': '查封、扣押：报批、两人实施、制作决定书和清单；期限30日，可延长30日；期满或不再需要时解除。',
  'steps': [{'key': 'approve', 'label': '实施前报负责人批准', 'article': '行政强制法第十八条'},
            {'key': 'emergency', 'label': '情况紧急当场实施的，24小时内报告并补办批准', 'article': '行政强制法第十九条'},
            {'key': 'apply', 'label': '两名执法人员实施，通知当事人到场，告知理由依据和权利，制作现场笔录', 'article': '行政强制法第十八条'},
            {'key': 'decision', 'label': '当场交付查封、扣押决定书和清单', 'article': '行政强制法第二十四条'},
            {'key': 'term', 'label': '期限不超过30日；情况复杂的经批准延长不超过30日', 'article': '行政强制法第二十五条'},
            {'key': 'release', 'label': '处理决定或解除查封、扣押', 'article': '行政强制法第二十七条、第二十八条'}]}]

DEFAULT_CHECKLIST = [
    ("持有有效的许可证件并在经营场所显著位置公示", "行政许可法第八十一条", True),
    ("实际经营（生产）的场所、范围与许可内容一致", "行政许可法第八十一条", True),
    ("告知承诺事项已履行，容缺材料已按期补齐", "深圳经济特区社会信用条例第六十四条", True),
    ("现场条件符合相关标准和技术规范", "", True),
    ("相关台账、记录完整", "", False),
]


def seed(apps, schema_editor):
    Policy = apps.get_model("enforcement", "EnforcementPolicy")
    Procedure = apps.get_model("enforcement", "Procedure")
    Checklist = apps.get_model("enforcement", "Checklist")
    Entry = apps.get_model("enforcement", "ChecklistEntry")
    if not Policy.objects.exists():
        Policy.objects.create(
            version=1,
            effective_from=dt.date(2000, 1, 1),
            note="DOMAIN.md §6、§8 默认政策",
            review_grounds=[
                "large_fine",
                "large_confiscation",
                "revocation",
                "closure",
                "hearing_held",
                "public_interest",
                "complex",
            ],
        )
    for row in PROCEDURES:
        Procedure.objects.update_or_create(code=row["code"], defaults=row)
    checklist, created = Checklist.objects.get_or_create(
        code="default", defaults={"name": "通用现场检查单"}
    )
    if created:
        Entry.objects.bulk_create(
            [
                Entry(checklist=checklist, seq=n, text=text, basis=basis, requires_evidence=ev)
                for n, (text, basis, ev) in enumerate(DEFAULT_CHECKLIST, start=1)
            ]
        )


def unseed(apps, schema_editor):
    apps.get_model("enforcement", "Procedure").objects.filter(groups__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0002_cases_inspections_coercion_legal_publication")]

    operations = [migrations.RunPython(seed, unseed)]
