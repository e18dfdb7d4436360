"""Speed of the NumPy CNN against its textbook paths and PyTorch (see benchmarks/README.md).

A thin script: the benchmark lives in :mod:`cnnbook.nn.bench`, so that ``python -m cnnbook bench``
(and ``make bench``) also works from an installed package, without this folder.
"""

import argparse
import sys

from cnnbook.nn import bench

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="interleaved rounds")
    parser.add_argument("--no-torch", dest="torch", action="store_false", help="skip PyTorch")
    args = parser.parse_args()
    sys.exit(bench.main(args.rounds, with_torch=args.torch))
