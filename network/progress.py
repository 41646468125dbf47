"""A small text progress bar for management commands (stderr, one line, redrawn in place)."""

import sys
import time


class ProgressBar:
    def __init__(self, *, label: str, total: int | None = None, stream=None, width: int = 30):
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.width = width
        self._last_draw = 0.0

    def __enter__(self):
        self._draw(force=True)
        return self

    def __exit__(self, *exc):
        self._draw(force=True)
        self.stream.write("\n")
        self.stream.flush()

    def set_total(self, total: int) -> None:
        self.total = total
        self._draw(force=True)

    def advance(self, count: int = 1, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        self.done += count
        self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        if self.total:
            share = min(1.0, self.done / self.total)
            filled = int(share * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            line = f"\r{self.label:<14} [{bar}] {self.done}/{self.total} {share:4.0%}"
        else:
            line = f"\r{self.label:<14} {self.done} done"
        self.stream.write(line)
        self.stream.flush()
