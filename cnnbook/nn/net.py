"""``SimpleConvNet``: the small convolutional network of *Deep Learning from Scratch*, chapter 7.

::

    x (N, C, H, W)
      -> Convolution (F filters, K x K)  -> Relu -> Pooling (max, 2 x 2, stride 2)
      -> Affine (hidden units)           -> Relu
      -> Affine (classes)                -> SoftmaxWithLoss

With the defaults (1 x 28 x 28 input, 30 filters of 5 x 5, 100 hidden units, 10 classes) the
shapes are 1x28x28 -> 30x24x24 -> 30x12x12 = 4320 -> 100 -> 10, and the network has
30*25 + 30 + 4320*100 + 100 + 100*10 + 10 = 433,890 parameters.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import zipfile
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import numpy as np
from numpy.lib.npyio import NpzFile
from numpy.typing import ArrayLike, DTypeLike

from cnnbook._validate import check_int, check_real, nchw_array
from cnnbook.conv import conv_output_size
from cnnbook.nn.gradcheck import numerical_gradient as _numerical_gradient
from cnnbook.nn.layers import (
    Affine,
    Convolution,
    ConvPool,
    Pooling,
    Relu,
    SoftmaxWithLoss,
    class_labels,
)

__all__ = ["NetConfig", "SimpleConvNet", "npz_path", "save_npz"]

PARAM_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


@dataclasses.dataclass(frozen=True)
class NetConfig:
    """The architecture and initialisation of a :class:`SimpleConvNet` (checked, read-only).

    ``SimpleConvNet(**config.kwargs())`` builds a network with the same architecture and initial
    weights.

    Examples
    --------
    >>> SimpleConvNet().config.conv_param
    {'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1}
    """

    input_dim: tuple[int, int, int]
    filter_num: int
    filter_size: int
    pad: int
    stride: int
    hidden_size: int
    output_size: int
    weight_init_std: float | str
    seed: int
    dtype: np.dtype
    fast: bool

    @property
    def conv_param(self) -> dict[str, int]:
        """The convolution's ``filter_num``, ``filter_size``, ``pad`` and ``stride`` as a dict."""
        return {k: getattr(self, k) for k in ("filter_num", "filter_size", "pad", "stride")}

    def kwargs(self) -> dict[str, object]:
        """The keyword arguments of :class:`SimpleConvNet` that reproduce this configuration."""
        names = (
            "input_dim",
            "hidden_size",
            "output_size",
            "weight_init_std",
            "seed",
            "dtype",
            "fast",
        )
        return {"conv_param": self.conv_param, **{k: getattr(self, k) for k in names}}


def npz_path(path: str | PathLike) -> Path:
    """The file name rule of the package's ``.npz`` files: ``.npz`` is appended when missing.

    Saving and loading both apply it, so ``save_params("params.pkl")`` writes
    ``params.pkl.npz`` and ``load_params("params.pkl")`` reads that same file.

    Examples
    --------
    >>> npz_path("params").name, npz_path("params.npz").name, npz_path("p.pkl").name
    ('params.npz', 'params.npz', 'p.pkl.npz')
    """
    if not isinstance(path, (str, PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def save_npz(path: str | PathLike, arrays: Mapping[str, np.ndarray]) -> Path:
    """Write ``arrays`` to an ``.npz`` file atomically; return the path written.

    The arrays go to a temporary file in the target's folder, which then replaces the target in
    one step (:func:`os.replace`): an interrupted or failed save leaves the previous file intact,
    and no temporary file is left behind, whether the save succeeds or fails.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> save_npz(os.path.join(folder, "a"), {"x": np.ones(2)}).name
    'a.npz'
    >>> os.listdir(folder)
    ['a.npz']
    """
    path = npz_path(path)
    if not isinstance(arrays, Mapping):
        raise TypeError(f"arrays must be a mapping of names to arrays, got {type(arrays).__name__}")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # the mode of a file written with open(), not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class SimpleConvNet:
    """Conv - ReLU - max pool - affine - ReLU - affine - softmax, in NumPy.

    Parameters
    ----------
    input_dim : tuple of int, optional
        ``(C, H, W)`` of one input image.
    conv_param : dict, optional
        ``filter_num`` (F), ``filter_size`` (K), ``pad`` and ``stride`` of the convolution.
    hidden_size : int, optional
        Units of the hidden affine layer (at least 1).
    output_size : int, optional
        Number of classes (at least 2).
    weight_init_std : float or {"he"}, optional
        Standard deviation of the Gaussian initial weights, or ``"he"`` for He initialisation,
        ``sqrt(2 / fan_in)`` per layer (fan-in ``C*K*K``, then the pooled size, then
        ``hidden_size``). Biases start at 0.
    seed : int, optional
        Seed of the initial weights (``np.random.default_rng(seed)``), a non-negative integer.
    dtype : numpy dtype, optional
        Floating-point type of parameters and computations; float32 (default) for speed,
        float64 for gradient checks.
    fast : bool, optional
        The one switch between the two routes: ``True`` (default) builds the layers with
        ``fast=True`` (the kernels of :mod:`cnnbook.nn.fast`), runs the convolution and the
        pooling as one layer and pools before the first ReLU (they commute; see :attr:`order`);
        ``False`` is the textbook network. Same results.

    Attributes
    ----------
    config : NetConfig
        The checked arguments (read-only); ``SimpleConvNet(**net.config.kwargs())`` rebuilds the
        network with its initial weights.
    params : dict of numpy.ndarray
        ``W1, b1`` (convolution), ``W2, b2`` (hidden affine), ``W3, b3`` (output affine). The
        layers hold these very arrays: updating them in place updates the network.
    layers : dict
        The layers in the textbook order, ``Conv1, Relu1, Pool1, Affine1, Relu2, Affine2``; the
        fast network also has ``ConvPool1`` (a :class:`~cnnbook.nn.layers.ConvPool` of ``Conv1``
        and ``Pool1``), which runs the two as one layer.
    order : tuple of str
        The order in which :meth:`predict`, :meth:`loss` and :meth:`gradient` apply the layers:
        the textbook order, or, in the fast network, ``ConvPool1, Relu1, Affine1, Relu2,
        Affine2`` (it pools before it rectifies).
    last_layer : SoftmaxWithLoss
        The loss layer.
    last_loss : float or None
        The loss of the batch seen by the latest :meth:`gradient` call.

    Raises
    ------
    ValueError
        If a size is out of range (for example a filter larger than the padded input, or an
        empty input), a ``conv_param`` key is missing or unknown, or ``weight_init_std`` is not a
        positive finite number or ``"he"``.
    TypeError
        If a size or the seed is not an integer, or ``weight_init_std`` is not a number.

    Examples
    --------
    >>> net = SimpleConvNet()
    >>> sum(p.size for p in net.params.values())
    433890
    >>> net.predict(np.zeros((2, 1, 28, 28), dtype=np.float32)).shape
    (2, 10)
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (1, 28, 28),
        conv_param: Mapping[str, int] | None = None,
        hidden_size: int = 100,
        output_size: int = 10,
        weight_init_std: float | str = 0.01,
        seed: int = 0,
        dtype: DTypeLike = np.float32,
        *,
        fast: bool = True,
    ) -> None:
        defaults = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
        if conv_param is None:
            conv_param = defaults
        if not isinstance(conv_param, Mapping) or set(conv_param) != set(defaults):
            raise ValueError(
                f"conv_param must be a dict with exactly the keys {sorted(defaults)}, "
                f"got {conv_param!r}"
            )
        if not isinstance(input_dim, (tuple, list)) or len(input_dim) != 3:
            raise ValueError(f"input_dim must be a tuple (C, H, W), got {input_dim!r}")
        input_dim = tuple(check_int(v, f"input_dim[{i}]", 1) for i, v in enumerate(input_dim))
        conv = {
            k: check_int(conv_param[k], f"conv_param['{k}']", 0 if k == "pad" else 1)
            for k in defaults
        }
        hidden_size = check_int(hidden_size, "hidden_size", 1)
        output_size = check_int(output_size, "output_size", 2)
        seed = check_int(seed, "seed", 0)
        if isinstance(weight_init_std, str):
            if weight_init_std.lower() != "he":
                raise ValueError(
                    f'weight_init_std must be a positive number or "he", got {weight_init_std!r}'
                )
        else:
            weight_init_std = check_real(weight_init_std, "weight_init_std", minimum=0, strict=True)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise TypeError(f"dtype must be a floating-point type, got {self.dtype}")
        self.config = NetConfig(
            input_dim=input_dim,
            **conv,
            hidden_size=hidden_size,
            output_size=output_size,
            weight_init_std=weight_init_std,
            seed=seed,
            dtype=self.dtype,
            fast=bool(fast),
        )
        conv_param = conv
        c, h, w = input_dim
        f, k = conv_param["filter_num"], conv_param["filter_size"]
        pad, stride = conv_param["pad"], conv_param["stride"]
        conv_h = conv_output_size(h, k, stride, pad)
        conv_w = conv_output_size(w, k, stride, pad)
        pool_size = f * conv_output_size(conv_h, 2, 2) * conv_output_size(conv_w, 2, 2)

        fan_in = {"W1": c * k * k, "W2": pool_size, "W3": hidden_size}
        shapes = {
            "W1": (f, c, k, k),
            "b1": (f,),
            "W2": (pool_size, hidden_size),
            "b2": (hidden_size,),
            "W3": (hidden_size, output_size),
            "b3": (output_size,),
        }
        if isinstance(weight_init_std, str):
            scale = {key: np.sqrt(2.0 / n) for key, n in fan_in.items()}
        else:
            scale = dict.fromkeys(fan_in, weight_init_std)
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        for key in PARAM_KEYS:
            if key.startswith("W"):
                value = scale[key] * rng.standard_normal(shapes[key])
            else:
                value = np.zeros(shapes[key])
            self.params[key] = value.astype(self.dtype)

        p = self.params
        self.layers = {
            "Conv1": Convolution(p["W1"], p["b1"], stride, pad, need_input_grad=False, fast=fast),
            "Relu1": Relu(),
            "Pool1": Pooling(2, 2, stride=2, fast=fast),
            "Affine1": Affine(p["W2"], p["b2"]),
            "Relu2": Relu(),
            "Affine2": Affine(p["W3"], p["b3"]),
        }
        # The order in which forward applies the layers (backward runs it in reverse). The fast
        # network pools before it rectifies: max pooling and ReLU commute (the maximum of
        # rectified values is the rectified maximum, and the gradients agree too), and rectifying
        # the pooled maps touches a quarter of the data. It also runs the convolution and the
        # pooling as one layer, ConvPool1, whose convolution writes its output in the order the
        # pooling reads it. ``layers`` keeps the textbook order, ConvPool1 last.
        self.order = tuple(self.layers)
        if fast:
            self.layers["ConvPool1"] = ConvPool(self.layers["Conv1"], self.layers["Pool1"])
            self.order = ("ConvPool1", "Relu1", "Affine1", "Relu2", "Affine2")
        self.last_layer = SoftmaxWithLoss()
        self.last_loss: float | None = None

    def _input(self, x: ArrayLike) -> np.ndarray:
        x = nchw_array(x, "x")
        expected = self.config.input_dim
        if x.shape[1:] != expected:
            raise ValueError(
                f"x must have shape (N, {', '.join(map(str, expected))}), got {x.shape}"
            )
        return x.astype(self.dtype, copy=False)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        for name in self.order:
            x = self.layers[name].forward(x)
        return x

    def predict(self, x: ArrayLike, batch_size: int = 1000) -> np.ndarray:
        """Class scores (before softmax), shape ``(N, output_size)``.

        Parameters
        ----------
        x : array_like, shape (N, C, H, W)
            Images (converted to the network's dtype).
        batch_size : int, optional
            Images per forward pass, to bound memory on large inputs.

        Returns
        -------
        numpy.ndarray
            The scores, in the network's dtype.

        Examples
        --------
        >>> SimpleConvNet().predict(np.zeros((3, 1, 28, 28))).shape
        (3, 10)
        """
        x = self._input(x)
        batch_size = check_int(batch_size, "batch_size", 1)
        return np.concatenate(
            [self._forward(x[i : i + batch_size]) for i in range(0, x.shape[0], batch_size)]
        )

    def loss(self, x: ArrayLike, t: ArrayLike) -> float:
        """Mean cross-entropy loss on the batch ``(x, t)``; ``t`` as indices or one-hot rows.

        Examples
        --------
        >>> net = SimpleConvNet()
        >>> round(net.loss(np.zeros((2, 1, 28, 28)), [3, 7]), 1)
        2.3
        """
        return self.last_layer.forward(self._forward(self._input(x)), t)

    def accuracy(self, x: ArrayLike, t: ArrayLike, batch_size: int = 1000) -> float:
        """Fraction of examples whose highest score is the true class.

        Parameters
        ----------
        x : array_like, shape (N, C, H, W)
            Images.
        t : array_like
            Labels, class indices ``(N,)`` or one-hot ``(N, K)``.
        batch_size : int, optional
            Images per forward pass.

        Returns
        -------
        float
            Accuracy in ``[0, 1]``.

        Examples
        --------
        >>> SimpleConvNet().accuracy(np.zeros((2, 1, 28, 28)), [0, 1]) in (0.0, 0.5, 1.0)
        True
        """
        x = self._input(x)
        t = class_labels(t, x.shape[0], self.config.output_size)
        if t.ndim == 2:
            t = t.argmax(axis=1)
        scores = self.predict(x, batch_size)
        # a row of scores that is not finite (a diverged network) counts as wrong, never as right
        correct = (scores.argmax(axis=1) == t) & np.isfinite(scores).all(axis=1)
        return float(np.mean(correct))

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
        """Gradients of the loss by backpropagation, one forward and one backward pass.

        The loss of this forward pass is kept in :attr:`last_loss`, so a training step needs no
        second forward pass to report it.

        Parameters
        ----------
        x : array_like, shape (N, C, H, W)
            A batch of images.
        t : array_like
            Labels, class indices ``(N,)`` or one-hot ``(N, K)``.

        Returns
        -------
        dict of numpy.ndarray
            ``W1 .. b3``, each of its parameter's shape.

        Examples
        --------
        >>> net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 2,
        ...     "filter_size": 3, "pad": 0, "stride": 1}, hidden_size=4, output_size=3)
        >>> grads = net.gradient(np.ones((2, 1, 8, 8)), [0, 2])
        >>> grads["W1"].shape, grads["b3"].shape
        ((2, 1, 3, 3), (3,))
        """
        self.last_loss = self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for name in reversed(self.order):
            dout = self.layers[name].backward(dout)
        conv, a1, a2 = self.layers["Conv1"], self.layers["Affine1"], self.layers["Affine2"]
        return {"W1": conv.dW, "b1": conv.db, "W2": a1.dW, "b2": a1.db, "W3": a2.dW, "b3": a2.db}

    def numerical_gradient(
        self, x: ArrayLike, t: ArrayLike, h: float = 1e-5
    ) -> dict[str, np.ndarray]:
        """Gradients by central finite differences, in float64 (slow: two losses per parameter).

        A float64 copy of the network is perturbed one parameter at a time (see
        :func:`cnnbook.nn.gradcheck.numerical_gradient`); use a small network.

        Parameters
        ----------
        x : array_like, shape (N, C, H, W)
            A batch of images.
        t : array_like
            Labels.
        h : float, optional
            Finite-difference step.

        Returns
        -------
        dict of numpy.ndarray
            Float64 gradients ``W1 .. b3``.

        Examples
        --------
        >>> net = SimpleConvNet(input_dim=(1, 6, 6), conv_param={"filter_num": 1,
        ...     "filter_size": 3, "pad": 0, "stride": 1}, hidden_size=2, output_size=2)
        >>> net.numerical_gradient(np.ones((1, 1, 6, 6)), [1])["W1"].shape
        (1, 1, 3, 3)
        """
        twin = self.copy(np.float64)
        x64 = np.asarray(x, dtype=np.float64)
        return {
            key: _numerical_gradient(lambda _: twin.loss(x64, t), p, h)
            for key, p in twin.params.items()
        }

    def copy(self, dtype: DTypeLike | None = None) -> SimpleConvNet:
        """An independent copy of the network (same architecture and parameter values).

        Parameters
        ----------
        dtype : numpy dtype, optional
            dtype of the copy; by default the network's own.

        Returns
        -------
        SimpleConvNet
            The copy; its parameters are new arrays.

        Examples
        --------
        >>> SimpleConvNet().copy(np.float64).params["W1"].dtype
        dtype('float64')
        """
        kwargs = self.config.kwargs()
        if dtype is not None:
            kwargs["dtype"] = dtype
        twin = SimpleConvNet(**kwargs)
        for key, value in self.params.items():
            twin.params[key][...] = value
        return twin

    def save_params(self, path: str | PathLike) -> Path:
        """Save the parameters to an ``.npz`` file (arrays only, no pickle), atomically.

        ``.npz`` is appended to ``path`` when missing (:func:`npz_path`, the rule
        :meth:`load_params` applies too), and the file is written by :func:`save_npz`: a failed
        save leaves the previous file intact and no temporary file behind.

        Returns
        -------
        pathlib.Path
            The file written.

        Examples
        --------
        >>> import tempfile, os
        >>> net = SimpleConvNet()
        >>> path = net.save_params(os.path.join(tempfile.mkdtemp(), "params"))
        >>> path.name
        'params.npz'
        >>> loaded = SimpleConvNet(seed=1).load_params(path)
        >>> bool(np.array_equal(loaded.params["W1"], net.params["W1"]))
        True
        """
        return save_npz(path, self.params)

    def load_params(self, path: str | PathLike) -> SimpleConvNet:
        """Load parameters saved by :meth:`save_params` into this network (in place).

        ``.npz`` is appended to ``path`` when missing, as :meth:`save_params` does. The file is
        read with ``allow_pickle=False``. Every key ``W1 .. b3`` must be present with this
        network's shape, a floating-point dtype, and finite values that stay finite in the
        network's dtype (a float64 1e300 would become inf in float32). Nothing is changed unless
        every array passes.

        Parameters
        ----------
        path : str or os.PathLike
            The ``.npz`` file.

        Returns
        -------
        SimpleConvNet
            ``self``, for chaining.

        Raises
        ------
        ValueError
            If the file is not a readable ``.npz`` archive of arrays, keys are missing or
            unexpected, or an array's shape, dtype or values are not acceptable; the message
            names the file and the key.

        Examples
        --------
        See :meth:`save_params`.
        """
        path = npz_path(path)
        try:
            data = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
            raise ValueError(f"{path}: not a readable .npz file of arrays ({err})") from None
        if not isinstance(data, NpzFile):
            raise ValueError(f"{path}: not an .npz archive (it holds a single array)")
        with data:
            keys = set(data.files)
            if keys != set(PARAM_KEYS):
                raise ValueError(
                    f"{path}: expected the arrays {list(PARAM_KEYS)}, found {sorted(keys)}"
                )
            loaded = {}
            for key in PARAM_KEYS:
                try:
                    loaded[key] = data[key]
                except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
                    raise ValueError(f"{path}: array {key} cannot be read ({err})") from None
        for key, value in loaded.items():
            if value.shape != self.params[key].shape:
                raise ValueError(
                    f"{path}: {key} has shape {value.shape}, "
                    f"this network needs {self.params[key].shape}"
                )
            if value.dtype.kind != "f":
                raise ValueError(f"{path}: {key} has dtype {value.dtype}, expected floating point")
            with np.errstate(over="ignore"):
                finite = np.isfinite(value).all() and np.isfinite(value.astype(self.dtype)).all()
            if not finite:
                raise ValueError(
                    f"{path}: {key} holds NaN or infinite values (or values too large for "
                    f"{self.dtype})"
                )
        for key, value in loaded.items():
            self.params[key][...] = value
        return self
