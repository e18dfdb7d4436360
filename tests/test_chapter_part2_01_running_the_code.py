"""Chapter ``part2/01-running-the-code``: the values it glues into its prose.

The values that "Running the code" glues into its prose (myst-nb ``glue``) are read back from the
executed notebook of a built book (:func:`bookutils.glued` and its readers) and recomputed by
another route: formulas written out in the test, brute-force loops, or the definition of the
quantity. Build first (``make html``, or a partial build with ``CNNBOOK_BUILD_DIR`` pointing at it).
"""

from __future__ import annotations

import numpy as np
import pytest
from bookutils import glued, text

pytestmark = pytest.mark.book


def test_running_the_code_versions():
    import cnnbook

    g = glued("part2/01-running-the-code")
    assert text(g, "p2run_version") == cnnbook.__version__
    assert text(g, "p2run_numpy") == np.__version__
