"""Choosing one of a problem's k solutions ("self-critique test-time scaling", OCR-II paper §3, App. A).

Every strategy reduces to a *candidate set*: the solutions it picks among uniformly at random. A strategy
with no random element has one candidate; a tie (equal critique lengths, equally large output clusters) or a
random rule has several. :class:`Selection` then reports

* ``p_pass``: the EXACT probability that the selected solution passes, i.e. the fraction of candidates that
  pass. This is the value metrics average into pass@1|select@k. Ties are thus broken by an exact expectation,
  the same convention as the random rules, so a reported number never depends on a seed;
* ``selected``: one seeded uniform draw from the candidates, the solution a user would actually submit.
  Deterministic given ``seed`` and the problem id (``random.Random(f"{seed}:{problem_id}")``), independent
  of the order problems are processed in.

When a rule finds no candidate (e.g. nothing is judged ``right``; the paper is silent on it, step 5) a
*fallback* over the whole pool applies and is recorded in ``Selection.fallbacks``:

* ``random`` (default): uniform over the pool, i.e. expected pass = fraction of the pool that passes;
* ``shortest-wrong``: the ``wrong``-judged solution with the shortest critique (if every critique is
  unparsable, it falls back in turn to ``random``, recorded as ``("shortest-wrong", "random")``);
* ``first``: the solution with the lowest ``sample_index``.

Beyond the paper, on model-written tests and judgement probabilities (the rules are in :mod:`.agreement`, each with
its source; here they are applied to records): ``codet`` (CodeT's dual execution agreement on the generated
asserts), ``cluster`` (AlphaCode / MBR-exec: the largest group with the same outputs on the generated inputs),
``p-right`` (highest P(right) of the critique's judgement) and ``cascade`` (public tests, then agreement, then
output clusters, then the critique). Each needs its fields on some record; on a problem where a rule finds nothing
to go on (no generated test passed, no P(right)), the fallback applies as for the paper's rules.

Pass@k (the "oracle") is not a strategy; see :mod:`codecritique.metrics.passk`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from codecritique.errors import CodecritiqueError
from codecritique.metrics import agreement
from codecritique.metrics.records import Sample

FALLBACKS = ("random", "shortest-wrong", "first")
DEFAULT_FALLBACK = "random"

# The candidates a rule picks among uniformly, and the fallbacks it applied (empty if its own rule applied).
Choice = tuple[list[Sample], tuple[str, ...]]


class StrategyUnavailable(CodecritiqueError, ValueError):
    """A strategy was asked for but the records lack the field it needs."""


@dataclass(frozen=True)
class Selection:
    """The outcome of one strategy on one problem."""

    problem_id: str
    strategy: str
    candidates: tuple[int, ...]  # sample indexes picked among uniformly
    p_pass: float  # exact probability that the selected solution passes
    selected: int  # a seeded uniform draw from candidates
    selected_passed: bool
    fallbacks: tuple[str, ...]  # fallbacks applied, outermost first; () if the strategy's own rule applied


def _shortest(pool: Sequence[Sample], judgement: str) -> list[Sample]:
    """The samples judged ``judgement`` whose critique reasoning trace is shortest (all of them, if tied)."""
    judged = [s for s in pool if s.judgement == judgement]
    if not judged:
        return []
    shortest = min(s.critique_reasoning_tokens for s in judged)
    return [s for s in judged if s.critique_reasoning_tokens == shortest]


def _fallback(pool: Sequence[Sample], fallback: str) -> Choice:
    if fallback == "random":
        return list(pool), ("random",)
    if fallback == "first":
        return [pool[0]], ("first",)
    shortest_wrong = _shortest(pool, "wrong")
    if shortest_wrong:
        return shortest_wrong, ("shortest-wrong",)
    return list(pool), ("shortest-wrong", "random")


def shortest_critique(pool: Sequence[Sample], fallback: str) -> Choice:
    """The paper's rule (OCR-II paper §3, App. A; Fig. 5 "shortest critique thinking"): among solutions judged
    ``right``, the one whose critique reasoning trace has the fewest tokens; ties uniformly."""
    return (shortest, ()) if (shortest := _shortest(pool, "right")) else _fallback(pool, fallback)


def random_right(pool: Sequence[Sample], fallback: str) -> Choice:
    """The paper's baseline (App. A, Fig. 5 "random critique"): uniform among solutions judged ``right``."""
    return (right, ()) if (right := [s for s in pool if s.judgement == "right"]) else _fallback(pool, fallback)


def public_tests_critique(pool: Sequence[Sample], fallback: str) -> Choice:
    """Beyond the paper: keep the solutions that pass the statement's sample tests (``passed_public``) and
    apply :func:`shortest_critique` to them (its fallback then ranges over those solutions only). If none
    passes the sample tests: :func:`shortest_critique` over all, recorded as fallback ``no-public-pass``."""
    public = [s for s in pool if s.passed_public]
    if public:
        return shortest_critique(public, fallback)
    candidates, fallbacks = shortest_critique(pool, fallback)
    return candidates, ("no-public-pass", *fallbacks)


