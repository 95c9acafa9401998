"""The built site: zero build warnings, every page present, and quizzes that answer back in Chromium."""

import re

import pytest

from conftest import NOTEBOOKS, REGISTERED, ROOT


def test_build_has_no_warnings(built_site):
    html, log = built_site
    sphinx_warnings = [line for line in log.splitlines() if re.search(r"(WARNING|ERROR|CRITICAL):", line)]
    assert not sphinx_warnings, "\n".join(sphinx_warnings)
    assert "Executing notebook" not in log, "the site build executed a notebook: it must reuse the single execution"
    assert log.count("Using cached notebook") == len(NOTEBOOKS), "every notebook's outputs come from the execution cache"
    assert (html / "index.html").exists() and (html / "intro.html").exists()
    assert (html / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00", "favicon.ico missing or not an icon"
    for nb in NOTEBOOKS:
        page = html / nb.relative_to(ROOT).with_suffix(".html")
        assert page.exists(), f"missing page {page}"


def _quiz_page(browser, site_url):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site_url}/chapters/01_vanishing_gradients.html")
    quiz = page.locator(".lq-quiz[data-lq-ready]").first
    quiz.wait_for()
    return page, quiz, errors


def test_quiz_gives_feedback_for_wrong_then_right_answer(browser, site_url):
    page, quiz, errors = _quiz_page(browser, site_url)
    q = quiz.locator(".lq-q").first
    feedback = q.locator(".lq-feedback")
    assert feedback.inner_text() == ""
    q.locator("label", has_text="bypassed the vanishing gradient").click()
    assert feedback.inner_text().startswith("✗ Not quite. Too strong.")
    q.locator("label", has_text="carried mostly by paths off the cell state").click()
    assert feedback.inner_text().startswith("✓ Correct. Yes.")
    assert not errors, errors
    page.close()


def test_quiz_works_with_keyboard_only(browser, site_url):
    page, quiz, errors = _quiz_page(browser, site_url)
    q = quiz.locator(".lq-q").first
    right = q.locator('input[type=radio][data-correct="1"]')
    right.focus()
    page.keyboard.press("Space")             # select the correct choice, wherever the shuffle put it
    assert q.locator(".lq-feedback").inner_text().startswith("✓ Correct.")
    page.keyboard.press("ArrowDown")         # arrow keys move to, and select, another choice
    assert q.locator(".lq-feedback").inner_text().startswith("✗ Not quite.")
    assert page.evaluate("document.activeElement.value") != right.get_attribute("value")
    page.close()


def test_numeric_and_multiple_answer_questions(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}/chapters/01_vanishing_gradients.html")
    numeric = page.locator('.lq-q[data-type="numeric"]').first
    box, fb = numeric.locator("input.lq-number"), numeric.locator(".lq-feedback")
    for typed, expected in [("abc", "✗ Not quite. Please type a number"), ("51", "✗ Not quite. Off by one"),
                            ("7", "✗ Not quite. Count one Jacobian"), ("50", "✓ Correct.")]:
        box.fill(typed)
        box.press("Enter")
        assert fb.inner_text().startswith(expected), (typed, fb.inner_text())
    multi = page.locator('.lq-q[data-type="multiple"]').first
    choice = lambda i: multi.locator(".lq-choice", has=page.locator(f'input[value="{i}"]'))   # by the bank's index
    choice(0).locator("input").check()
    multi.locator(".lq-check").first.click()
    assert multi.locator(".lq-feedback").inner_text().startswith("✗ Not quite. 3 of 4")
    assert "You left this out." in choice(1).locator(".lq-choice-fb").inner_text()
    choice(1).locator("input").check()
    multi.locator(".lq-check").first.click()
    assert multi.locator(".lq-feedback").inner_text().startswith("✓ Correct. 4 of 4")
    page.close()


@pytest.mark.parametrize("chapter", [p.stem for p in NOTEBOOKS if p.parent.name == "chapters"])
def test_chapter_page_shows_figures_with_alt_text_and_quiz(built_site, chapter):
    text = (built_site[0] / "chapters" / f"{chapter}.html").read_text()
    imgs = [i for i in re.findall(r"<img [^>]*>", text) if '\\"' not in i]   # not JSON-escaped copies
    data_imgs = [i for i in imgs if "data:image/png" in i]
    assert data_imgs, f"{chapter}: no figures"
    assert all(re.search(r'alt="[^"]{15,}"', i) for i in data_imgs), f"{chapter}: a figure lacks alt text"
    assert text.count('class="lq-quiz"') >= 2, f"{chapter}: quiz not embedded"


