"""Optimizers: rules that turn gradients into parameter updates.

Every optimizer has ``update(params, grads)``, which changes the arrays of ``params`` **in place**
(the network's layers hold those arrays), keeping their dtype (float32 stays float32). Writing
``p`` for a parameter, ``g`` for its gradient and ``lr`` for the learning rate:

* :class:`SGD`: ``p -= lr * g``;
* :class:`Momentum`: ``v = momentum * v + g``, ``p -= lr * v``;
* :class:`AdaGrad`: ``h += g**2``, ``p -= lr * g / (sqrt(h) + eps)``;
* :class:`RMSprop`: ``h = decay * h + (1 - decay) * g**2``, ``p -= lr * g / (sqrt(h) + eps)``;
* :class:`Adam`: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``,
  ``p -= lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - b1**t)``,
  ``v_hat = v / (1 - b2**t)`` (Kingma & Ba, 2015).

These are the update rules of ``torch.optim`` (SGD with momentum, Adagrad, RMSprop, Adam with
their default options), so results can be compared step by step. *Deep Learning from Scratch*
writes momentum as ``v = momentum * v - lr * g; p += v``, the same rule for a constant ``lr``.

Optimizer state (velocities, moment estimates, the step count) is exposed by ``state_dict()``
and restored by ``load_state_dict()`` as plain arrays, for checkpoints.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnnbook._validate import check_choice, check_fraction, check_int, check_real, real_array

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "Momentum",
    "Optimizer",
    "RMSprop",
    "make_optimizer",
]


class Optimizer:
    """Base class: argument checks and state (de)serialisation shared by the optimizers.

    Subclasses list their per-parameter state arrays in ``_slots`` and implement ``_step``.
    """

    _slots: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        self.lr = check_real(lr, "lr", minimum=0, strict=True)
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {slot: {} for slot in self._slots}

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Apply one update to every array of ``params`` in place.

        Parameters
        ----------
        params : dict of numpy.ndarray
            Parameters, modified in place.
        grads : dict of numpy.ndarray
            Gradients with the same keys and shapes.

        Raises
        ------
        ValueError
            If keys or shapes of ``params`` and ``grads`` differ, or the optimizer's state (from
            :meth:`load_state_dict`) does not have the shape of a parameter.
        TypeError
            If a parameter is not a floating-point NumPy array, or a gradient is complex or not
            numeric.
        """
        if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
            raise TypeError("params and grads must be dicts of arrays")
        if set(params) != set(grads):
            raise ValueError(
                f"params and grads must have the same keys, "
                f"got {sorted(params)} and {sorted(grads)}"
            )
        checked = {}
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise TypeError(
                    f"params[{key!r}] must be a floating-point numpy array (updated in place), "
                    f"got {type(p).__name__} {getattr(p, 'dtype', '')}"
                )
            g = real_array(grads[key], f"grads[{key!r}]")
            if g.shape != p.shape:
                raise ValueError(f"grads[{key!r}] has shape {g.shape}, params has {p.shape}")
            for slot in self._slots:
                held = self.state[slot].get(key)
                if held is not None and held.shape != p.shape:
                    raise ValueError(
                        f"optimizer state {slot}/{key} has shape {held.shape}, "
                        f"params[{key!r}] has {p.shape}"
                    )
            checked[key] = g.astype(p.dtype, copy=False)
        self.t += 1
        for key, p in params.items():
            for slot in self._slots:
                if key not in self.state[slot]:
                    self.state[slot][key] = np.zeros_like(p)
            self._step(key, p, checked[key])

    def _step(self, key: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """The optimizer's state as a flat dict of arrays (``"t"``, ``"<slot>/<key>"``).

        Examples
        --------
        >>> opt = Momentum()
        >>> opt.update({"w": np.ones(2)}, {"w": np.ones(2)})
        >>> sorted(opt.state_dict())
        ['t', 'v/w']
        """
        out = {"t": np.array(self.t)}
        for slot, arrays in self.state.items():
            for key, value in arrays.items():
                out[f"{slot}/{key}"] = value
        return out

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Restore a state produced by :meth:`state_dict` (arrays are copied).

        Raises
        ------
        ValueError
            If ``"t"`` is missing or not a non-negative integer, an entry belongs to no slot of
            this optimizer, the slots do not cover the same parameters, or an array is not real.
        """
        if not isinstance(state, Mapping) or "t" not in state:
            raise ValueError(
                f"state must be a dict from {type(self).__name__}.state_dict() with a step count "
                f"'t', got {sorted(state) if isinstance(state, Mapping) else type(state).__name__}"
            )
        t_value = np.asarray(state["t"])
        if t_value.ndim != 0 or t_value.dtype.kind not in "iu":
            raise ValueError(f"state['t'] must be an integer step count, got {state['t']!r}")
        t = check_int(int(t_value), "state['t']", 0)
        slots: dict[str, dict[str, np.ndarray]] = {slot: {} for slot in self._slots}
        for name, value in state.items():
            if name == "t":
                continue
            slot, _, key = name.partition("/")
            if slot not in slots:
                raise ValueError(
                    f"state entry {name!r} does not belong to {type(self).__name__} "
                    f"(its slots: {list(self._slots)})"
                )
            slots[slot][key] = np.array(real_array(value, f"state[{name!r}]"))
        keys = [set(arrays) for arrays in slots.values()]
        if any(k != keys[0] for k in keys):
            raise ValueError(
                f"the state's slots {list(slots)} must hold the same parameters, got "
                f"{[sorted(k) for k in keys]}"
            )
        self.t, self.state = t, slots


class SGD(Optimizer):
    """Stochastic gradient descent, ``p -= lr * g``.

    Examples
    --------
    >>> p = {"w": np.array([1.0])}
    >>> SGD(lr=0.1).update(p, {"w": np.array([2.0])})
    >>> p["w"]
    array([0.8])
    """

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _step(self, key, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    """SGD with momentum: ``v = momentum * v + g``, ``p -= lr * v``.

    Examples
    --------
    >>> p = {"w": np.array([1.0])}
    >>> opt = Momentum(lr=0.1, momentum=0.5)
    >>> for _ in range(2): opt.update(p, {"w": np.array([1.0])})
    >>> p["w"]
    array([0.75])
    """

    _slots = ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = check_fraction(momentum, "momentum")

    def _step(self, key, p, g):
        v = self.state["v"][key]
        v *= self.momentum
        v += g
        p -= self.lr * v


class AdaGrad(Optimizer):
    """AdaGrad: per-parameter steps shrinking with the accumulated squared gradient.

    Examples
    --------
    >>> p = {"w": np.array([1.0])}
    >>> AdaGrad(lr=0.5).update(p, {"w": np.array([4.0])})
    >>> np.round(p["w"], 6)
    array([0.5])
    """

    _slots = ("h",)

    def __init__(self, lr: float = 0.01, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.eps = check_real(eps, "eps", minimum=0, strict=True)

    def _step(self, key, p, g):
        h = self.state["h"][key]
        h += g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: like AdaGrad with an exponentially decaying average of squared gradients.

    Examples
    --------
    >>> p = {"w": np.array([1.0])}
    >>> RMSprop(lr=0.1, decay_rate=0.75).update(p, {"w": np.array([2.0])})
    >>> np.round(p["w"], 6)
    array([0.8])
    """

    _slots = ("h",)

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.decay_rate = check_fraction(decay_rate, "decay_rate")
        self.eps = check_real(eps, "eps", minimum=0, strict=True)

    def _step(self, key, p, g):
        h = self.state["h"][key]
        h *= self.decay_rate
        h += (1 - self.decay_rate) * (g * g)
        p -= self.lr * g / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam: momentum on the gradient and on its square, with bias correction.

    The update is computed in place, without temporary arrays: one scratch array per parameter
    is allocated at the first update and reused (it is not part of the state), and the bias
    corrections are folded into scalars. That matters for the 432,000 weights of the hidden layer.

    Examples
    --------
    >>> p = {"w": np.array([1.0])}
    >>> Adam(lr=0.1).update(p, {"w": np.array([3.0])})
    >>> np.round(p["w"], 6)
    array([0.9])
    """

    _slots = ("m", "v")

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        self.beta1 = check_fraction(beta1, "beta1")
        self.beta2 = check_fraction(beta2, "beta2")
        self.eps = check_real(eps, "eps", minimum=0, strict=True)
        self._scratch: dict[str, np.ndarray] = {}

    def _step(self, key, p, g):
        m, v = self.state["m"][key], self.state["v"][key]
        buf = self._scratch.get(key)
        if buf is None or buf.shape != p.shape or buf.dtype != p.dtype:
            buf = self._scratch[key] = np.empty_like(p)
        m -= g
        m *= self.beta1
        m += g  # m = b1 m + (1 - b1) g, written as b1 (m - g) + g
        np.multiply(g, g, out=buf)
        v -= buf
        v *= self.beta2
        v += buf  # v = b2 v + (1 - b2) g^2
        # p -= lr * (m / c1) / (sqrt(v / c2) + eps), c1, c2 the bias corrections, rewritten as
        # p -= (lr sqrt(c2) / c1) * m / (sqrt(v) + eps sqrt(c2)) to save passes over the arrays
        sqrt_c2 = np.sqrt(1 - self.beta2**self.t)
        np.sqrt(v, out=buf)
        buf += self.eps * sqrt_c2
        np.divide(m, buf, out=buf)
        buf *= self.lr * sqrt_c2 / (1 - self.beta1**self.t)
        p -= buf


#: The optimizers by lower-case name, as :func:`make_optimizer` and the command line accept them.
OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_optimizer(name: str, **kwargs) -> Optimizer:
    """Build an optimizer from its name (see :data:`OPTIMIZERS`).

    Parameters
    ----------
    name : str
        Case-insensitive optimizer name.
    **kwargs
        Passed to the optimizer (for example ``lr``).

    Returns
    -------
    Optimizer
        The new optimizer.

    Raises
    ------
    ValueError
        If the name is unknown.

    Examples
    --------
    >>> make_optimizer("Adam", lr=0.01).lr
    0.01
    """
    key = name.lower() if isinstance(name, str) else name
    return OPTIMIZERS[check_choice(key, "optimizer name", tuple(OPTIMIZERS))](**kwargs)
