"""Shared pytest set-up: ``tests/`` importable for :mod:`bookutils`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
