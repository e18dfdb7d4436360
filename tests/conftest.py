"""Shared pytest set-up: headless plotting, and ``tests/`` importable for :mod:`bookutils`."""

import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent))
