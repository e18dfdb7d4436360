"""Chapter ``part2/06-training``: the values it glues into its prose.

The values that "Training" glues into its prose (myst-nb ``glue``) are read back from the executed
notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed by another route:
formulas written out in the test, brute-force loops, or the definition of the quantity. Build first
(``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import os
import re

import pytest
from bookutils import HTML_DIR, glued, number, text

pytestmark = pytest.mark.book


def test_training_page_names_its_dataset_visibly():
    g = glued("part2/06-training")
    title = text(g, "p2train_dataset_title")
    if os.environ.get("CNNBOOK_DATA") and os.environ.get("CNNBOOK_DATASET", "mnist") == "mnist":
        # CI points CNNBOOK_DATA at the complete MNIST set: the book must be built on it.
        assert title == "MNIST"
    summary = text(g, "p2train_summary")
    details = text(g, "p2train_details")
    assert title in {"MNIST", "Fashion-MNIST", "Generated digits"}
    assert summary.startswith(title) and summary.count(". ") <= 1  # one short sentence
    assert len(details) > len(summary) // 2
    import html as html_lib

    page = (HTML_DIR / "part2" / "06-training.html").read_text(encoding="utf-8")
    banner = re.search(r'<div class="[^"]*cnnbook-dataset-banner[^"]*">(.*)', page, re.S)
    assert banner is not None, "the dataset banner is missing from the training page"

    def plain(fragment: str) -> str:  # text as shown, with Sphinx's curly apostrophes undone
        return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("\u2019", "'")

    visible = plain(banner.group(1))
    visible = re.sub(r"\s+", " ", visible)
    assert re.sub(r"\s+", " ", summary)[:40] in visible
    # the diagnosis sits in a collapsed block inside the banner
    fold = re.search(r"<details[^>]*>(.*?)</details>", banner.group(1), re.S)
    assert fold is not None and "open" not in fold.group(0)[:40]
    assert re.sub(r"\s+", " ", details)[:30] in re.sub(r"\s+", " ", plain(fold.group(1)))


def test_training_page_accuracy_and_time():
    g = glued("part2/06-training")
    title = text(g, "p2train_dataset_title")
    acc = number(g, "p2train_test_acc")
    n_test = number(g, "p2train_n_test")
    floor = {"MNIST": 0.990, "Fashion-MNIST": 0.90, "Generated digits": 0.95}[title]
    assert floor <= acc <= 1
    if title == "MNIST":  # the floor the page states is the one the build enforces
        assert number(g, "p2train_floor") == 0.99
    assert float(text(g, "p2train_lr0")) > 0 and number(g, "p2train_shift") >= 0
    epochs = number(g, "p2train_epochs")
    assert number(g, "p2train_epoch_seconds") <= number(g, "p2train_seconds") / epochs * 1.5
    # the confusion matrix and the accuracy count the same errors
    assert number(g, "p2train_errors") == round((1 - acc) * n_test)
    assert g["p2train_pred_equals_accuracy"] == "True"
    assert number(g, "p2train_steps") == (
        number(g, "p2train_epochs") * number(g, "p2train_n_train") // number(g, "p2train_batch")
    )
    assert 0 < number(g, "p2train_seconds") < 240  # the build's time budget
    assert number(g, "p2train_loss_last") < number(g, "p2train_loss_first")
    assert number(g, "p2train_top_count") >= 1
    # the per-epoch test accuracies quoted in exercise 1
    first = number(g, "p2train_test_acc_first")
    assert 0.1 < first <= 1
    assert number(g, "p2train_test_acc_gain") == pytest.approx(100 * (acc - first), abs=1e-9)
    # the accuracy on the training set is measured on min(5000, M) images (Trainer's default)
    assert number(g, "p2train_train_sample") == min(5000, number(g, "p2train_n_train"))


def test_training_page_gabor_bridge():
    g = glued("part2/06-training")
    before = number(g, "p2train_gabor_median_init")
    after = number(g, "p2train_gabor_median")
    change = number(g, "p2train_gabor_median_delta")
    null = number(g, "p2train_gabor_median_null")
    # "What training added fits better" than the trained and the initial kernels ...
    assert 0 <= change < after < before <= 1
    assert 0 <= number(g, "p2train_gabor_good_init") <= number(g, "p2train_gabor_good_delta") <= 30
    # ... "moved by X % of their random start": the change is smaller than the start ...
    assert 0 < number(g, "p2train_change_ratio") < 1
    # ... and "noise blurred to the same smoothness is fitted about as well".
    assert abs(number(g, "p2train_rho_null") - number(g, "p2train_rho_learned")) < 0.1
    # the comparison the text states is the one the numbers give
    verdict = text(g, "p2train_null_verdict")
    if abs(null - change) < 0.1:
        assert verdict == "about as well"
    else:
        assert verdict == (
            "better than the learned changes" if null < change else "worse than the learned changes"
        )
    assert 0.4 <= number(g, "p2train_sigma_null") <= 2.0
    assert 0 < number(g, "p2train_fmap_zero_share") < 1
    page = (HTML_DIR / "part2" / "06-training.html").read_text(encoding="utf-8")
    assert 'id="part2-gabor-bridge"' in page
