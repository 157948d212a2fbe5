"""Command-line options generated from the config dataclasses: a command lists which config fields it exposes
(and how they are spelled and explained); their types and defaults are read from the dataclass, never written
again here, and the command receives the config built from what was given.

>>> @app.command()
... @config_command(RunConfig, (Opt("k", "-k", "--samples", help="Solutions per problem."), Opt("backend.seed")))
... def run(cfg: RunConfig, quiet: bool = typer.Option(False)) -> None: ...

``codecritique run -k 8`` then calls ``run(RunConfig(k=8), quiet=False)``; an option not given keeps the field's
value in the config the command starts from (``base``: the dataclass's defaults unless the command names another
starting point, e.g. the dataset pipeline's embedded default).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from dataclasses import dataclass
from typing import Any, Callable, Literal, Optional, Sequence

import typer

_REPEATED = (list, tuple, typing.List, typing.Tuple, typing.Sequence)


@dataclass(frozen=True)
class Opt:
    """One config field as a command-line option.

    ``path``: the field, dotted through nested configs (``backend.temperature``). ``names``: the option's spellings
    (default ``--field-name``). ``choices``: the accepted values (checked and listed by the parser). ``to_config``:
    turns the given value into the field's value (e.g. ``0`` -> ``None``); it is not applied to an option left out.
    ``default``: the default shown and used when the field's own is not what the command line should start from
    (rare; e.g. a flag whose field is a tri-state). ``param``: the Python name (default: the field's name).
    """

    path: str
    names: tuple[str, ...] = ()
    help: Optional[str] = None
    metavar: Optional[str] = None
    choices: Optional[tuple[str, ...]] = None
    to_config: Optional[Callable[[Any], Any]] = None
    param: Optional[str] = None
    envvar: Optional[str] = None
    show_default: bool = True
    flag: Optional[str] = None  # a bool option's spelling, e.g. "--think-in-prompt" or "--public-examples/--no-..."

    def __init__(self, path: str, *names: str, **kw: Any):
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "names", names)
        for f in dataclasses.fields(self)[2:]:
            object.__setattr__(self, f.name, kw.pop(f.name, f.default))
        if kw:
            raise TypeError(f"Opt({path!r}): unknown settings {sorted(kw)}")

    @property
    def name(self) -> str:
        return self.param or self.path.rsplit(".", 1)[-1]

    @property
    def spelling(self) -> str:
        """How errors name the option: ``-k/--samples``, ``--base-url``."""
        plain = "--" + self.name.replace("_", "-")
        if self.flag:
            return self.flag.split("/")[0]
        return plain if not self.names or plain in self.names else "/".join(self.names)


def field_type(cls: type, path: str) -> Any:
    """The annotation of a dotted field path of a dataclass (nested dataclasses followed)."""
    *parents, last = path.split(".")
    for part in parents:
        cls = typing.get_type_hints(cls)[part]
    return typing.get_type_hints(cls)[last]


def get_path(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def replace_path(obj: Any, path: str, value: Any) -> Any:
    """A copy of ``obj`` with the dotted field set (nested dataclasses copied, never changed in place)."""
    head, _, rest = path.partition(".")
    if not rest:
        return dataclasses.replace(obj, **{head: value})
    return dataclasses.replace(obj, **{head: replace_path(getattr(obj, head), rest, value)})


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    args = typing.get_args(tp)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]), True
    return tp, False


def _is_repeated(tp: Any) -> bool:
    return typing.get_origin(tp) in _REPEATED or tp in _REPEATED


def _cli_type(opt: Opt, tp: Any) -> tuple[Any, bool]:
    """The parameter's annotation for typer, and whether the option is repeatable."""
    tp, optional = _strip_optional(tp)
    repeated = _is_repeated(tp)
    item = (typing.get_args(tp) or (str,))[0] if repeated else tp
    if opt.choices:
        item = Literal[opt.choices]  # type: ignore[valid-type]
    if repeated:
        return Optional[list[item]], True  # type: ignore[valid-type]
    return (Optional[item] if optional else item), False  # type: ignore[valid-type]


def _parameter(opt: Opt, cls: type, base: Any) -> inspect.Parameter:
    annotation, repeated = _cli_type(opt, field_type(cls, opt.path))
    default = None if repeated else get_path(base, opt.path)
    decls = [opt.flag] if opt.flag else list(opt.names)
    if not decls and annotation is bool:
        decls = ["--" + opt.name.replace("_", "-")]  # a flag, not --x/--no-x, as every flag of ours
    option = typer.Option(default, *decls, help=opt.help, metavar=opt.metavar, envvar=opt.envvar,
                          show_default=opt.show_default and default is not None and default != "")
    return inspect.Parameter(opt.name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation)


def build_config(base: Any, opts: Sequence[Opt], given: dict[str, Any]) -> Any:
    """``base`` with every option's value put into its field (repeated options left out keep the field's)."""
    cfg = base
    for opt in opts:
        value = given[opt.name]
        tp, _ = _strip_optional(field_type(type(base), opt.path))
        if _is_repeated(tp):
            if not value:
                continue
            value = tuple(value) if (typing.get_origin(tp) or tp) is tuple else list(value)
        if value == get_path(base, opt.path):
            continue
        cfg = replace_path(cfg, opt.path, opt.to_config(value) if opt.to_config else value)
    return cfg


def config_command(cls: type, opts: Sequence[Opt | str], base: Optional[Callable[[], Any]] = None):
    """Decorate a command ``f(cfg, **own_options)``: its options are ``opts`` (from ``cls``'s fields; a string in
    ``opts`` places the command's own parameter of that name there) followed by its other own ones; it is called
    with the config built from them over ``base()`` (default ``cls()``)."""
    make_base = base or cls
    fields = [o for o in opts if isinstance(o, Opt)]

    def decorate(f: Callable) -> Callable:
        hints = typing.get_type_hints(f)
        own = {p.name: p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation))
               for p in list(inspect.signature(f).parameters.values())[1:]}
        start = make_base()
        params = [own.pop(o) if isinstance(o, str) else _parameter(o, cls, start) for o in opts]
        params += list(own.values())
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise TypeError(f"{f.__name__}: two options of the same name")

        @functools.wraps(f)
        def command(**kwargs: Any) -> Any:
            given = {o.name: kwargs.pop(o.name) for o in fields}
            return f(build_config(make_base(), fields, given), **kwargs)

        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        del command.__wrapped__  # typer must read the generated signature, not f's
        OPTION_SPELLINGS.update({o.path.rsplit(".", 1)[-1]: o.spelling for o in fields
                                 if o.spelling != "--" + o.path.rsplit(".", 1)[-1].replace("_", "-")})
        return command

    return decorate


# field name -> how its option is spelled, where that is not --FIELD (errors name the option the user typed)
OPTION_SPELLINGS: dict[str, str] = {}
