"""Options generated from config dataclasses (codecritique.cli_options): types, defaults, repeated and nested
fields, choices and conversions reach the command as the config they describe."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import typer
from typer.testing import CliRunner

from codecritique.cli_options import Opt, build_config, config_command


@dataclass
class Inner:
    temperature: float = 0.6
    urls: list[str] = field(default_factory=list)
    name: str | None = None


@dataclass
class Outer:
    out: str = "runs/x"
    k: int = 4
    langs: tuple[str, ...] = ("python", "cpp")
    mode: str = "fast"
    cap: int | None = 4096
    flag: bool = False
    inner: Inner = field(default_factory=Inner)


OPTS = (Opt("out", "--out", "-o"), Opt("k", "-k", "--samples"), Opt("langs", "--lang"),
        Opt("mode", choices=("fast", "slow")), Opt("cap", to_config=lambda v: v or None), Opt("flag"),
        Opt("inner.temperature"), Opt("inner.urls", "--url"), Opt("inner.name"))


def _app(seen: list, base=None) -> typer.Typer:
    app = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)

    @app.command()
    @config_command(Outer, OPTS, base=base)
    def cmd(cfg: Outer, quiet: bool = typer.Option(False, "--quiet")) -> None:
        seen.append((cfg, quiet))

    @app.command()
    def other() -> None:  # two commands, so that `cmd` is a subcommand
        pass

    return app


def invoke(*args: str, base=None):
    seen: list = []
    r = CliRunner().invoke(_app(seen, base), ["cmd", *args])
    return r, seen


def test_nothing_given_is_the_dataclass_default():
    r, seen = invoke()
    assert r.exit_code == 0, r.output
    assert seen == [(Outer(), False)]


def test_every_kind_of_field_reaches_the_config():
    r, seen = invoke("-o", "d", "-k", "7", "--lang", "cpp", "--mode", "slow", "--cap", "0", "--flag",
                     "--temperature", "0.1", "--url", "http://a", "--url", "http://b", "--name", "m", "--quiet")
    assert r.exit_code == 0, r.output
    assert seen == [(Outer(out="d", k=7, langs=("cpp",), mode="slow", cap=None, flag=True,
                           inner=Inner(temperature=0.1, urls=["http://a", "http://b"], name="m")), True)]


def test_choices_are_checked_by_the_parser():
    r, seen = invoke("--mode", "medium")
    assert r.exit_code == 2 and not seen
    assert "'medium' is not one of 'fast', 'slow'" in " ".join(r.output.split())


def test_help_shows_the_dataclass_defaults():
    r = CliRunner().invoke(_app([]), ["cmd", "--help"], env={"COLUMNS": "200"})
    lines = {line.split()[0].rstrip(","): line for line in r.output.splitlines() if line.strip().startswith("-")}
    assert "[default: 4]" in lines["-k"] and "[default: 0.6]" in lines["--temperature"]
    assert "[default: 4096]" in lines["--cap"] and "[default: runs/x]" in lines["-o"]
    assert "default" not in lines["--url"]  # an empty list is no default worth showing


def test_a_command_may_start_from_another_config():
    r, seen = invoke("-k", "2", base=lambda: Outer(out="elsewhere", inner=Inner(temperature=0.0)))
    assert seen[0][0] == Outer(out="elsewhere", k=2, inner=Inner(temperature=0.0))


def test_build_config_never_changes_the_base():
    base = Outer()
    cfg = build_config(base, OPTS[6:8], {"temperature": 0.3, "urls": ["u"]})
    assert cfg.inner == Inner(temperature=0.3, urls=["u"]) and base == Outer()


def test_a_name_given_twice_is_refused():
    with pytest.raises(TypeError, match="two options of the same name"):
        config_command(Outer, (Opt("k"),))(lambda cfg, k=typer.Option(1): None)


def test_cpp_profile_names_in_the_judge_config_are_the_compilers():
    from codecritique.judge.config import CPP_PROFILES
    from codecritique.judge.cpp_profiles import PROFILES

    assert CPP_PROFILES == tuple(PROFILES)
