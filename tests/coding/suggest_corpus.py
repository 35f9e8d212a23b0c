"""A hand-built corpus for the suggestion tests: policy documents of numbered articles, where the node
"开放目录" is defined by a pattern — every article about the open-data catalogue is coded."""

import random

from policies import structure

ON_TOPIC = [
    "编制公共数据开放目录，明确开放范围和开放方式",
    "开放目录应当定期更新并向社会公布",
    "数据开放目录由主管部门统一发布",
    "列入开放目录的数据应当及时向社会开放",
    "建立健全公共数据开放目录动态调整机制",
    "开放目录载明数据名称、开放类型和更新频率",
]
OFF_TOPIC = [
    "政务部门之间应当共享数据，不得重复采集",
    "建立数据安全管理制度，落实安全保护责任",
    "将数据工作纳入年度考核，考核结果向社会公布",
    "所需资金列入本级财政预算",
    "加强数据人才培养，开展业务培训",
    "建设统一的数据共享交换平台",
    "违反本条例规定的，由有关部门责令改正",
    "档案目录按照国家规定编制和保管",
    "推进政务服务事项网上办理，方便群众办事",
    "鼓励社会力量参与数据开发利用",
]
FILLER = ["县级以上人民政府应当加强领导", "各有关部门按照职责分工负责", "具体办法由省人民政府制定"]
NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    return NUMERALS[n - 1] if n <= 10 else "十" + NUMERALS[n - 11] if n < 20 else "二十" + NUMERALS[n - 21]


def document(
    seed: int, articles: int = 12, on_topic: int = 3, missed: float = 0.0
) -> tuple[str, list[tuple[int, int]]]:
    """A document's text and the spans of its articles about the open-data catalogue (each left uncoded with
    probability `missed`, as a tired coder would)."""
    rng = random.Random(seed)
    topical = set(rng.sample(range(1, articles + 1), on_topic))
    lines, coded, position = [f"某省公共数据管理办法{seed}", "第一章　总则"], [], 0
    for n in range(1, articles + 1):
        pool = ON_TOPIC if n in topical else OFF_TOPIC
        sentences = [*rng.sample(pool, 2), rng.choice(FILLER)]
        rng.shuffle(sentences)
        lines.append(f"第{numeral(n)}条　" + "；".join(sentences) + "。")
    text = "\n".join(lines) + "\n"
    for section in structure.detect_sections(text):
        if section.kind == "article":
            number = structure.chinese_numeral_to_int(section.label[1:-1])
            if number in topical and rng.random() >= missed:
                position = section.start + len(section.label) + 1
                coded.append((position, section.end - 1))
    return text, coded


def build(project, coder, documents: int = 16, coded: int = 10) -> dict:
    """Documents of the corpus in `project`, with sections and (for the first 8) cached tokens; `coder` codes every
    article about 开放目录 in the first `coded` at the child node 开放目录 under 数据开放."""
    from coding.models import Coding
    from policies.models import Section
    from policies.services.segmentation import tokens_store
    from policies.text import segment
    from tests.factories import DocumentFactory, NodeFactory

    parent = NodeFactory(project=project, name="数据开放", order=0)
    catalogue = NodeFactory(project=project, name="开放目录", parent=parent, order=0)
    other = NodeFactory(project=project, name="数据安全", order=1)
    docs, truth = [], {}
    for seed in range(documents):
        text, spans = document(seed)
        doc = DocumentFactory(project=project, text=text, title=f"某省公共数据管理办法{seed}")
        Section.objects.bulk_create(
            Section(document=doc, kind=s.kind, label=s.label, level=s.level, start=s.start, end=s.end)
            for s in structure.detect_sections(text)
        )
        docs.append(doc)
        truth[doc.pk] = spans
        if seed < coded:
            Coding.objects.bulk_create(
                Coding(document=doc, node=catalogue, coder=coder, start=start, end=end, text=text[start:end])
                for start, end in spans
            )
    tokens_store(documents=docs[:8], terms=segment.project_terms(project), version=1)
    return {"alice": coder, "node": catalogue, "parent": parent, "other": other, "docs": docs, "truth": truth}
