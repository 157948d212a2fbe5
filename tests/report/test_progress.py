"""Progress for people (report.progress): off a terminal, one status line per interval (never '\r' updates), with
work found done already counted but kept out of the rate, and no ETA from a single row of a batch."""

import io
import time

from codecritique.report.progress import Progress


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_lines_not_carriage_returns():
    out = Pipe()
    with Progress("judge", 10, unit="sample", stream=out, interval=3600) as p:
        for _ in range(10):
            p.update()
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    # one line when it starts and one when it is done: nothing per update in between
    assert len(lines) == 2 and lines[0].startswith("judge: 0/10 samples") and lines[1].startswith("judge: 10/10")


def test_a_status_line_comes_even_while_nothing_finishes():
    out = Pipe()
    with Progress("generate", 4, unit="response", stream=out, interval=0.05):
        time.sleep(0.3)  # one batch decoding: no update for a while
    assert len(out.getvalue().splitlines()) >= 3


def test_resumed_work_is_counted_but_not_in_the_rate():
    out = Pipe()
    with Progress("critique", 100, unit="response", stream=out, interval=3600) as p:
        p.skip(90)  # read back from the store
        p.start -= 10.0  # ten seconds of work for the next ten
        for _ in range(10):
            p.update(tokens=5)
    last = out.getvalue().splitlines()[-1]
    assert "100/100 responses" in last and "90 already done" in last
    assert "1.00 responses/s" in last or "0.99 responses/s" in last  # 10 new in ~10 s, not 100 in 10 s


def test_no_eta_before_a_batch_is_done():
    p = Progress("generate", 40, unit="response", stream=Pipe(), eta_after=20)
    p.start -= 60
    p.update()
    assert "ETA" not in p.line() and "s/response" not in p.line()
    p.update(19)
    assert "ETA 1:00" in p.line()  # 20 in 60 s: 20 more in 60 s


def test_update_to_treats_the_first_report_as_resumed():
    p = Progress("judge", stream=Pipe())
    p.update_to(30, 50)
    p.update_to(35)
    assert (p.done, p.skipped, p.total) == (35, 30, 50)


def test_on_a_terminal_one_line_redrawn_in_place():
    out = Terminal()
    with Progress("judge", 3, stream=out, interval=0) as p:
        for _ in range(3):
            p.update()
    assert out.getvalue().count("\n") == 1 and "\r" in out.getvalue()
