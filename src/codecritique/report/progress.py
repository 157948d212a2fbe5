"""Progress for people: a bar redrawn in place on a terminal, one status line every ``interval`` seconds when
stderr is a file or a pipe (no megabytes of ``\\r`` updates in a log).

Rates and ETAs count only the work done in this process: items found done already (a resumed run's stored
responses, cached verdicts) are shown in the count but not in the rate. When work completes in bursts (a local
model decodes a batch of rows at once), the ETA is only shown once ``eta_after`` items are done, so that one early
row cannot predict the whole run; the token rate, when the work reports tokens, is shown from the start.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """``with Progress("judge", total, unit="sample") as p: p.update(); p.skip(); p.update_to(done, total)``."""

    def __init__(self, what: str, total: int | None = None, *, unit: str = "item", disable: bool = False,
                 stream: TextIO | None = None, interval: float | None = None, eta_after: int = 1):
        self.what, self.total, self.unit = what, total, unit
        self.stream = stream or sys.stderr
        self.disable = disable
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.2 if self.tty else 30.0)
        self.eta_after = max(1, eta_after)
        self.done = 0  # everything counted, resumed included
        self.skipped = 0  # found done already: not in the rate
        self.tokens = 0
        self.status = ""
        self.start = time.monotonic()
        self._last = 0.0
        self._drawn = False
        self._last_done: int | None = None
        self._last_status = ""
        self._first_update = True
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # ------------------------------------------------------------------ feeding

    def update(self, n: int = 1, tokens: int | None = None) -> None:
        """``n`` items done now (``tokens`` generated for them, if known)."""
        self.done += n
        self.tokens += tokens or 0
        self._first_update = False
        self._maybe_draw()

    def skip(self, n: int = 1) -> None:
        """``n`` items found done already (resumed): counted, not in the rate."""
        self.done += n
        self.skipped += n
        self._maybe_draw()

    def update_to(self, done: int, total: int | None = None) -> None:
        """Absolute progress; the first report's count is what was done already (a resume)."""
        if total is not None:
            self.total = total
        if self._first_update:
            self._first_update = False
            self.skip(done - self.done)
        else:
            self.update(done - self.done)

    def set_status(self, text: str) -> None:
        self.status = text
        self._maybe_draw(force=True)

    # ------------------------------------------------------------------ drawing

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        new = self.done - self.skipped
        parts = [f"{self.what}: {self.done}" + (f"/{self.total}" if self.total else "") + f" {self.unit}s"]
        if self.total:
            parts[0] += f" ({100 * self.done / self.total:.0f}%)"
        if self.skipped:
            parts.append(f"{self.skipped} already done")
        parts.append(f"elapsed {_duration(elapsed)}")
        if self.tokens and elapsed > 0:
            parts.append(f"{self.tokens / elapsed:.1f} tokens/s")
        if new >= self.eta_after and elapsed > 0:  # one early row of a batch tells nothing of the rate
            rate = new / elapsed
            parts.append(f"{rate:.2f} {self.unit}s/s" if rate >= 0.1 else f"{1 / rate:.0f} s/{self.unit}")
            if self.total and self.done < self.total:
                parts.append(f"ETA {_duration((self.total - self.done) / rate)}")
        if self.status:
            parts.append(self.status)
        return ", ".join(parts)

    def _maybe_draw(self, force: bool = False) -> None:
        if self.disable:
            return
        now = time.monotonic()
        finished = self.total is not None and self.done >= self.total
        if not force and not finished and now - self._last < self.interval:
            return
        self._last = now
        self._draw()

    def _draw(self, final: bool = False) -> None:
        with self._lock:
            text = self.line()
            if final and not self.tty and self.done == self._last_done and self.status == self._last_status:
                return  # the last line already said it
            self._last_done, self._last_status = self.done, self.status
            if self.tty:
                self.stream.write("\r\x1b[2K" + text)
            else:
                self.stream.write(text + "\n")
            self.stream.flush()
            self._drawn = True

    def _tick(self) -> None:
        """Redraw while nothing finishes (a batch decoding for minutes): the elapsed time, the status."""
        period = 1.0 if self.tty else self.interval
        while not self._stop.wait(period):
            if time.monotonic() - self._last >= period:
                self._last = time.monotonic()
                self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self.disable:
            return
        if self.tty:
            if self._drawn:
                self._draw()
                self.stream.write("\n")
                self.stream.flush()
        elif self._drawn or self.done:
            self._draw(final=True)

    def __enter__(self) -> "Progress":
        if not self.disable:
            if not self.tty:
                self._draw()
                self._last = time.monotonic()
            self._ticker = threading.Thread(target=self._tick, name=f"progress-{self.what}", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()
