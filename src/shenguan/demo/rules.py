"""The documented rule that fills what the published Guang'an list lacks (class, limits,
materials) for the demo. Everything it fills is listed in ``PowerVersion.generated_fields`` and
shown as generated; see docs/demo-data.md. It is deliberately simple and deterministic: the
same item always gets the same values."""

from __future__ import annotations

from shenguan.catalog.choices import ApprovalClass

# Items touching life, health, property safety or high risk are controlled (no tolerance,
# no commitment route — 深圳经济特区社会信用条例 art 59 excludes them from commitment).
CONTROLLED_WORDS = (
    "危险",
    "化学",
    "药品",
    "医疗",
    "放射",
    "爆破",
    "烟花",
    "特种",
    "燃气",
    "采矿",
    "矿产",
    "消防",
    "血",
    "母婴",
    "疫苗",
    "传染",
    "枪",
    "民用爆炸",
    "剧毒",
    "核",
    "食品生产",
)
# Items for market entry and routine business are encouraged (tolerance, commitment).
ENCOURAGED_WORDS = (
    "设立",
    "登记",
    "变更",
    "注销",
    "备案",
    "广告",
    "招牌",
    "名称",
    "补办",
    "换发",
    "延续",
    "证明",
    "年检",
)

STATUTORY_DAYS = 20  # 行政许可法 art 42
PROMISED_DAYS = {
    ApprovalClass.CONTROLLED: 15,
    ApprovalClass.CAUTIOUS: 10,
    ApprovalClass.ENCOURAGED: 5,
}


def approval_class_for(name: str) -> str:
    if any(word in name for word in CONTROLLED_WORDS):
        return ApprovalClass.CONTROLLED
    if any(word in name for word in ENCOURAGED_WORDS):
        return ApprovalClass.ENCOURAGED
    return ApprovalClass.CAUTIOUS


def materials_for(name: str, approval_class: str) -> list[dict]:
    """Three essential materials and two or three non-essential, deferrable ones."""
    materials = [
        {"name": f"《{name}》申请书", "essential": True, "deferrable": False},
        {"name": "申请人身份证明或主体资格证明", "essential": True, "deferrable": False},
        {"name": "符合许可条件的证明材料", "essential": True, "deferrable": False},
        {"name": "经营（办公）场所使用证明", "essential": False, "deferrable": True},
        {
            "name": "授权委托书及经办人身份证明（委托办理时）",
            "essential": False,
            "deferrable": True,
        },
    ]
    if approval_class != ApprovalClass.ENCOURAGED:
        materials.append(
            {"name": "相关技术或安全管理制度文件", "essential": False, "deferrable": True}
        )
    for m in materials:
        m.setdefault("copies", 1)
        m.setdefault("notes", "")
    return materials


def generated_content(name: str) -> tuple[dict, list[dict], list[str]]:
    """(version changes, materials, names of generated fields) for one approval item."""
    approval_class = approval_class_for(name)
    changes = {
        "approval_class": approval_class,
        "statutory_limit_days": STATUTORY_DAYS,
        "promised_limit_days": PROMISED_DAYS[approval_class],
        "day_counting": "licensing",
    }
    return changes, materials_for(name, approval_class), [*changes, "materials"]
