"""The glossary page and the book's use of its Korean terms (lablib.glossary, lablib.plotting.glossary,
and the book's linter booktools.glossary_lint).

The term choices live in one place, chapters/glossary.ipynb; lablib.glossary parses it.
BRIEF_TERMS below is the contract the chapter authors were given: changing one of those
choices is a decision for the whole book, so it has to be made here and on the page.
"""
import json
import re
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
import yaml

from booktools.glossary_lint import check_text, link_first_glosses
from lablib.glossary import Term, korean_index, load_glossary, parse_glossary
from lablib.plotting import glossary as glossary_plots
from lablib.plotting.korean import korean_font_families, missing_glyphs

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY_PAGE = ROOT / "chapters" / "glossary.ipynb"
TERMS = load_glossary(GLOSSARY_PAGE)
CHOICE = {t.english: t.korean for t in TERMS}

BRIEF_TERMS = """
loss function 손실 함수 · cost function 비용 함수 · objective function 목적 함수 · utility function 효용 함수 ·
information 정보량 · entropy 엔트로피 · KL divergence KL 발산 · relative entropy 상대 엔트로피 ·
cross-entropy 교차 엔트로피 · binary cross-entropy 이진 교차 엔트로피 · categorical cross-entropy 범주형 교차 엔트로피 ·
one-hot encoding 원-핫 인코딩 · logit 로짓 · softmax 소프트맥스 · sigmoid 시그모이드 · probability distribution 확률 분포 ·
numerical stability 수치 안정성 · optimization 최적화 · random search 무작위 탐색 · random local search 무작위 국소 탐색 ·
gradient 기울기 · partial derivative 편미분 ·
gradient descent 경사 하강법 · steepest descent 최급강하법 · learning rate 학습률 · numerical gradient 수치 기울기 ·
analytic gradient 해석적 기울기 · forward difference 전진 차분 · central difference 중심 차분 ·
gradient checking 기울기 검사 · relative error 상대 오차 · logistic regression 로지스틱 회귀 ·
softmax classifier 소프트맥스 분류기 · decision boundary 결정 경계 · weight 가중치 · bias 편향 · bias trick 편향 트릭 ·
epoch 에폭 · mini-batch 미니배치 · batch size 배치 크기 · backpropagation 역전파 · chain rule 연쇄 법칙 ·
computational graph 계산 그래프 · forward pass 순전파 · backward pass 역방향 계산 · local gradient 국소 기울기 ·
upstream gradient 상류 기울기 · gate 게이트 · automatic differentiation 자동 미분 · local minimum 국소 최솟값 ·
global minimum 전역 최솟값 · plateau 고원 · saddle point 안장점 · cliff 절벽 · exploding gradient 기울기 폭발 ·
vanishing gradient 기울기 소실 · gradient clipping 기울기 클리핑 · stochastic gradient descent 확률적 경사 하강법 ·
momentum 모멘텀 · velocity 속도 · Nesterov momentum 네스테로프 모멘텀 · exponential moving average 지수 이동 평균 ·
adaptive learning rate 적응적 학습률 · bias correction 편향 보정 · first moment 1차 모멘트 · second moment 2차 모멘트 ·
weight decay 가중치 감쇠 · hyperparameter 하이퍼파라미터 · optimizer 옵티마이저 · convergence 수렴 · divergence 발산 ·
oscillation 진동 · overfitting 과적합 · underfitting 과소적합 · early stopping 조기 종료 · training set 훈련 세트 ·
validation set 검증 세트 · test set 테스트 세트 · learning curve 학습 곡선 · confusion matrix 혼동 행렬 · accuracy 정확도 ·
loss landscape 손실 지형 · convex function 볼록 함수 · learning-rate schedule 학습률 스케줄
"""


def _brief_pairs():
    pairs = {}
    for item in " ".join(BRIEF_TERMS.split()).split(" · "):
        m = re.fullmatch(r"([A-Za-z][A-Za-z\- ]*?) ((?:KL |\d)?[가-힣].*)", item.strip())
        assert m, item
        pairs[m[1]] = m[2]
    return pairs


def _book_files():
    """Every page and notebook of the book except the glossary, and lablib's sources."""
    pages = [ROOT / "intro.md"] + sorted((ROOT / "chapters").glob("*.md"))
    notebooks = sorted((ROOT / "chapters").glob("*.ipynb"))
    modules = sorted(p for p in (ROOT / "lablib").rglob("*.py") if p != ROOT / "lablib" / "glossary.py")
    return pages + [nb for nb in notebooks if nb != GLOSSARY_PAGE] + modules


