"""flake8 and isort, with the settings of setup.cfg, over the code of the repository."""
import subprocess
import sys

import pytest

from tests.conftest import REPO

TREES = ['mmhybrid', 'tools', 'tests', 'benchmarks', 'demo', 'configs', 'setup.py']


@pytest.mark.parametrize('tool', [['flake8'], ['isort', '--check-only', '--diff']])
def test_lint(tool):
    proc = subprocess.run([sys.executable, '-m', *tool, *TREES], cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout[-5000:]
