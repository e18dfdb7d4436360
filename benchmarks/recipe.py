"""Why the training page uses its recipe: the alternatives, trained with the same seed.

Run ``python benchmarks/recipe.py`` (real MNIST must be found by ``cnnbook.datasets.load_mnist``,
e.g. with ``CNNBOOK_DATA`` set). Each row trains ``SimpleConvNet`` (He initialisation, seed 0,
batch 100, Adam) on the 60,000 training images and reports the accuracy on the 10,000 test images
after the last epoch, with the training time. The last row is the book's recipe; the first is the
recipe of earlier editions. ``--epochs`` shortens every row for a quick look.
"""

from __future__ import annotations

import argparse
import time

from cnnbook.datasets import load_mnist
from cnnbook.nn import Adam, SimpleConvNet, Trainer

# (label, epochs, initial learning rate, schedule, max_shift)
RECIPES = [
    ("constant 1e-3, no shifts, 5 epochs", 5, 1e-3, "constant", 0),
    ("cosine 2e-3, no shifts, 5 epochs", 5, 2e-3, "cosine", 0),
    ("cosine 2e-3, no shifts, 8 epochs", 8, 2e-3, "cosine", 0),
    ("constant 1e-3, shifts of 2 px, 8 epochs", 8, 1e-3, "constant", 2),
    ("cosine 2e-3, shifts of 2 px, 5 epochs", 5, 2e-3, "cosine", 2),
    ("cosine 2e-3, shifts of 2 px, 8 epochs (the book)", 8, 2e-3, "cosine", 2),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="override every row's epochs")
    args = parser.parse_args()
    (x, t), (x_test, t_test) = load_mnist(download=False)
    print(f"{'recipe':<52} {'test accuracy':>13} {'seconds':>8}")
    for label, epochs, lr, schedule, shift in RECIPES:
        net = SimpleConvNet(weight_init_std="he", seed=0)
        trainer = Trainer(
            net,
            x,
            t,
            x_test,
            t_test,
            epochs=args.epochs or epochs,
            batch_size=100,
            optimizer=Adam(lr=lr),
            seed=0,
            lr_schedule=schedule,
            max_shift=shift,
            verbose=False,
        )
        start = time.perf_counter()
        history = trainer.train()
        print(
            f"{label:<52} {history['test_acc'][-1]:>13.4f} {time.perf_counter() - start:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
