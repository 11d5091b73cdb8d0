"""bandit finds no medium or high severity issue in the project's code (a justified one is
marked `# nosec BXXX` with the reason beside it)."""

import subprocess
import sys

from django.conf import settings


def test_bandit_reports_no_medium_or_high_finding():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "--quiet",
            "--recursive",
            "--severity-level",
            "medium",
            "--format",
            "custom",
            "--msg-template",
            "{relpath}:{line} {test_id} {severity} {msg}",
            "allies",
            "circles",
            "meetings",
            "actions",
        ],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
