"""``Trainer``: mini-batch training with seeded shuffling, history, progress bar and checkpoints.

Each epoch visits every training example exactly once: the indices are shuffled with
``rng.permutation`` (``rng = np.random.default_rng(seed)``) and cut into consecutive batches,
i.e. sampling *without* replacement. (*Deep Learning from Scratch* draws each batch with
``np.random.choice``, with replacement and unseeded.) After each epoch the trainer measures the
accuracy on the whole test set and on a fixed, seeded subset of the training set.

A checkpoint (``.npz``, no pickle) written after every epoch holds the parameters, the optimizer
state, the random generator's state and the history, so an interrupted run resumed from it ends
bit-identical to an uninterrupted one.
"""

from __future__ import annotations

import math
import sys
import time
import zipfile
from os import PathLike

import numpy as np
from numpy.typing import ArrayLike

from cnnbook._validate import check_int, check_seed
from cnnbook.nn.augment import random_shift
from cnnbook.nn.net import npz_path, save_npz
from cnnbook.nn.optim import Optimizer, make_optimizer

__all__ = ["Trainer", "cosine_lr"]

_HISTORY = ("train_loss", "lr", "train_acc", "test_acc", "epoch_time")
_SCHEDULES = ("constant", "cosine")


def cosine_lr(base_lr: float, step: int, total_steps: int) -> float:
    """Learning rate of step ``step`` (0-based) under cosine decay from ``base_lr`` to 0.

    ``base_lr * (1 + cos(pi * step / total_steps)) / 2`` (Loshchilov & Hutter, 2017, without
    restarts): large steps early, while the loss falls fast, and ever smaller ones as training
    ends, so that the last epochs settle into a minimum instead of rattling around it.

    Examples
    --------
    >>> [round(cosine_lr(1.0, k, 4), 3) for k in range(4)]
    [1.0, 0.854, 0.5, 0.146]
    """
    total_steps = check_int(total_steps, "total_steps", 1)
    if check_int(step, "step", 0) >= total_steps:
        raise ValueError(f"step must be < total_steps={total_steps}, got {step}")
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * step / total_steps))


def _rng_state_to_array(rng: np.random.Generator) -> np.ndarray:
    """PCG64 state (two 128-bit integers and a cached word) as six uint64 words."""
    state = rng.bit_generator.state
    if state["bit_generator"] != "PCG64":
        raise TypeError(f"only PCG64 generators can be checkpointed, got {state['bit_generator']}")
    words = []
    for value in (state["state"]["state"], state["state"]["inc"]):
        words += [value >> 64, value & (2**64 - 1)]
    words += [state["has_uint32"], state["uinteger"]]
    return np.array(words, dtype=np.uint64)


def _rng_from_array(words: np.ndarray) -> np.random.Generator:
    w = [int(v) for v in words]
    bit_generator = np.random.PCG64()
    bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": (w[0] << 64) | w[1], "inc": (w[2] << 64) | w[3]},
        "has_uint32": w[4],
        "uinteger": w[5],
    }
    return np.random.Generator(bit_generator)


