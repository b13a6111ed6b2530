"""The background-work adapter: results on the GUI thread, one error policy for every job."""

from __future__ import annotations

import pytest

from shadematch.errors import ShadematchError
from shadematch.gui.common.workers import TaskRunner


def _raise(exc):
    raise exc


@pytest.fixture
def runner(qtbot):
    runner = TaskRunner(max_threads=2)
    yield runner
    runner.shutdown()
    assert runner.active_count() == 0


def _finish(qtbot, runner, job):
    qtbot.waitUntil(job.finished.is_set, timeout=5000)
    qtbot.wait(20)  # the queued callback


def test_expected_problem_goes_inline_when_the_job_says_where(qtbot, runner):
    inline, reported, cleaned = [], [], []
    runner.set_reporters(expected=lambda t, e: reported.append((t, str(e))),
                         unexpected=lambda t, e: reported.append(("bug", str(e))))
    job = runner.submit(_raise, pass_progress=False, exc=ShadematchError("the disk is full"),
                        title="Saving", on_expected=lambda e: inline.append(str(e)),
                        on_failure=lambda e: cleaned.append(type(e).__name__))
    _finish(qtbot, runner, job)
    assert inline == ["the disk is full"] and reported == []
    assert cleaned == ["ShadematchError"]


def test_expected_problem_without_inline_place_goes_to_the_reporter(qtbot, runner):
    reported = []
    runner.set_reporters(expected=lambda t, e: reported.append((t, str(e))), unexpected=None)
    job = runner.submit(_raise, pass_progress=False, exc=ShadematchError("no such photo"),
                        title="Opening x.jpg")
    _finish(qtbot, runner, job)
    assert reported == [("Opening x.jpg", "no such photo")]


def test_a_bug_is_logged_with_its_traceback_and_reported_once(qtbot, runner, caplog):
    reported, inline = [], []
    runner.set_reporters(expected=lambda t, e: reported.append(("expected", t)),
                         unexpected=lambda t, e: reported.append((t, type(e).__name__)))
    with caplog.at_level("ERROR", logger="shadematch.gui.common.workers"):
        job = runner.submit(_raise, pass_progress=False, exc=ZeroDivisionError("x"),
                            title="Measuring", on_expected=lambda e: inline.append(e))
        _finish(qtbot, runner, job)
    assert reported == [("Measuring", "ZeroDivisionError")] and inline == []
    assert "Measuring failed" in caplog.text and "Traceback" in caplog.text


def test_on_error_replaces_the_policy_and_cancelled_jobs_say_nothing(qtbot, runner):
    import threading

    seen, reported = [], []
    runner.set_reporters(expected=lambda t, e: reported.append(t),
                         unexpected=lambda t, e: reported.append(t))
    job = runner.submit(_raise, pass_progress=False, exc=ShadematchError("raw"),
                        on_error=lambda exc, tb: seen.append((str(exc), "Traceback" in tb)))
    _finish(qtbot, runner, job)
    assert seen == [("raw", True)] and reported == []

    gate = threading.Event()

    def slow():
        gate.wait(5)
        raise ShadematchError("too late")

    first = runner.submit(slow, channel="c", pass_progress=False, title="first")
    runner.cancel_channel("c")
    gate.set()
    _finish(qtbot, runner, first)
    assert reported == []


def test_a_quiet_job_only_logs_its_failure(qtbot, runner, caplog):
    reported, cleaned = [], []
    runner.set_reporters(expected=lambda t, e: reported.append(t),
                         unexpected=lambda t, e: reported.append(t))
    with caplog.at_level("WARNING", logger="shadematch.gui.common.workers"):
        expected = runner.submit(_raise, pass_progress=False, exc=OSError("disk full"),
                                 title="Autosaving", quiet=True,
                                 on_failure=lambda e: cleaned.append(str(e)))
        _finish(qtbot, runner, expected)
        bug = runner.submit(_raise, pass_progress=False, exc=ZeroDivisionError("x"),
                            title="Preview", quiet=True)
        _finish(qtbot, runner, bug)
    assert reported == [] and cleaned == ["disk full"]
    assert "Autosaving failed: disk full" in caplog.text
    assert "Preview failed" in caplog.text and "Traceback" in caplog.text


def test_failure_text_is_the_expected_message_or_says_where_the_details_are():
    from shadematch.gui.common.workers import failure_text

    assert failure_text(ShadematchError("x.jpg is truncated: copy it again"), "Reading") == \
        "x.jpg is truncated: copy it again"
    text = failure_text(ZeroDivisionError("division by zero"), "The folder could not be read")
    assert text.startswith("The folder could not be read (division by zero)")
    assert "log file" in text