def test_gate_explorer_responds_without_a_kernel(browser, site_url):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site_url}/chapters/03_gates.html")
    slider = page.locator(".animation input[type=range]").first
    slider.scroll_into_view_if_needed()
    img = page.locator(".animation img").first
    assert len(img.get_attribute("alt")) > 15
    before = img.get_attribute("src")
    slider.focus()
    assert slider.input_value() == "0"
    for _ in range(5):
        page.keyboard.press("ArrowRight")     # step the forget gate up, frame by frame
    assert slider.input_value() == "5"
    after = img.get_attribute("src")
    assert after != before, "moving the slider did not change the picture"
    page.keyboard.press("End")
    assert img.get_attribute("src") not in (before, after)
    assert not errors, errors
    page.close()


def test_hostile_quiz_text_is_shown_literally(browser):
    from lstm_course.quiz import quiz_html

    bank = {"title": "<b>t</b>", "questions": [{"id": "x", "type": "single",
            "question": "<script>window.pwned = 1</script> What?",
            "choices": [{"text": '<img src=x onerror="window.pwned = 2">', "correct": True,
                         "feedback": "<script>window.pwned = 3</script>ok"},
                        {"text": "plain", "correct": False, "feedback": "no"}]}]}
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_content(f"<html><body>{quiz_html(bank)}</body></html>")
    q = page.locator(".lq-q")
    assert "<script>window.pwned = 1</script> What?" in q.locator("legend").inner_text()
    q.locator('input[value="0"]').check()          # the bank's first choice, wherever the shuffle put it
    assert q.locator(".lq-feedback").inner_text() == "✓ Correct. <script>window.pwned = 3</script>ok"
    assert page.evaluate("window.pwned") is None and not dialogs
    assert page.locator(".lq-quiz img").count() == 0
    page.close()


QUIZ_PAGES = [c.name for c in REGISTERED]      # each chapter's whole quiz ends its exercise page


@pytest.mark.parametrize("stem", QUIZ_PAGES)
def test_quiz_page_answers_every_question_from_its_bank(browser, site_url, stem):
    """Driven by the quiz data: every wrong choice shows its own feedback, the right answer succeeds."""
    from lstm_course.quiz import load_bank

    bank = load_bank(stem)
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{site_url}/exercises/{stem}.html")
    page.locator(".lq-quiz[data-lq-ready]").first.wait_for()
    shown = page.locator(".lq-q")
    assert shown.count() == len(bank["questions"]), "the exercise page's quiz must show the whole bank"
    for n, q in enumerate(bank["questions"]):
        box, fb = shown.nth(n), shown.nth(n).locator(".lq-feedback")
        if q["type"] == "single":
            order = sorted(range(len(q["choices"])), key=lambda i: q["choices"][i]["correct"])  # wrong ones first
            for i in order:
                box.locator(f'input[value="{i}"]').check()
                c = q["choices"][i]
                expected = ("✓ Correct. " if c["correct"] else "✗ Not quite. ") + c["feedback"]
                assert fb.inner_text() == expected, (q["id"], i)
        elif q["type"] == "multiple":
            inputs = lambda i: box.locator(f'input[value="{i}"]')     # the bank's index, wherever it is shown
            for i, c in enumerate(q["choices"]):
                inputs(i).set_checked(not c["correct"])
            box.locator(".lq-check").click()
            assert fb.inner_text().startswith("✗ Not quite. 0 of"), q["id"]
            for i, c in enumerate(q["choices"]):
                inputs(i).set_checked(c["correct"])
            box.locator(".lq-check").click()
            assert fb.inner_text().startswith("✓ Correct."), q["id"]
        else:
            number = box.locator("input.lq-number")
            for w in q.get("wrong", []):
                number.fill(str(w["value"]))
                number.press("Enter")
                assert fb.inner_text() == "✗ Not quite. " + w["feedback"], q["id"]
            number.fill(str(q["answer"]))
            number.press("Enter")
            assert fb.inner_text() == "✓ Correct. " + q["feedback"], q["id"]
    assert not errors, errors
    page.close()


