"""Essential error lines: the traceback's end and the exception, without the noise of a training log."""

from __future__ import annotations

from mlzero_jupyter.execution import essential_error_lines, is_secret

NOISY_LOG = "\n".join([
    "Fitting model: LightGBM ...",
    "  0%|          | 0/100 [00:00<?, ?it/s]\r 50%|#####     | 50/100 [00:01<00:01, 50.0it/s]",
    "/venv/lib/python3.11/site-packages/sklearn/base.py:123: FutureWarning: the default will change",
    "  warnings.warn(",
    "\x1b[31mSomething red\x1b[0m",
    "Traceback (most recent call last):",
    *[f'  File "/venv/lib/module{i}.py", line {i}, in step{i}\n    step{i + 1}()' for i in range(10)],
    '  File "solution.py", line 42, in <module>',
    "    predictor.fit(train)",
    "ValueError: could not convert string to float: 'n/a'",
    "ValueError: could not convert string to float: 'n/a'",
])


def test_the_traceback_end_and_the_exception_are_kept() -> None:
    lines = essential_error_lines(NOISY_LOG).splitlines()
    assert lines[0] == "Traceback (most recent call last):" and lines[1] == "  ..."
    assert lines[-1] == "ValueError: could not convert string to float: 'n/a'"
    assert '  File "solution.py", line 42, in <module>' in lines and "    predictor.fit(train)" in lines
    assert not any("module0" in line or "Warning" in line or "it/s" in line for line in lines)
    assert len(lines) <= 2 + 4 * 2 + 1


def test_a_chained_exception_names_its_cause() -> None:
    log = ("Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    x()\nKeyError: 'price'\n\n"
           "During handling of the above exception, another exception occurred:\n\n"
           "Traceback (most recent call last):\n  File \"a.py\", line 3, in <module>\n    y()\n"
           "RuntimeError: column missing\n")
    text = essential_error_lines(log)
    assert text.startswith("(caused by) KeyError: 'price'") and text.endswith("RuntimeError: column missing")


def test_without_a_traceback_error_lines_or_the_last_lines_are_kept() -> None:
    assert essential_error_lines("loading\nloading\nKilled\n") == "Killed"
    crash = "step 1\nFatal Python error: Segmentation fault\n\nCurrent thread 0x1 (most recent call first):\n" \
            '  File "solution.py", line 2 in <module>\n'
    assert essential_error_lines(crash).startswith("Fatal Python error: Segmentation fault")
    assert essential_error_lines("one\ntwo\nthree", max_lines=2) == "two\nthree"
    assert essential_error_lines("") == ""
    assert len(essential_error_lines("x" * 10_000 + "Error")) < 600


def test_secret_names_and_values() -> None:
    for name in ("AWS_PROFILE", "OPENAI_API_KEY", "GITHUB_TOKEN", "HF_TOKEN", "DB_PASSWORD", "CLIENT_SECRET",
                 "SSH_AUTH_SOCK", "GOOGLE_APPLICATION_CREDENTIALS", "SIGNING_KEY", "openai_api_key"):
        assert is_secret(name), name
    for name in ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR", "HF_HUB_OFFLINE", "OMP_NUM_THREADS",
                 "KEYBOARD_LAYOUT", "VIRTUAL_ENV"):
        assert not is_secret(name), name
    assert is_secret("DATABASE_URL", "postgres://user:hunter2@db:5432/app")
    assert not is_secret("HTTPS_PROXY", "http://proxy.local:3128")
