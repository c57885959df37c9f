"""MNIST for the chapters: the full data set when it can be had, else the shipped sample.

:func:`load_mnist` looks for the four official MNIST files in a cache folder,
downloads them if they are missing and the network allows, and checks every
file's MD5 sum. When the full set can be neither found nor downloaded
(an offline classroom, a firewall, CI), it falls back to the real MNIST test
set that ships inside lablib (10,000 images), split deterministically and
stratified by class into 8,000 training and 2,000 test images, and prints one
sentence saying so.

NumPy only. Introduced in chapter 2 (random search on MNIST).
"""
from __future__ import annotations

import gzip
import hashlib
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["MNIST", "load_mnist", "read_idx", "mnist_cache_dir", "SAMPLE_DIR", "MnistFileError"]

#: The shipped sample: the official MNIST test set, byte for byte.
SAMPLE_DIR = Path(__file__).resolve().parent / "_mnist_sample"

#: The four official files and their MD5 sums (the same torchvision checks).
MNIST_FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train_labels": ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    "test_images": ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
}

#: Mirrors tried in order (the ones torchvision uses).
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

SAMPLE_TEST_FRACTION = 0.2   # 8,000 train / 2,000 test from the 10,000-image sample
SAMPLE_SPLIT_SEED = 0

OFFLINE_NOTICE = (
    "Note: the full MNIST data set could not be found or downloaded, so lablib is using "
    "the real 10,000-image MNIST sample shipped with the book, split into "
    "{n_train:,} training and {n_test:,} test images (results differ slightly from the full 60,000/10,000 set)."
)


class MnistFileError(ValueError):
    """An MNIST file is missing, truncated or corrupt."""


