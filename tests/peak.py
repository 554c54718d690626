"""Peak memory of the current process, for tests that run an import in a fresh process.

ru_maxrss is no use there: Linux carries it over from the parent across fork and exec, so a
child of a large pytest process starts with the parent's peak. VmHWM belongs to the process's
own memory map and can be reset (proc(5), /proc/pid/clear_refs).
"""

from __future__ import annotations

from pathlib import Path


def reset_peak() -> None:
    """Start the peak over from the memory held now."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    """The most resident memory this process has held since start or reset_peak(), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (not Linux?)")


def resident_mb() -> float:
    """The resident memory of this process now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (not Linux?)")
