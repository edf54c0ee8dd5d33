"""/losses in headless Chromium: the loss curve, the double-softmax mistake, the notebook's
two loss cells, both languages."""

import pytest
from playwright.sync_api import expect

from tests.browser.lessons_helpers import plot_traces, py_float

pytestmark = pytest.mark.browser


def bce(client, a, t=1.0):
    body = {"loss": "binary_crossentropy", "predictions": [[a]], "targets": [[t]]}
    return client.post("/api/v1/loss", json={**body, "reduction": "sum"}).json()


def test_curve_and_point_follow_the_api(page, client):
    page.goto("/losses?lang=en")
    expect(page.locator("h1")).to_have_text("Losses and their gradients")
    want = bce(client, 0.2)
    expect(page.locator("#ls-loss-at")).to_have_text(py_float(want["loss"]))
    expect(page.locator("#ls-grad-at")).to_have_text(py_float(want["gradient"][0][0]))
    assert plot_traces(page, "ls-plot") == 2
    page.fill("#ls-pred", "0.65")
    want = bce(client, 0.65)
    expect(page.locator("#ls-grad-at")).to_have_text(py_float(want["gradient"][0][0]))
    page.select_option("#ls-loss", "mse")
    expect(page.locator("#ls-grad-label")).to_have_text("∂L/∂a")
    mse = {"loss": "mse", "predictions": [[0.2]], "targets": [[1.0]], "reduction": "sum"}
    want = client.post("/api/v1/loss", json=mse).json()
    expect(page.locator("#ls-grad-at")).to_have_text(py_float(want["gradient"][0][0]))


def test_double_softmax_next_to_the_correct_calls(page, client):
    page.goto("/losses?lang=en")
    rows = page.locator("#ls-mistake tbody tr")
    expect(rows).to_have_count(3)
    n = 3
    body = {
        "layers": [n, n],
        "activations": "softmax",
        "weights": [[[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]],
        "biases": [[0.0] * n],
        "inputs": [[2.0, 1.0, 0.1]],
        "targets": [0],
        "loss": "categorical_crossentropy",
        "from_logits": True,
    }
    wrong = client.post("/api/v1/backprop", json=body).json()
    notebook = page.locator("#ls-mistake tr[data-call='call_notebook'] td")
    expect(notebook.nth(0)).to_have_text(py_float(wrong["loss"]))
    expect(page.locator("#ls-warnings .warning")).to_contain_text("softmax(softmax(z))")
    assert "double_softmax" in page.locator("#ls-warnings .warning").inner_text()
    page.fill("#ls-class", "2")
    logits = {"loss": "categorical_crossentropy", "from_logits": True}
    right = client.post(
        "/api/v1/loss", json={**logits, "predictions": [[2, 1, 0.1]], "targets": [2]}
    ).json()
    first = page.locator("#ls-mistake tr[data-call='call_correct_logits'] td")
    expect(first.nth(0)).to_have_text(py_float(right["loss"]))


def tokens(text: str) -> list[str]:
    """The numbers of a printed row, without NumPy's brackets and sign-alignment spaces."""
    return text.replace("[", " ").replace("]", " ").split()


def test_notebook_loss_cells(page):
    page.goto("/losses?lang=en")
    mse = page.locator("#ls-cell-mse tbody tr")
    expect(mse).to_have_count(4)
    for i in range(4):  # TensorFlow here == the notebook's printout, digit for digit
        here, printed = mse.nth(i).locator("td").all_inner_texts()
        assert tokens(here) == tokens(printed), i
    ce = page.locator("#ls-cell-ce tbody tr")
    expect(ce).to_have_count(5)
    for i in range(5):
        # The cell's random x, w, b are known to 8 decimals only: equal to ±1 in the last digit.
        here, printed = (
            list(map(float, tokens(t))) for t in ce.nth(i).locator("td").all_inner_texts()
        )
        assert here == pytest.approx(printed, rel=0, abs=1.01e-8), i


def test_chinese_page(page):
    page.goto("/losses?lang=zh")
    expect(page.locator("h1")).to_have_text("损失函数及其梯度")
    expect(page.locator("#ls-mistake tbody tr")).to_have_count(3)
    assert plot_traces(page, "ls-plot") == 2
    expect(page.locator("#ls-warnings .warning")).to_contain_text(
        "API 给出的警告（double_softmax）"
    )
    assert "笔记本：CE(onehot, softmax(z), from_logits=True)" in page.locator("main").inner_text()
