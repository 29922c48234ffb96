# SPDX-License-Identifier: GPL-2.0-or-later
"""qga-win test harness: a library the tests import (style.md section 9)."""