@dataclass
class MNIST:
    """MNIST as NumPy arrays.

    Attributes
    ----------
    X_train, X_test : ndarray
        Images scaled to [0, 1]: shape ``(n, 784)`` when flattened,
        else ``(n, 28, 28)``; dtype as requested (float32 by default).
    y_train, y_test : ndarray of int64
        Labels 0-9, shape ``(n,)``.
    source : str
        ``"full"`` (60,000/10,000) or ``"sample"`` (the shipped 10,000 images, 8,000/2,000).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source: str

    def __iter__(self):
        """Unpack as ``(X_train, y_train), (X_test, y_test)``."""
        yield (self.X_train, self.y_train)
        yield (self.X_test, self.y_test)

    def __repr__(self) -> str:
        return (f"MNIST(source={self.source!r}, X_train={self.X_train.shape} {self.X_train.dtype}, "
                f"X_test={self.X_test.shape})")


def mnist_cache_dir() -> Path:
    """Where the full MNIST files are kept: ``$LABLIB_DATA/mnist`` or ``~/.cache/lablib/mnist``."""
    base = os.environ.get("LABLIB_DATA")
    return Path(base).expanduser() / "mnist" if base else Path.home() / ".cache" / "lablib" / "mnist"


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_idx(path, expected_md5: str | None = None) -> np.ndarray:
    """Read one gzip-compressed IDX file (MNIST's format) into a uint8 array.

    Parameters
    ----------
    path : str or Path
        A ``*-idx1-ubyte.gz`` (labels) or ``*-idx3-ubyte.gz`` (images) file.
    expected_md5 : str, optional
        If given, the file's MD5 sum must match.

    Raises
    ------
    MnistFileError
        (a ``ValueError``) naming the file and what to do, if it is missing,
        truncated, corrupt or not an IDX file.
    """
    path = Path(path)
    fix = (f"Delete {path} and run again to download it afresh"
           + (", or reinstall lablib if it is the shipped sample." if SAMPLE_DIR in path.parents else "."))
    if not path.is_file():
        raise MnistFileError(f"MNIST file {path} does not exist.")
    if expected_md5 is not None and _md5(path) != expected_md5:
        raise MnistFileError(f"MNIST file {path} is corrupt or truncated (its MD5 sum is not "
                             f"{expected_md5}). {fix}")
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as err:
        raise MnistFileError(f"MNIST file {path} is corrupt or truncated ({err}). {fix}") from None
    if len(raw) < 8 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise MnistFileError(f"MNIST file {path} is not an IDX file of unsigned bytes. {fix}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) != header + int(np.prod(shape)):
        raise MnistFileError(f"MNIST file {path} is truncated: its header promises shape {shape} "
                             f"but it holds {len(raw) - header} bytes of data. {fix}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _download(folder: Path, timeout: float) -> bool:
    """Fetch the missing official files into ``folder``; True if all four are there."""
    folder.mkdir(parents=True, exist_ok=True)
    for filename, md5 in MNIST_FILES.values():
        target = folder / filename
        if target.is_file():
            continue
        for mirror in MIRRORS:
            partial = target.with_suffix(".part")
            try:
                with urllib.request.urlopen(mirror + filename, timeout=timeout) as response, \
                        open(partial, "wb") as out:
                    out.write(response.read())
            except (urllib.error.URLError, socket.timeout, OSError, ValueError):
                partial.unlink(missing_ok=True)
                continue
            if _md5(partial) == md5:
                partial.replace(target)
                break
            partial.unlink(missing_ok=True)
        else:
            return False
    return True


def _stratified_split(y: np.ndarray, test_fraction: float, seed: int):
    """Indices (train, test) that keep each class's share in both parts."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_fraction * len(idx)))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _prepare(images: np.ndarray, flatten: bool, dtype) -> np.ndarray:
    X = images.astype(dtype) / np.asarray(255, dtype=dtype)
    return X.reshape(len(X), -1) if flatten else X


def load_mnist(flatten: bool = True, dtype=np.float32, *, root=None, download: bool | None = None,
               timeout: float = 10.0, verbose: bool = True) -> MNIST:
    """Load MNIST as arrays scaled to [0, 1].

    Parameters
    ----------
    flatten : bool, default True
        ``X`` of shape ``(n, 784)`` if True, ``(n, 28, 28)`` if False.
    dtype : numpy dtype, default float32
        ``float32`` keeps the 60,000 training images at 188 MB; ``float64`` doubles it.
    root : str or Path, optional
        Folder holding (or receiving) the four official ``*.gz`` files.
        Default: :func:`mnist_cache_dir`.
    download : bool, optional
        Try to download missing files. Default: True unless the environment
        variable ``LABLIB_OFFLINE`` is set to ``1``.
    timeout : float, default 10
        Seconds to wait for a mirror before giving up on it.
    verbose : bool, default True
        Print the one-sentence notice when the shipped sample is used.

    Returns
    -------
    MNIST
        ``X_train, y_train, X_test, y_test`` and ``source`` (``"full"`` or ``"sample"``);
        unpacks as ``(X_train, y_train), (X_test, y_test)``.

    Raises
    ------
    MnistFileError
        If a file on disk is truncated or corrupt (the message names it and says what to do).

    Examples
    --------
    >>> data = load_mnist(download=False, verbose=False)
    >>> data.X_train.shape[1], data.X_train.dtype, data.source in ("full", "sample")
    (784, dtype('float32'), True)
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating-point type (images are scaled to [0, 1]), got {dtype}")
    if download is None:
        download = os.environ.get("LABLIB_OFFLINE", "0") != "1"
    folder = Path(root).expanduser() if root is not None else mnist_cache_dir()
    have_all = all((folder / name).is_file() for name, _ in MNIST_FILES.values())
    if not have_all and download:
        have_all = _download(folder, timeout)
    if have_all:
        arrays = {key: read_idx(folder / name, md5) for key, (name, md5) in MNIST_FILES.items()}
        return MNIST(_prepare(arrays["train_images"], flatten, dtype), arrays["train_labels"].astype(np.int64),
                     _prepare(arrays["test_images"], flatten, dtype), arrays["test_labels"].astype(np.int64),
                     source="full")
    return _load_sample(flatten, dtype, verbose)


def _load_sample(flatten: bool, dtype, verbose: bool) -> MNIST:
    name_x, md5_x = MNIST_FILES["test_images"]
    name_y, md5_y = MNIST_FILES["test_labels"]
    images = read_idx(SAMPLE_DIR / name_x, md5_x)
    labels = read_idx(SAMPLE_DIR / name_y, md5_y).astype(np.int64)
    train, test = _stratified_split(labels, SAMPLE_TEST_FRACTION, SAMPLE_SPLIT_SEED)
    if verbose:
        print(OFFLINE_NOTICE.format(n_train=len(train), n_test=len(test)))
    X = _prepare(images, flatten, dtype)
    return MNIST(X[train], labels[train], X[test], labels[test], source="sample")
