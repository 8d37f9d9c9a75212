"""Frees the places in JACK 2's server registry that dead servers still hold.

JACK 2 (1.9.21) has 8 places for servers on a machine, in the shared
memory registry /dev/shm/jack-shm-registry. A server gives its place
back when it stops cleanly; one that is killed outright (a test run cut
off, a machine's CI job timed out) keeps it for good, because a new
server reclaims only a dead entry of its own name, and every test's
server has a name of its own. Eight such entries and no server starts
("Too many servers already active"). The tests' start_jack runs this
first: each entry whose process is gone is cleared, under the registry's
own lock (the System V semaphore jackd itself takes), so a server
starting beside it is never disturbed. Entries of live servers are kept.

Usage: jack_registry.py; says what it freed, and which servers hold the
places when all 8 are live. Always exits 0: it only helps a server start.
"""
import ctypes
import mmap
import os
import struct
import sys

REGISTRY = "/dev/shm/jack-shm-registry"
MAGIC = 0x4A41434B  # "JACK"
SEMAPHORE_KEY = 0x282929  # JACK_SEMAPHORE_KEY in jack2's shm.c
MAX_SERVERS = 8
HEADER_FIELDS = struct.Struct("<IIIIII")  # magic protocol type size hdr_len entry_len
SEM_UNDO = 0x1000


class SemBuf(ctypes.Structure):
    _fields_ = [("sem_num", ctypes.c_ushort), ("sem_op", ctypes.c_short), ("sem_flg", ctypes.c_short)]


class RegistryLock:
    """JACK's registry semaphore, taken and given back as jackd does (SEM_UNDO:
    released by the kernel if this process dies holding it)."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.semid = self.libc.semget(SEMAPHORE_KEY, 1, 0)

    def _op(self, delta):
        if self.semid < 0:
            return  # no JACK server has ever run here: nothing to race with
        op = SemBuf(0, delta, SEM_UNDO)
        if self.libc.semop(self.semid, ctypes.byref(op), 1) != 0:
            raise OSError(ctypes.get_errno(), "semop on JACK's registry lock failed")

    def __enter__(self):
        self._op(-1)
        return self

    def __exit__(self, *exc):
        self._op(1)


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live server
    return True


def server_entries(registry):
    """(offset, pid, name) of each of the 8 server places."""
    magic, _, _, _, hdr_len, _ = HEADER_FIELDS.unpack_from(registry, 0)
    if magic != MAGIC:
        raise ValueError(f"{REGISTRY} is not a JACK 2 registry (magic {magic:#x})")
    entry_size = (hdr_len - HEADER_FIELDS.size) // MAX_SERVERS
    for i in range(MAX_SERVERS):
        offset = HEADER_FIELDS.size + i * entry_size
        (pid,) = struct.unpack_from("<i", registry, offset)
        name = bytes(registry[offset + 4 : offset + entry_size]).split(b"\0")[0].decode(errors="replace")
        yield offset, entry_size, pid, name


def free_dead_entries(registry):
    freed, live = [], []
    for offset, entry_size, pid, name in server_entries(registry):
        if pid == 0:
            continue
        if process_alive(pid):
            live.append(name)
            continue
        registry[offset : offset + entry_size] = bytes(entry_size)
        freed.append(f"{name} (pid {pid})")
    return freed, live


def main():
    """Best effort: a registry it cannot read or lock is left as it is (the
    server's own start then says what is wrong); never an error."""
    try:
        fd = os.open(REGISTRY, os.O_RDWR)
    except FileNotFoundError:
        return 0
    except OSError as e:
        print("JACK's server registry left as it is: %s" % e)
        return 0
    try:
        with mmap.mmap(fd, 0) as registry, RegistryLock():
            freed, live = free_dead_entries(registry)
    except (OSError, ValueError) as e:
        print("JACK's server registry left as it is: %s" % e)
        return 0
    finally:
        os.close(fd)
    if freed:
        print("freed JACK registry places held by dead servers: " + ", ".join(freed))
    if len(live) == MAX_SERVERS:
        print(f"all {MAX_SERVERS} JACK server places are held by live servers: {', '.join(live)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