def _texts(path):
    """(where, text) pieces of one file: a notebook's cells one by one (markdown and code)."""
    where = path.relative_to(ROOT).as_posix()
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            yield f"{where} cell {i} ({cell['cell_type']})", "".join(cell["source"])
    else:
        yield where, path.read_text(encoding="utf-8")


BOOK_FILES = _book_files()
BOOK_TEXTS = [piece for path in BOOK_FILES for piece in _texts(path)]


# --- the glossary itself ------------------------------------------------------------------

def test_glossary_has_at_least_60_complete_terms():
    assert len(TERMS) >= 60, len(TERMS)
    for term in TERMS:
        assert re.search("[가-힣]", term.korean), term
        words = term.definition.split()
        assert len(words) >= 4 and term.definition.endswith("."), term
        assert "\n" not in term.definition and len(term.definition) < 260, term


def test_every_term_of_the_brief_has_exactly_its_korean_choice():
    brief = _brief_pairs()
    assert len(brief) == 84
    wrong = {en: (ko, CHOICE.get(en)) for en, ko in brief.items() if CHOICE.get(en) != ko}
    assert not wrong, f"glossary differs from the agreed choices (brief, glossary): {wrong}"


def test_terms_are_unique_and_sorted_on_the_page():
    english = [t.english.lower() for t in TERMS]
    korean = [t.korean for t in TERMS]
    assert len(set(english)) == len(english) and len(set(korean)) == len(korean)
    assert english == sorted(english), "keep the entries in alphabetical order"


def test_no_rejected_rendering_is_a_chosen_term():
    chosen = {re.sub(r"\s+", "", t.korean): t.english for t in TERMS}
    for term in TERMS:
        for alt in term.also_seen:
            squeezed = re.sub(r"\s+", "", alt)
            assert squeezed not in chosen, \
                f"{alt!r} is rejected for {term.english!r} but chosen for {chosen.get(squeezed)!r}"
            assert re.search("[가-힣]", alt), (term.english, alt)


def test_the_page_defines_its_own_rules_consistently():
    """The glossary's own Korean definitions and its figures' labels pass the check."""
    counted = sum(len(t.also_seen) for t in TERMS)
    assert counted >= 150, counted           # alternatives noted for most terms
    assert sum(1 for t in TERMS if t.also_seen) >= 0.8 * len(TERMS)


# --- the check: precise on real sentences ---------------------------------------------------

@pytest.mark.parametrize("text, found", [
    ("그래디언트를 계산한다", ["그래디언트"]),
    ("경사를 따라 내려간다", ["경사"]),
    ("경사도가 0 이다", ["경사도"]),
    ("학습 속도를 0.1 로", ["학습 속도"]),
    ("학습속도가 너무 크면", ["학습속도"]),
    ("에포크마다", ["에포크"]),
    ("오차 역전파법", ["오차 역전파"]),
    ("오차역전파", ["오차역전파"]),
    ("순방향 계산과 역전파", ["순방향 계산"]),
    ("확률 경사 하강법", ["확률 경사 하강법"]),
    ("지역 최솟값에 빠진다", ["지역 최솟값"]),
    ("가중치 감소", ["가중치 감소"]),
    ("the learning rate (학습 비율) is", ["학습 비율", "학습 비율"]),
    ("the **learning rate (스텝 크기)**", ["스텝 크기"]),
    ("weights (웨이트)", ["웨이트", "웨이트"]),
    ("local minima (극소점)", ["극소점"]),
    ("Mini-batches\n(소배치)", ["소배치", "소배치"]),
])
def test_check_finds_rejected_renderings(text, found):
    assert [f.found for f in check_text(text, TERMS)] == found, check_text(text, TERMS)


