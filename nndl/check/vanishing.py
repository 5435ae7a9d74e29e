"""Exercise 3's bound on the vanishing gradient, with mistake switches.

∂ℓ/∂w⁽¹⁾ of a network of L weight layers carries one θ′ factor per layer (the δ recursion
multiplies by θ′(S⁽ˡ⁾) at every layer, the output's included), each at most max θ′; so the
factors' product is at most (max θ′)^L — for the sigmoid (1/4)^L. :func:`bound_numbers`
computes the three numbers with any of :data:`BOUND_MISTAKES` switched on, the way
:func:`nndl.check.layers.chain` does for layer arithmetic: the diagnosis of a student's
number and a variant's wrong options both come from here."""

from __future__ import annotations

import numpy as np

from nndl.deep.backprop import theta, theta_prime

KEYS = ("theta_prime_factors_w1", "max_theta_prime", "theta_prime_bound_w1")
BOUND_MISTAKES = ("no_theta_prime", "sigma_for_sigma_prime", "one_layer_short", "one_layer_over")
_GRID = np.concatenate([np.linspace(-8.0, 8.0, 1601), [0.0, 1e-9]])  # every θ′ peaks at or from 0


def bound_numbers(sizes: tuple[int, ...], activation: str,
                  mistakes: frozenset[str] = frozenset()) -> dict[str, float | int] | None:
    """{factors, max θ′, bound} for ``sizes`` (input, hidden…, output) and θ = ``activation``
    with ``mistakes`` on; None where a switch does not apply (σ for σ′ is the sigmoid's)."""
    factors = len(sizes) - 1
    if "one_layer_short" in mistakes:
        factors -= 1  # the output layer's θ′ forgotten: hidden layers only
    if "one_layer_over" in mistakes:
        factors += 1  # the input layer counted as if it applied θ
    if "no_theta_prime" in mistakes:
        factors = 0  # the chain rule through θ without θ′: no factor at all
    primes = theta_prime(activation, _GRID)
    peak = float(np.max(primes))
    if "sigma_for_sigma_prime" in mistakes:
        if activation != "sigmoid":
            return None
        peak = float(theta(activation, _GRID[np.argmax(primes)]))  # σ(0) = 1/2 for σ′(0) = 1/4
    if factors < 0:
        return None
    return {"theta_prime_factors_w1": factors, "max_theta_prime": peak,
            "theta_prime_bound_w1": peak ** factors}


def mistaken_values(sizes: tuple[int, ...], activation: str, key: str) -> list[tuple[float, str]]:
    """(value, mistake) for each single mistake that changes ``key``'s number."""
    right = bound_numbers(sizes, activation)[key]  # type: ignore[index]
    out: list[tuple[float, str]] = []
    for m in BOUND_MISTAKES:
        got = bound_numbers(sizes, activation, frozenset({m}))
        if got is None or _close(got[key], right):
            continue
        if all(not _close(got[key], v) for v, _ in out):
            out.append((got[key], m))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-3 * max(abs(a), abs(b))
