"""Waiting for a condition with a deadline, for the end-to-end checkers:
never a fixed sleep as synchronisation. Sanitizer builds run 5 to 20
times slower, so their deadlines stretch 10 times (as SLOW in lib.sh)."""
import os
import time

SLOW = 10 if os.environ.get("TERRAIND_SANITIZER") else 1


def wait_until(condition, what, seconds=5):
    """Polls condition() until it returns a true value, and returns that
    value; raises AssertionError naming `what` after seconds * SLOW."""
    deadline = time.monotonic() + seconds * SLOW
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting until " + what)
        time.sleep(0.01)


def skip_part(what, why):
    """One check that cannot be made here: counted by tests/run.sh as a
    skip named TEST/WHAT with its reason (as skip_part in lib.sh)."""
    print("SKIPPED-PART: %s: %s" % (what, why), flush=True)