@pytest.mark.parametrize("text", [
    "경사 하강법", "경사하강법", "확률적 경사 하강법", "미니배치 경사 하강법으로 학습한다",
    "속도 (velocity)", "모멘텀의 속도", "이런 경우도 있다", "기울기 소실과 기울기 폭발", "학습률 스케줄링",
    "the gradient (기울기) and gradient descent (경사 하강법)",
    "partial derivative (편미분)", "numerical gradient (수치 기울기)", "local gradients (국소 기울기)",
    "negative log-likelihood (음의 로그 가능도)", "KL divergence (KL 발산)", "divergence (발산)",
    "cross-entropy (교차 엔트로피)", "binary cross-entropy (이진 교차 엔트로피)",
    "**weights (가중치)** $\\theta$", "logistic regression\n(로지스틱 회귀)", "mini-batches (미니배치)",
    "local minima (국소 최솟값)", "accuracies (정확도)", "weight decay (가중치 감쇠, L2)",
    "decoupled weight decay (분리된 가중치 감쇠)", "Nesterov momentum (네스테로프 모멘텀)",
    "the gradient ($\\nabla L$)", "learning-rate schedule (학습률 스케줄)", "learning rate schedule (학습률 스케줄)",
    "1차 모멘트와 2차 모멘트", "순전파와 역전파", "중심 차분", "최급강하법", "훈련 세트, 검증 세트, 테스트 세트",
])
def test_check_accepts_the_choices_and_fine_compounds(text):
    assert check_text(text, TERMS) == []


@pytest.mark.parametrize("path", BOOK_FILES, ids=[p.relative_to(ROOT).as_posix() for p in BOOK_FILES])
def test_book_uses_the_glossary_choices(path):
    problems = [f"{where}, {finding}" for where, text in _texts(path) for finding in check_text(text, TERMS)]
    assert not problems, "\n".join(problems)


def test_term_roles_point_to_glossary_entries():
    known = {t.english.lower() for t in TERMS} | {t.korean for t in TERMS}
    for where, text in BOOK_TEXTS:
        for m in re.finditer(r"\{term\}`([^`]+)`", text):
            target = re.search(r"<([^>]+)>\s*$", m[1])
            target = (target[1] if target else m[1]).strip()
            assert target.lower() in known, f"{where}: {{term}} target {target!r} is not in the glossary"


# --- parsing ---------------------------------------------------------------------------------

def _page(body: str) -> str:
    return f"# Glossary\n\n```{{glossary}}\n:sorted:\n\n{body}```\n"


def test_parse_reads_the_entry_shape():
    [term] = parse_glossary(_page("learning rate\n학습률\n  The step size. *Also seen:* 학습 속도, 러닝 레이트.\n"))
    assert term == Term("learning rate", "학습률", ("학습 속도", "러닝 레이트"), "The step size.", 6)
    [term] = parse_glossary(_page("gate\n게이트\n  A node of a graph.\n"))
    assert term.also_seen == () and term.definition == "A node of a graph."


@pytest.mark.parametrize("body, message", [
    ("gate\n  A node.\n", "two term lines"),
    ("gate\n게이트\nnode\n  A node.\n", "two term lines"),
    ("게이트\ngate\n  A node.\n", "first term line must be English"),
    ("gate\ngate2\n  A node.\n", "first term line must be English"),
    ("gate\n게이트\n  A node.\n  More.\n", "exactly one indented line"),
    ("gate\n게이트\n  A node. *Also seen:* 게이트문\n", "Also seen"),
    ("gate\n게이트\n  *Also seen:* 게이트문. A node.\n", "Also seen"),
    ("gate\n게이트\n  A node.\n\nGate\n문\n  Again.\n", "already defined"),
    ("  A node.\n", "no term above"),
])
def test_parse_rejects_malformed_entries(body, message):
    with pytest.raises(ValueError, match=message):
        parse_glossary(_page(body))


def test_parse_needs_exactly_one_closed_block(tmp_path):
    with pytest.raises(ValueError, match="exactly one"):
        parse_glossary("# nothing here\n")
    with pytest.raises(ValueError, match="exactly one"):
        parse_glossary(_page("gate\n게이트\n  A node.\n") * 2)
    with pytest.raises(ValueError, match="never closed"):
        parse_glossary("```{glossary}\ngate\n게이트\n  A node.\n")
    with pytest.raises(ValueError, match="no glossary page"):
        load_glossary(tmp_path / "missing.md")


# --- linking first uses (for when the chapters are finished) ----------------------------------

def _unlink(text: str) -> str:
    return re.sub(r"\{term\}`([^`<]+?)(?: <[^>]+>)?`", r"\1", text)


