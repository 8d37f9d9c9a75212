"""What the soaks (soak.py, stage_soak.py, voices_soak.sh) measure besides
the daemon's own /status: its resident memory, the CPU time the hypervisor
took, an outside witness of the machine's own stalls; and a percentile of
what they read."""
import os
import time


def percentile(values, q):
    """The q-quantile of values (the nearest rank below); -1 when empty."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else -1.0


def rss_kb(pid):
    """The process's resident memory (VmRSS), in kB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("process %d has no VmRSS" % pid)


def steal_seconds():
    """CPU time taken by the hypervisor, all CPUs (/proc/stat, in ticks)."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def witness(seconds, ring_ms):
    """Forks the witness, a process at real-time priority 3 (above the
    render thread's 2) that wakes every 2 ms for `seconds` and records how
    late it woke; returns a function that collects its report: the worst
    lateness in ms, and how many wake-ups were later than `ring_ms`. A
    machine that holds it up longer than the ring lasts cannot play
    glitch-free whatever the daemon does."""
    read_end, write_end = os.pipe()
    if os.fork() == 0:
        os.close(read_end)
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(3))
        except OSError:
            pass  # not allowed: the figures then include normal scheduling
        worst, stalls, end = 0.0, 0, time.monotonic() + seconds
        while time.monotonic() < end:
            t = time.monotonic()
            time.sleep(0.002)
            late = (time.monotonic() - t - 0.002) * 1e3
            worst = max(worst, late)
            stalls += late > ring_ms
        try:
            os.write(write_end, ("%f %d" % (worst, stalls)).encode())
        except BrokenPipeError:
            pass  # the soak ended early (its failure says why)
        os._exit(0)
    os.close(write_end)

    def report():
        text = os.read(read_end, 100).decode().split()
        os.wait()
        return float(text[0]), int(text[1])

    return report