def _shown_orders(page):
    """For each choice question on the page, the bank indices of its choices in the order shown."""
    return page.evaluate("""Array.from(document.querySelectorAll('.lq-q[data-type=single], .lq-q[data-type=multiple]'))
        .map(q => Array.from(q.querySelectorAll('.lq-choice input')).map(i => Number(i.value)))""")


def test_choices_are_shuffled_at_every_load_and_feedback_stays_with_its_choice(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}/exercises/05_bidirectional.html")
    page.locator(".lq-quiz[data-lq-ready]").first.wait_for()
    first = _shown_orders(page)
    assert first and all(order != sorted(order) for order in first), f"a question kept the bank's order: {first}"
    loads = [first]
    for _ in range(4):
        page.reload()
        page.locator(".lq-quiz[data-lq-ready]").first.wait_for()
        loads.append(_shown_orders(page))
    assert len({str(orders) for orders in loads}) > 1, "the order must change from one load to the next"
    from lstm_course.quiz import load_bank
    q = next(q for q in load_bank("05_bidirectional")["questions"] if q["type"] == "single")
    box = page.locator(f'.lq-q[data-qid="{q["id"]}"]')
    for i, c in enumerate(q["choices"]):
        box.locator(f'input[value="{i}"]').check()
        assert box.locator(".lq-feedback").inner_text().endswith(c["feedback"]), (q["id"], i)
    page.close()


def test_running_score_is_announced_kept_and_reset(browser, site_url):
    from lstm_course.quiz import load_bank
    questions = load_bank("01_vanishing_gradients")["questions"]
    single = [q for q in questions if q["type"] == "single"][:2]
    page = browser.new_page()
    page.goto(f"{site_url}/exercises/01_vanishing_gradients.html")
    quiz = page.locator(".lq-quiz[data-lq-ready]").first
    quiz.wait_for()
    score = quiz.locator(".lq-score")
    assert score.get_attribute("role") == "status" and score.get_attribute("aria-live") == "polite"
    assert score.inner_text() == f"Score: 0 of {len(questions)} answered correctly."
    right = next(i for i, c in enumerate(single[0]["choices"]) if c["correct"])
    wrong = next(i for i, c in enumerate(single[1]["choices"]) if not c["correct"])
    quiz.locator(f'.lq-q[data-qid="{single[0]["id"]}"] input[value="{right}"]').check()
    quiz.locator(f'.lq-q[data-qid="{single[1]["id"]}"] input[value="{wrong}"]').check()
    expected = f"Score: 1 of {len(questions)} answered correctly (1 not yet right)."
    assert score.inner_text() == expected
    page.reload()                                   # a learner who comes back sees what they answered
    quiz.wait_for()
    assert score.inner_text() == expected
    assert quiz.locator(f'.lq-q[data-qid="{single[0]["id"]}"] .lq-feedback').inner_text() == "You answered this correctly before."
    page.goto(f"{site_url}/chapters/01_vanishing_gradients.html")     # same browser, same storage
    page.locator(".lq-quiz[data-lq-ready]").first.wait_for()
    embedded = page.locator(f'.lq-q[data-qid="{single[0]["id"]}"]')
    if embedded.count():                            # the chapter embeds this question: it shares the progress
        assert embedded.first.locator(".lq-feedback").inner_text() == "You answered this correctly before."
    page.goto(f"{site_url}/exercises/01_vanishing_gradients.html")
    quiz.wait_for()
    quiz.locator(".lq-reset").click()
    assert score.inner_text() == f"Score: 0 of {len(questions)} answered correctly."
    page.reload()
    quiz.wait_for()
    assert score.inner_text() == f"Score: 0 of {len(questions)} answered correctly."
    page.close()


