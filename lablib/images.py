"""Images for a CNN: MNIST rows as image tensors, loaders with data augmentation, and your own image folders.

- :func:`as_images` turns chapter 9's flat 784-pixel rows into ``(n, 1, 28, 28)`` images.
- :func:`make_image_loader` is :func:`lablib.training.make_loader` for images, with an
  optional per-image ``transform`` (data augmentation: each epoch sees each image
  shifted, rotated or scaled a little differently).
- :func:`image_folder` reads a folder with one sub-folder per class (``root/cat/1.png``,
  ``root/dog/7.jpg``, ...) as ``torchvision.datasets.ImageFolder`` does, after checking
  what would otherwise fail deep inside training: no images, a single class, images of
  different sizes without a resize.

torch and torchvision. Introduced in chapter 10.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from lablib._validate import positive_int as _positive_int
from lablib.training import make_loader

__all__ = ["as_images", "make_image_loader", "TransformedImages", "image_folder", "IMAGE_EXTENSIONS"]

#: The image files read, those of ``torchvision.datasets.folder.IMG_EXTENSIONS`` (no GIF).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def as_images(X, side: int = 28) -> np.ndarray:
    """Flat rows of ``side * side`` grey pixels → float32 images of shape ``(n, 1, side, side)``.

    Examples
    --------
    >>> as_images(np.zeros((5, 784))).shape
    (5, 1, 28, 28)

    Introduced in chapter 10.
    """
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 4:
        return X
    if X.ndim != 2 or X.shape[1] != side * side:
        raise ValueError(f"expected rows of {side}*{side} = {side * side} pixels, got an array of shape {X.shape}")
    return X.reshape(len(X), 1, side, side)


class TransformedImages(Dataset):
    """Images and labels held as tensors, each image passed through ``transform`` when it is read.

    Introduced in chapter 10.
    """

    def __init__(self, X, y, transform):
        self.X, self.y, self.transform = torch.as_tensor(X), torch.as_tensor(y).long(), transform

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        return self.transform(self.X[i]), self.y[i]


def make_image_loader(X, y, batch_size: int = 64, shuffle: bool = False, transform=None):
    """A ``DataLoader`` over images ``(n, C, H, W)`` (or flat 28×28 rows), optionally augmented.

    Parameters
    ----------
    X, y : array_like
        Images (or rows of 784 pixels) and integer labels.
    batch_size, shuffle
        As in :func:`lablib.training.make_loader`.
    transform : callable, optional
        Applied to every image (a ``(C, H, W)`` tensor) each time it is read, e.g.
        ``torchvision.transforms.v2.RandomAffine(degrees=10, translate=(0.1, 0.1))``.
        Use it for the training loader only.

    Examples
    --------
    >>> loader = make_image_loader(np.zeros((10, 784)), np.arange(10) % 2, batch_size=4,
    ...                            transform=lambda image: image + 1)
    >>> X, y = next(iter(loader)); X.shape, float(X.min())
    (torch.Size([4, 1, 28, 28]), 1.0)

    Introduced in chapter 10.
    """
    X = as_images(X)
    if transform is None:
        return make_loader(X, y, batch_size, shuffle=shuffle)
    if not callable(transform):
        raise ValueError(f"transform must be callable on an image tensor, got {transform!r}")
    y = np.asarray(y)
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"need as many labels as images (and at least one), got {len(X)} images and {len(y)} labels")
    return DataLoader(TransformedImages(X, y, transform), batch_size=_positive_int(batch_size, "batch_size"),
                      shuffle=shuffle)


def _image_files(root: Path) -> dict:
    return {d.name: sorted(f for f in d.rglob("*") if f.suffix.lower() in IMAGE_EXTENSIONS)
            for d in sorted(root.iterdir()) if d.is_dir() and not d.name.startswith(".")}


def image_folder(root, transform=None, *, size: int | tuple | None = None, grayscale: bool = False):
    """Your own images as a ``torchvision.datasets.ImageFolder``: one sub-folder per class.

    Parameters
    ----------
    root : str or Path
        The folder whose sub-folders are the classes (their names, sorted, are ``dataset.classes``).
    transform : callable, optional
        Applied to every PIL image; default: resize to ``size`` (if given), grey if
        ``grayscale``, then ``ToTensor`` (pixels in [0, 1], shape ``(C, H, W)``).
    size : int or (height, width), optional
        Resize every image to this size. Needed when the images differ in size.
    grayscale : bool
        Convert to one grey channel (as MNIST).

    Returns
    -------
    torchvision.datasets.ImageFolder
        Works with ``DataLoader`` and :func:`lablib.training.fit` (which reads the number
        of classes off ``dataset.classes``).

    Raises
    ------
    ValueError
        ``root`` is missing or has no class folders; a class folder (or all of them) has no
        images; only one class; images of different sizes and neither ``size`` nor a
        ``transform`` that resizes them.

    Introduced in chapter 10.
    """
    from PIL import Image
    from torchvision import datasets, transforms

    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    files = _image_files(root)
    if not files:
        raise ValueError(f"{root} has no sub-folders: put each class's images in a folder of its own, "
                         f"e.g. {root}/cat/1.png and {root}/dog/1.png")
    empty = [name for name, found in files.items() if not found]
    if len(empty) == len(files):
        raise ValueError(f"{root} has no images (looked for {', '.join(IMAGE_EXTENSIONS)} in "
                         f"{', '.join(files)})")
    if empty:
        raise ValueError(f"the class folder{'s' if len(empty) > 1 else ''} {', '.join(empty)} of {root} "
                         f"{'have' if len(empty) > 1 else 'has'} no images: add some, or remove the folder")
    if len(files) < 2:
        raise ValueError(f"{root} has one class ({next(iter(files))}): a classifier needs at least two "
                         f"class folders")
    if size is None and transform is None:
        sizes = Counter()
        for found in files.values():
            for f in found:
                with Image.open(f) as image:
                    sizes[image.size] += 1
        if len(sizes) > 1:
            shown = ", ".join(f"{w}×{h} ({n})" for (w, h), n in sizes.most_common(3))
            raise ValueError(f"the images of {root} have different sizes ({shown}{', ...' if len(sizes) > 3 else ''}); "
                             f"a batch needs one size: pass size=(height, width) to resize them all")
    if isinstance(size, int):
        size = (size, size)            # (an int alone would make Resize match only the shorter side)
    if transform is None:
        steps = [transforms.Resize(size)] if size is not None else []
        steps += [transforms.Grayscale()] if grayscale else []
        transform = transforms.Compose(steps + [transforms.ToTensor()])
    return _visible_folder_dataset(datasets.ImageFolder)(str(root), transform=transform)


def _visible_folder_dataset(image_folder_class):
    """``ImageFolder`` whose classes are the visible sub-folders (not ``.ipynb_checkpoints`` and the like)."""

    class ImageFolder(image_folder_class):
        def find_classes(self, directory):
            classes = sorted(e.name for e in os.scandir(directory) if e.is_dir() and not e.name.startswith("."))
            return classes, {name: i for i, name in enumerate(classes)}

    return ImageFolder
