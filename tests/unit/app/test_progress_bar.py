"""`brokersim run` draws a progress bar on stderr only when stderr is a terminal.

Usage: test_progress_bar.py BROKERSIM SCENARIO
"""
import os
import pty
import select
import subprocess
import sys
import tempfile
import unittest

BROKERSIM, SCENARIO = sys.argv[1], sys.argv[2]


def run_with_terminal_stderr(*options):
    """Runs brokersim with stderr on a pseudo-terminal; returns (stdout, what the terminal got)."""
    master, slave = pty.openpty()
    with tempfile.TemporaryFile() as stdout:
        process = subprocess.Popen([BROKERSIM, "run", *options, SCENARIO],
                                   stdout=stdout, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        terminal = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                process.kill()
                raise AssertionError("no output for 60 s")
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            terminal += chunk
        os.close(master)
        assert process.wait(timeout=60) == 0
        stdout.seek(0)
        return stdout.read(), terminal.decode()


def run_with_file_stderr(*options):
    with tempfile.TemporaryFile() as stderr:
        result = subprocess.run([BROKERSIM, "run", *options, SCENARIO], stdout=subprocess.PIPE,
                                stderr=stderr, timeout=60, check=True)
        stderr.seek(0)
        return result.stdout, stderr.read()


class ProgressBar(unittest.TestCase):
    def test_terminal_gets_a_bar_that_ends_with_a_newline(self):
        stdout, terminal = run_with_terminal_stderr()
        self.assertTrue(terminal.startswith("\r["), repr(terminal[:80]))
        self.assertTrue(terminal.endswith("\r\n"), repr(terminal[-80:]))  # the pty maps \n
        self.assertEqual(terminal.count("\n"), 1)
        last = terminal.rstrip().rsplit("\r", 1)[-1]
        self.assertIn("] 100%  sim ", last)
        self.assertIn(" deliveries", last)
        self.assertLessEqual(len(last), 79)
        self.assertIn(b"conservation: holds", stdout)

    def test_report_is_the_same_with_and_without_the_bar(self):
        with_bar, _ = run_with_terminal_stderr("--json")
        without_bar, stderr = run_with_file_stderr("--json")
        self.assertEqual(with_bar, without_bar)
        self.assertEqual(stderr, b"")

    def test_no_progress_draws_nothing(self):
        _, terminal = run_with_terminal_stderr("--no-progress")
        self.assertEqual(terminal, "")

    def test_progress_lines_replace_the_bar(self):
        _, terminal = run_with_terminal_stderr("--progress")
        lines = terminal.splitlines()
        self.assertTrue(lines[0].startswith("progress: time_s=0.000000 end_s="), lines[0])
        self.assertTrue(all(line.startswith("progress: ") for line in lines))
        self.assertNotIn("[", terminal)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