NOTEBOOKS = [nb for nb in sorted((ROOT / "chapters").glob("*.ipynb")) if nb != GLOSSARY_PAGE]


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_linking_a_chapter_only_adds_valid_idempotent_term_roles(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    linked_cells, linked = link_first_glosses(cells, TERMS)
    assert [_unlink(c) for c in linked_cells] == [_unlink(c) for c in cells]
    assert len(linked) == len(set(linked)) and set(linked) <= set(CHOICE)
    assert link_first_glosses(linked_cells, TERMS) == (linked_cells, [])
    for cell in linked_cells:
        for m in re.finditer(r"\{term\}`([^`]+)`", cell):
            target = re.search(r"<([^>]+)>$", m[1])
            assert (target[1] if target else m[1]) in CHOICE, m[0]


def test_linking_skips_code_math_headings_titles_and_linked_terms():
    cells = ["(ch-x)=\n# The gradient (기울기)",
             "```python\nprint('gradient (기울기)')\n```\n`gradient (기울기)` and $gradient (기울기)$",
             "```{exercise} The gradient (기울기)\n:label: ch-ex\n\nFind the gradient (기울기).\n```",
             "Already {term}`weights <weight>` (가중치); the weight (가중치) again."]
    new, linked = link_first_glosses(cells, TERMS)
    assert new[:2] == cells[:2] and new[3] == cells[3]
    assert new[2].endswith("Find the {term}`gradient` (기울기).\n```") and linked == ["gradient"]
    new, linked = link_first_glosses(["Learning-rate schedules (학습률 스케줄), a learning rate (학습 비율)."], TERMS)
    assert new == ["{term}`Learning-rate schedules <learning-rate schedule>` (학습률 스케줄), a learning rate (학습 비율)."]
    with pytest.raises(ValueError, match="list of strings"):
        link_first_glosses([["not", "a", "string"]], TERMS)


def test_the_linter_is_book_tooling_not_in_the_package_students_install():
    import lablib.glossary
    from setuptools import find_packages

    assert not {"check_text", "link_first_glosses", "Finding"} & set(vars(lablib.glossary))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    include = yaml.safe_load(re.search(r"^include = (\[.*\])$", pyproject, re.M)[1])
    shipped = find_packages(where=str(ROOT), include=include)
    assert "lablib" in shipped and not any(p.split(".")[0] == "booktools" for p in shipped)


# --- the Korean index and the figures ---------------------------------------------------------

def test_korean_index_lists_every_term_in_ganada_order():
    index = korean_index(TERMS)
    rows = [line for line in index.splitlines()[2:]]
    korean_in_order = re.findall(r"\*\*([^*]+)\*\* \{term\}", index)
    assert sorted(korean_in_order) == korean_in_order == sorted(CHOICE.values())
    linked = re.findall(r"\{term\}`([^`]+)`", index)
    assert sorted(linked) == sorted(CHOICE)
    initials = [row.split("|")[1].strip() for row in rows]
    assert initials[0] == "0–Z" and initials[1] == "ㄱ" and "ㄲ" not in initials


def test_figure_labels_use_the_glossary_choices():
    for english, korean in glossary_plots.TERMS.items():
        assert english in CHOICE, f"{english!r} (figure label) is not a glossary term"
        assert korean == CHOICE[english], (english, korean, CHOICE[english])
    with pytest.raises(ValueError, match="not in lablib.plotting.glossary.TERMS"):
        glossary_plots.bilingual("gradient flow")


@pytest.mark.parametrize("plot", [glossary_plots.plot_learning_loop, glossary_plots.plot_optimizer_tree])
def test_figures_draw_every_glyph_without_changing_style(plot):
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = plt.subplots()
        assert plot(ax=ax) is ax
        fig.canvas.draw()
        own = plot()
        own.figure.canvas.draw()
    texts = "".join(t.get_text() for t in ax.texts)
    assert re.search("[가-힣]", texts)
    assert missing_glyphs(re.sub(r"\$[^$]*\$", "", texts), korean_font_families()) == ""
    assert check_text(texts, TERMS) == []
    assert dict(matplotlib.rcParams) == before


def test_glossary_and_troubleshooting_are_in_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    parts = {part["caption"]: [c["file"] for c in part["chapters"]] for part in toc["parts"]}
    appendices, start = parts["Appendices"], parts["Getting started"]
    assert appendices.index("chapters/glossary") < appendices.index("chapters/api")
    assert start.index("chapters/troubleshooting") == start.index("chapters/setup") + 1
