"""A small ResNet for 28×28 images (MNIST) or the students' own: residual blocks with batch normalisation.

A residual block adds its input back to what its two convolutions computed,

.. math::

    h = \\operatorname{ReLU}\\big(F(x) + S(x)\\big), \\qquad
    F(x) = \\operatorname{BN}(W_2 * \\operatorname{ReLU}(\\operatorname{BN}(W_1 * x))),

where :math:`*` is a 3×3 convolution, BN batch normalisation and :math:`S` the
*shortcut*: the identity, or a 1×1 convolution with BN where the block changes
the number of channels or halves the image. Because :math:`\\partial h/\\partial x`
contains the shortcut's own term, gradients reach the first layers undiminished
however many blocks are stacked (He et al., 2016).

:class:`SmallResNet` is the course's "ResNet": a 3×3 stem, three stages of
residual blocks (``width``, ``2·width``, ``4·width`` channels; the second and
third halve the image), global average pooling and one linear layer. The
"+ @" of the course's lab are its arguments: ``width`` (wider blocks),
``blocks`` (deeper stages) and ``dropout``.

torch only. Introduced in chapter 10.
"""
from __future__ import annotations

from torch import nn

from lablib._validate import positive_int as _positive_int

__all__ = ["BasicBlock", "SmallResNet", "count_parameters"]


def _conv3x3(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    # no bias: the batch normalisation that follows has its own shift
    return nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    """Two 3×3 convolutions with batch normalisation, and a shortcut around them.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the block's input and output.
    stride : int
        2 halves the image's height and width (in the first convolution and the shortcut).
    dropout : float
        Probability of zeroing an activation between the two convolutions (0: none).

    Examples
    --------
    >>> import torch
    >>> block = BasicBlock(8, 16, stride=2)
    >>> block(torch.zeros(4, 8, 28, 28)).shape
    torch.Size([4, 16, 14, 14])

    Introduced in chapter 10.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, dropout: float = 0.0):
        super().__init__()
        self.conv1, self.bn1 = _conv3x3(in_channels, out_channels, stride), nn.BatchNorm2d(out_channels)
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.conv2, self.bn2 = _conv3x3(out_channels, out_channels), nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = self.drop(self.bn1(self.conv1(x)).relu())
        out = self.bn2(self.conv2(out))
        return (out + self.shortcut(x)).relu()


def _check_resnet_args(in_channels, num_classes, width, blocks, dropout):
    in_channels = _positive_int(in_channels, "in_channels")
    num_classes = _positive_int(num_classes, "num_classes", at_least=2)
    width = _positive_int(width, "width")
    blocks = tuple(blocks)
    if len(blocks) != 3:
        raise ValueError(f"blocks must give the number of residual blocks of each of the 3 stages, got {blocks!r}")
    blocks = tuple(_positive_int(b, "blocks per stage") for b in blocks)
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    return in_channels, num_classes, width, blocks, float(dropout)


class SmallResNet(nn.Module):
    """A small ResNet: stem, three stages of :class:`BasicBlock`, average pooling, a linear layer.

    Parameters
    ----------
    in_channels : int
        1 for grey images (MNIST), 3 for colour.
    num_classes : int
        Number of classes (outputs, logits).
    width : int
        Channels of the first stage; the second and third have 2× and 4× as many.
    blocks : tuple of three ints
        Residual blocks per stage.
    dropout : float in [0, 1)
        Dropout inside every block, and before the last layer.

    Examples
    --------
    >>> import torch
    >>> model = SmallResNet(width=8)
    >>> model(torch.zeros(2, 1, 28, 28)).shape, count_parameters(model)
    (torch.Size([2, 10]), 19810)

    Introduced in chapter 10.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, width: int = 16,
                 blocks: tuple = (1, 1, 1), dropout: float = 0.0):
        super().__init__()
        in_channels, num_classes, width, blocks, dropout = _check_resnet_args(
            in_channels, num_classes, width, blocks, dropout)
        self.config = dict(in_channels=in_channels, num_classes=num_classes, width=width,
                           blocks=blocks, dropout=float(dropout))
        self.stem = nn.Sequential(_conv3x3(in_channels, width), nn.BatchNorm2d(width), nn.ReLU())
        stages, channels = [], width
        for stage, n_blocks in enumerate(blocks):
            out = width * 2 ** stage
            for i in range(n_blocks):
                stride = 2 if stage > 0 and i == 0 else 1
                stages.append(BasicBlock(channels, out, stride, dropout))
                channels = out
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Dropout(dropout) if dropout > 0 else nn.Identity(),
                                  nn.Linear(channels, num_classes))

    def forward(self, x):
        if x.ndim == 2:                        # flat 784-pixel MNIST rows, as chapter 9 has them
            x = x.view(len(x), 1, 28, 28)
        return self.head(self.stages(self.stem(x)))

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.config.items())


def count_parameters(model: nn.Module) -> int:
    """The number of trainable weights of ``model``.

    Examples
    --------
    >>> count_parameters(nn.Linear(784, 10))
    7850

    Introduced in chapter 10.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