class Trainer:
    """Train a network with mini-batches and an optimizer.

    Parameters
    ----------
    network : SimpleConvNet
        Any object with ``params``, ``gradient(x, t)`` (setting ``last_loss``) and
        ``accuracy(x, t)``.
    x_train, t_train : array_like
        Training images ``(N, C, H, W)`` and labels ``(N,)`` (or one-hot ``(N, K)``).
    x_test, t_test : array_like
        Test images and labels; the full test set is evaluated after every epoch.
    epochs : int, optional
        Number of passes over the training set.
    batch_size : int, optional
        Examples per step; the last, smaller batch of an epoch is kept.
    optimizer : str or Optimizer, optional
        An optimizer instance, or a name for :func:`cnnbook.nn.optim.make_optimizer`.
    seed : int, optional
        Seed of the shuffling and of the training-accuracy subset.
    optimizer_param : dict, optional
        Keyword arguments for the optimizer when ``optimizer`` is a name (e.g. ``{"lr": 1e-3}``).
    lr_schedule : {"constant", "cosine"}, optional
        ``"constant"`` keeps the optimizer's ``lr``; ``"cosine"`` decays it from its initial value
        to 0 over all the steps of all epochs (:func:`cosine_lr`), setting ``optimizer.lr``
        before each step.
    max_shift : int, optional
        Data augmentation: each training image of each mini-batch is moved by a random offset of
        up to this many pixels along each axis (:func:`cnnbook.nn.augment.random_shift`, offsets
        drawn from the trainer's generator); 0 (the default) trains on the images as they are.
    train_acc_size : int, optional
        Size of the fixed random training subset whose accuracy is recorded per epoch.
    verbose : bool or None, optional
        Show a progress bar (tqdm) and per-epoch lines; ``None`` means "if stderr is a terminal",
        so the bar shows in a shell and stays quiet in a notebook or book build.
    checkpoint : str or os.PathLike, optional
        File written after every epoch; if it exists when :meth:`train` starts and ``resume`` is
        true, training continues from it.
    resume : bool, optional
        Whether to resume from an existing ``checkpoint``.

    Attributes
    ----------
    history : dict of list
        ``train_loss`` and ``lr`` (one value per step), ``train_acc``, ``test_acc`` and
        ``epoch_time`` (seconds; one value per epoch).
    epoch : int
        Epochs completed.

    Raises
    ------
    ValueError
        If the data shapes disagree, sizes are out of range, or the optimizer name is unknown.

    Examples
    --------
    >>> from cnnbook.nn import SimpleConvNet
    >>> rng = np.random.default_rng(0)
    >>> x, t = rng.random((40, 1, 8, 8), dtype=np.float32), rng.integers(0, 2, 40)
    >>> net = SimpleConvNet((1, 8, 8), {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
    ...                     hidden_size=8, output_size=2)
    >>> trainer = Trainer(net, x, t, x, t, epochs=2, batch_size=10, verbose=False)
    >>> history = trainer.train()
    >>> len(history["train_loss"]), len(history["test_acc"])
    (8, 2)
    """

    def __init__(
        self,
        network,
        x_train: ArrayLike,
        t_train: ArrayLike,
        x_test: ArrayLike,
        t_test: ArrayLike,
        epochs: int = 5,
        batch_size: int = 100,
        optimizer: str | Optimizer = "adam",
        seed: int = 0,
        *,
        optimizer_param: dict | None = None,
        lr_schedule: str = "constant",
        max_shift: int = 0,
        train_acc_size: int = 5000,
        verbose: bool | None = None,
        checkpoint: str | PathLike | None = None,
        resume: bool = True,
    ) -> None:
        self.network = network
        self.x_train, self.t_train = np.asarray(x_train), np.asarray(t_train)
        self.x_test, self.t_test = np.asarray(x_test), np.asarray(t_test)
        for name, x, t in (
            ("train", self.x_train, self.t_train),
            ("test", self.x_test, self.t_test),
        ):
            if x.ndim < 2 or len(x) == 0 or len(x) != len(t):
                raise ValueError(
                    f"x_{name} and t_{name} must hold the same positive number of examples, "
                    f"got shapes {x.shape} and {t.shape}"
                )
        self.epochs = check_int(epochs, "epochs", 1)
        self.batch_size = check_int(batch_size, "batch_size", 1)
        train_acc_size = check_int(train_acc_size, "train_acc_size", 1)
        if isinstance(optimizer, str):
            optimizer = make_optimizer(optimizer, **(optimizer_param or {}))
        elif optimizer_param:
            raise ValueError("optimizer_param only applies when optimizer is given by name")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be an Optimizer or a name such as 'adam', got {optimizer!r}"
            )
        if lr_schedule not in _SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {_SCHEDULES}, got {lr_schedule!r}")
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.base_lr = optimizer.lr
        self.max_shift = check_int(max_shift, "max_shift", 0)
        side = min(self.x_train.shape[2:]) if self.x_train.ndim == 4 else 0
        if self.max_shift and self.max_shift >= side:
            raise ValueError(
                f"max_shift must be smaller than the side of the (N, C, H, W) "
                f"training images, got {max_shift} for shape {self.x_train.shape}"
            )
        seed = check_seed(seed)
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        subset_rng = np.random.default_rng([seed, 1])
        n_train = len(self.x_train)
        self.train_acc_index = np.sort(
            subset_rng.choice(n_train, size=min(train_acc_size, n_train), replace=False)
        )
        self.verbose = sys.stderr.isatty() if verbose is None else bool(verbose)
        self.checkpoint = None if checkpoint is None else npz_path(checkpoint)
        self.resume = resume
        self.history: dict[str, list[float]] = {key: [] for key in _HISTORY}
        self.epoch = 0

    @property
    def steps_per_epoch(self) -> int:
        """Number of mini-batches per epoch, ``ceil(N / batch_size)``."""
        return -(-len(self.x_train) // self.batch_size)

    def train_step(self, x_batch: np.ndarray, t_batch: np.ndarray) -> float:
        """One step: gradient by backpropagation, then the optimizer update; returns the loss."""
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        return self.network.last_loss

    def evaluate(self) -> tuple[float, float]:
        """Accuracy on the fixed training subset and on the full test set."""
        idx = self.train_acc_index
        train_acc = self.network.accuracy(self.x_train[idx], self.t_train[idx])
        return train_acc, self.network.accuracy(self.x_test, self.t_test)

    def train(self) -> dict[str, list[float]]:
        """Run the remaining epochs (all of them, unless resumed from a checkpoint).

        Returns
        -------
        dict of list
            :attr:`history`.
        """
        if self.checkpoint is not None and self.resume and self.checkpoint.exists():
            self.load_checkpoint(self.checkpoint)
            self._log(f"resumed from {self.checkpoint} after epoch {self.epoch}")
        while self.epoch < self.epochs:
            start = time.perf_counter()
            order = self.rng.permutation(len(self.x_train))
            batches = range(0, len(order), self.batch_size)
            bar = None
            if self.verbose:
                from tqdm.auto import tqdm

                bar = tqdm(
                    total=len(batches),
                    desc=f"epoch {self.epoch + 1}/{self.epochs}",
                    unit="step",
                    leave=False,
                    file=sys.stderr,
                )
            for j, i in enumerate(batches):
                if self.lr_schedule == "cosine":
                    step = self.epoch * len(batches) + j
                    self.optimizer.lr = cosine_lr(self.base_lr, step, self.epochs * len(batches))
                idx = order[i : i + self.batch_size]
                x_batch = self.x_train[idx]
                if self.max_shift:
                    x_batch = random_shift(x_batch, self.max_shift, self.rng)
                loss = self.train_step(x_batch, self.t_train[idx])
                self.history["train_loss"].append(loss)
                self.history["lr"].append(self.optimizer.lr)
                if bar is not None:
                    bar.update()
                    bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
            if bar is not None:
                bar.close()
            train_acc, test_acc = self.evaluate()
            self.epoch += 1
            self.history["train_acc"].append(train_acc)
            self.history["test_acc"].append(test_acc)
            self.history["epoch_time"].append(time.perf_counter() - start)
            self._log(
                f"epoch {self.epoch}/{self.epochs}: "
                f"loss {np.mean(self.history['train_loss'][-len(batches) :]):.4f}, "
                f"train acc {train_acc:.4f}, test acc {test_acc:.4f}, "
                f"{self.history['epoch_time'][-1]:.1f} s"
            )
            if self.checkpoint is not None:
                self.save_checkpoint(self.checkpoint)
        return self.history

    def _log(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr)

    def save_checkpoint(self, path: str | PathLike) -> None:
        """Write parameters, optimizer state, generator state, epoch and history to ``path``.

        The file is written to a temporary name and then renamed, so an interruption never leaves
        a truncated checkpoint.
        """
        arrays = {f"param/{k}": v for k, v in self.network.params.items()}
        arrays.update({f"optim/{k}": v for k, v in self.optimizer.state_dict().items()})
        arrays.update(
            {f"history/{k}": np.array(v, dtype=np.float64) for k, v in self.history.items()}
        )
        arrays["rng"] = _rng_state_to_array(self.rng)
        arrays["epoch"] = np.array(self.epoch)
        arrays["optimizer"] = np.array(type(self.optimizer).__name__)
        save_npz(path, arrays)

    def load_checkpoint(self, path: str | PathLike) -> None:
        """Restore the state written by :meth:`save_checkpoint` (file read without pickle).

        Raises
        ------
        ValueError
            If the checkpoint's optimizer type or parameter shapes do not match this trainer.
        """
        path = npz_path(path)
        try:
            data = np.load(path, allow_pickle=False)
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ValueError("a single .npy array, not an .npz archive")
            with data:
                saved = {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
            raise ValueError(f"checkpoint {path} is not a readable .npz file ({err})") from err
        needed = ["optimizer", "rng", "epoch"] + [f"history/{k}" for k in _HISTORY]
        lacking = [k for k in needed if k not in saved]
        if lacking:
            raise ValueError(
                f"checkpoint {path} lacks {', '.join(lacking)}: not a Trainer "
                "checkpoint, or written by another version"
            )
        if saved["rng"].shape != (6,) or saved["rng"].dtype != np.uint64:
            raise ValueError(f"checkpoint {path}: rng must be 6 uint64 words")
        epoch = saved["epoch"]
        if epoch.shape != () or epoch.dtype.kind not in "iu" or not 0 <= int(epoch) <= self.epochs:
            raise ValueError(
                f"checkpoint {path}: epoch must be an integer from 0 to "
                f"epochs={self.epochs}, got {epoch!r}"
            )
        kind = str(saved["optimizer"])
        if kind != type(self.optimizer).__name__:
            raise ValueError(
                f"{path}: checkpoint was written by {kind}, "
                f"trainer uses {type(self.optimizer).__name__}"
            )
        params = {k.split("/", 1)[1]: v for k, v in saved.items() if k.startswith("param/")}
        if set(params) != set(self.network.params):
            raise ValueError(f"{path}: parameters {sorted(params)} do not match the network's")
        for key, value in params.items():  # check everything before changing anything
            target = self.network.params[key]
            if value.shape != target.shape:
                raise ValueError(
                    f"{path}: {key} has shape {value.shape}, network has {target.shape}"
                )
            with np.errstate(over="ignore"):
                finite = value.dtype.kind == "f" and np.isfinite(value.astype(target.dtype)).all()
            if not finite:
                raise ValueError(
                    f"{path}: {key} must hold floating-point values finite in {target.dtype}"
                )
        for key, value in params.items():
            self.network.params[key][...] = value
        self.optimizer.load_state_dict(
            {k.split("/", 1)[1]: v for k, v in saved.items() if k.startswith("optim/")}
        )
        self.history = {k: saved[f"history/{k}"].tolist() for k in _HISTORY}
        self.rng = _rng_from_array(saved["rng"])
        self.epoch = int(saved["epoch"])
