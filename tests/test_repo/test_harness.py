"""The test harness itself: scripts run in a fork of the test process end there, and a disk
too full for the suite stops it with the reason."""
import os
import types

import pytest

from tests import conftest


def test_forked_script_ends_in_the_child_when_its_output_cannot_be_written(tmp_path):
    # A full disk makes the child's last flush fail; the child must still exit (status 1) rather
    # than return into pytest as a second copy of this worker.
    script = tmp_path / 'flush_fails.py'
    script.write_text('import sys\n\n\n'
                      'class Full:\n'
                      '    def write(self, text):\n'
                      '        return len(text)\n\n'
                      '    def flush(self):\n'
                      "        raise OSError(28, 'No space left on device')\n\n\n"
                      'sys.stdout = Full()\n')
    parent = os.getpid()
    try:
        code, _ = conftest._run_forked([str(script)], str(tmp_path), {}, timeout=120)
    finally:
        if os.getpid() != parent:  # the child got out: stop it here, with a status to tell
            os._exit(99)
    assert code == 1


def test_forked_script_reports_its_exit_status_and_output(tmp_path):
    script = tmp_path / 'exits.py'
    script.write_text("print('hello from', __name__)\nraise SystemExit(3)\n")
    code, out = conftest._run_forked([str(script)], str(tmp_path), {}, timeout=120)
    assert (code, out.strip()) == (3, 'hello from __main__')


def test_the_suite_stops_with_its_reason_where_the_disk_is_too_full(tmp_path, monkeypatch):
    session = types.SimpleNamespace(config=types.SimpleNamespace(
        option=types.SimpleNamespace(basetemp=str(tmp_path))))
    conftest.pytest_sessionstart(session)  # this machine has room
    monkeypatch.setattr(conftest, 'NEEDS_FREE_BYTES', 1 << 60)
    with pytest.raises(pytest.exit.Exception, match='GiB free under .*TMPDIR'):
        conftest.pytest_sessionstart(session)