def majority_output(pool: Sequence[Sample], fallback: str) -> Choice:
    """Beyond the paper: cluster solutions by ``output_signature`` (their outputs on the sample tests) and
    pick uniformly within the largest cluster. Equally large clusters are tied: picking one uniformly and
    then a member uniformly is the same as picking uniformly in their union, which is the candidate set.
    Never needs a fallback."""
    clusters: dict[str, list[Sample]] = defaultdict(list)
    for s in pool:
        clusters[s.output_signature].append(s)
    largest = max(len(c) for c in clusters.values())
    return [s for s in pool if len(clusters[s.output_signature]) == largest], ()


def candidate(s: Sample) -> agreement.Candidate:
    """A record as :mod:`.agreement` sees it."""
    return agreement.Candidate(
        index=s.sample_index, passed=s.passed,
        gen_passed=None if s.generated_tests_passed is None else frozenset(s.generated_tests_passed),
        outputs=s.generated_outputs, p_right=s.p_right, judgement=s.judgement,
        critique_tokens=s.critique_reasoning_tokens, passed_public=s.passed_public)


def _agreement_rule(name: str) -> Callable[[Sequence[Sample], str], Choice]:
    rule = agreement.STRATEGIES[name].rule

    def apply(pool: Sequence[Sample], fallback: str) -> Choice:
        weights = next((s.generated_test_weights for s in pool if s.generated_test_weights is not None), None)
        pick = rule([candidate(s) for s in pool], weights)
        if pick.rule.startswith("fallback"):
            return _fallback(pool, fallback)
        chosen = set(pick.candidates)
        return [s for s in pool if s.sample_index in chosen], ()

    apply.__doc__ = rule.__doc__
    return apply


@dataclass(frozen=True)
class Strategy:
    name: str
    rule: Callable[[Sequence[Sample], str], Choice]
    requires: str | None = None  # the optional record field the strategy needs on every sample
    any_of: tuple[str, ...] = ()  # optional record fields of which some sample must have one


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("shortest-critique", shortest_critique),
        Strategy("random-right", random_right),
        Strategy("public-tests+critique", public_tests_critique, requires="passed_public"),
        Strategy("majority-output", majority_output, requires="output_signature"),
        Strategy("codet", _agreement_rule("codet"), any_of=("generated_tests_passed",)),
        Strategy("cluster", _agreement_rule("cluster"), any_of=("generated_outputs",)),
        Strategy("p-right", _agreement_rule("p-right"), any_of=("p_right",)),
        Strategy("cascade", _agreement_rule("cascade"),
                 any_of=("generated_tests_passed", "generated_outputs", "p_right")),
    )
}


def get_strategy(name: str) -> Strategy:
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown selection strategy {name!r}; known: {', '.join(STRATEGIES)}") from None


def unavailable_reason(name: str, samples: Sequence[Sample], *, pool: bool = False) -> str | None:
    """Why strategy ``name`` cannot run on ``samples`` (a field it needs is missing), or None if it can."""
    strategy = get_strategy(name)
    # ``any_of`` is a property of the whole run (one problem without generated tests falls back), not of a pool
    if strategy.any_of and not pool and not any(getattr(s, f) is not None for s in samples for f in strategy.any_of):
        return f"needs field {' or '.join(repr(f) for f in strategy.any_of)} on some record"
    needed = strategy.requires
    if needed is None:
        return None
    missing = list(map(attrgetter(needed), samples)).count(None)
    if missing:
        return f"needs field '{needed}' on every record; missing on {missing} of {len(samples)} samples"
    return None


def select(samples: Sequence[Sample], strategy: str = "shortest-critique", *,
           fallback: str = DEFAULT_FALLBACK, seed: int = 0) -> Selection:
    """Apply ``strategy`` to the samples of one problem (the pool; order does not matter)."""
    if fallback not in FALLBACKS:
        raise ValueError(f"unknown fallback {fallback!r}; known: {', '.join(FALLBACKS)}")
    rule = get_strategy(strategy).rule
    if not samples:
        raise ValueError("select() needs at least one sample")
    problem_id = samples[0].problem_id
    if len(set(map(attrgetter("problem_id"), samples))) != 1:
        raise ValueError("select() takes the samples of one problem")
    if reason := unavailable_reason(strategy, samples, pool=True):
        raise StrategyUnavailable(f"strategy {strategy!r} is unavailable: {reason}")
    pool = sorted(samples, key=attrgetter("sample_index"))
    candidates, fallbacks = rule(pool, fallback)
    drawn = random.Random(f"{seed}:{problem_id}").choice(candidates)
    return Selection(
        problem_id=problem_id,
        strategy=strategy,
        candidates=tuple(s.sample_index for s in candidates),
        p_pass=sum(s.passed for s in candidates) / len(candidates),
        selected=drawn.sample_index,
        selected_passed=drawn.passed,
        fallbacks=fallbacks,
    )