# What a reader at 1366 x 900 sees scroll sideways: folded (hide-input) cells are opened first, since a
# reader may open them too. Counted per block: a <pre> whose content is wider than its box.
WIDE_BLOCKS = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const wide = sel => [...document.querySelectorAll(sel)].map(pre => ({
        wide: pre.scrollWidth > pre.clientWidth + 1,
        text: pre.innerText.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100)}));
    return {code: wide('div.cell_input div.highlight pre'), output: wide('div.cell_output div.highlight pre')};
}"""
MAX_WIDE_OUTPUT_SHARE = 0.05


def _wide_blocks(browser, url=None, html=None):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    if url:
        page.goto(url)
    else:
        page.set_content(html)
    found = page.evaluate(WIDE_BLOCKS)
    page.close()
    return found


def test_no_chapter_code_block_and_few_outputs_scroll_sideways(browser, site_url):
    code = output = wide_code = wide_output = 0
    problems = []
    for nb in [p for p in NOTEBOOKS if p.parent.name == "chapters"]:
        found = _wide_blocks(browser, url=f"{site_url}/chapters/{nb.stem}.html")
        assert found["code"] and found["output"], f"{nb.stem}: no code or output blocks found"
        code, output = code + len(found["code"]), output + len(found["output"])
        for kind in ("code", "output"):
            wide = [b["text"] for b in found[kind] if b["wide"]]
            problems += [f"{nb.stem} {kind}: {line!r}" for line in wide]
            wide_code += len(wide) if kind == "code" else 0
            wide_output += len(wide) if kind == "output" else 0
    print(f"wide code blocks {wide_code} of {code}; wide output blocks {wide_output} of {output}")
    assert wide_code == 0 and wide_output <= MAX_WIDE_OUTPUT_SHARE * output, \
        f"{wide_code} of {code} code blocks and {wide_output} of {output} outputs scroll sideways:\n" \
        + "\n".join(problems)


def test_the_width_check_finds_a_wide_block(browser):
    line = "x = '" + "y" * 200 + "'"
    html = ('<div class="cell_input"><div class="highlight"><pre>short = 1</pre></div></div>'
            f'<div class="cell_output"><div class="highlight"><pre style="overflow:auto">{line}</pre></div></div>'
            '<details><summary>s</summary><div class="cell_input"><div class="highlight">'
            f'<pre style="overflow:auto;width:300px">{line}</pre></div></div></details>')
    found = _wide_blocks(browser, html=html)
    assert [b["wide"] for b in found["code"]] == [False, True], found
    assert [b["wide"] for b in found["output"]] == [True], found


BACKGROUND_AND_COLOUR = """(sel) => {
    const svg = document.querySelector(sel);
    let el = svg, bg = 'rgba(0, 0, 0, 0)';
    while (el && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
        bg = getComputedStyle(el).backgroundColor; el = el.parentElement;
    }
    return {colour: getComputedStyle(svg).color, background: bg,
            theme: document.documentElement.dataset.theme || ''};
}"""


def _luminance(css):
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    """WCAG contrast ratio of two CSS rgb() colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)") < 4.5 < contrast("rgb(34, 34, 34)", "rgb(255, 255, 255)")


def test_the_lstm_cell_diagram_is_drawn_legibly_in_light_and_dark_mode(browser, site_url):
    """The cell diagram is an inline SVG whose lines and labels use the text colour of where it sits (the
    site keeps cell outputs on a light card in dark mode too): drawn at full width with its alt text, and its
    strokes contrast at least 4.5:1 with their background in both modes."""
    seen = {}
    for mode in ("light", "dark"):
        page = browser.new_page(color_scheme=mode, viewport={"width": 1366, "height": 900})
        page.goto(f"{site_url}/chapters/03_gates.html", wait_until="networkidle")
        svg = page.locator("figure.lc-diagram svg[role='img']").first
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        assert box and box["width"] > 500 and box["height"] > 200, f"{mode}: diagram not drawn at size: {box}"
        assert "LSTM cell" in svg.get_attribute("aria-label")
        assert svg.locator("text").count() > 15, "the diagram's labels are missing"
        seen[mode] = page.evaluate(BACKGROUND_AND_COLOUR, "figure.lc-diagram svg")
        assert seen[mode]["theme"] == mode, seen[mode]
        ratio = contrast(seen[mode]["colour"], seen[mode]["background"])
        assert ratio >= 4.5, f"{mode}: diagram strokes {seen[mode]} contrast only {ratio:.1f}:1"
        page.close()
    assert set(seen) == {"light", "dark"}, seen
