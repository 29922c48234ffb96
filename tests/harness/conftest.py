# SPDX-License-Identifier: GPL-2.0-or-later
"""Makes the repository root importable so tests import `harness` as a package."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
