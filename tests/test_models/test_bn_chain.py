"""``batch_norm_chain``: BatchNorm chains in training equal the modules, keeping only x."""
import copy

import pytest
import torch
import torch.nn as nn

from mmhybrid.models.backbones import TransXNet
from mmhybrid.models.layers import (LayerScale2d, PointwiseConv2d, batch_norm_chain, bn_chain,
                                    pointwise)
from mmhybrid.models.layers.norm import PooledBatchNorm2d


def _layers(form: str, channels: int = 6, out: int = 5, conv: type = nn.Conv2d,
            conv_bias: bool = True, **bn_kwargs) -> nn.ModuleList:
    build = {
        'gelu': lambda: nn.GELU(),
        'bn': lambda: nn.BatchNorm2d(channels, **bn_kwargs),
        'scale': lambda: LayerScale2d(channels, 0.5),
        'conv': lambda: conv(channels, out, 1, bias=conv_bias),
    }
    layers = nn.ModuleList(build[name]() for name in form.split('-'))
    with torch.no_grad():
        for p in layers.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    return layers.double()


def _step(layers: nn.ModuleList, x: torch.Tensor, chain: bool, saved: list = None):
    x = x.clone().requires_grad_()
    if chain:
        hooks = torch.autograd.graph.saved_tensors_hooks(
            lambda t: saved.append(t) or t, lambda t: t)
        with hooks:
            out = batch_norm_chain(x, layers)
    else:
        out = x
        for layer in layers:
            out = layer(out)
    out.backward(torch.linspace(-1, 1, out.numel(), dtype=out.dtype).view_as(out))
    buffers = [b.clone() for b in layers.buffers()]
    return [out.detach(), x.grad, *(p.grad for p in layers.parameters()), *buffers]


FORMS = ['gelu-bn', 'bn-gelu', 'gelu-bn-conv', 'bn-gelu-conv', 'bn', 'bn-scale',
         'bn-scale-conv', 'bn-conv']


@pytest.mark.parametrize('form', FORMS)
@pytest.mark.parametrize('bn_kwargs', [{}, dict(momentum=None), dict(affine=False)])
def test_equals_the_modules_and_keeps_only_the_input(form, bn_kwargs):
    torch.manual_seed(0)
    layers = _layers(form, **bn_kwargs)
    plain = copy.deepcopy(layers)
    x = torch.randn(3, 6, 5, 7, dtype=torch.float64) * 2 + 0.5
    for _ in range(2):  # twice: the running statistics and the batch count move on
        saved = []
        fast = _step(layers, x, chain=True, saved=saved)
        for a, b in zip(fast, _step(plain, x, chain=False)):
            torch.testing.assert_close(a, b)
    # Of the maps x's size, only x itself is kept for the backward.
    assert [t.shape for t in saved if t.numel() >= x.numel()] == [x.shape]
    assert layers[[type(m) for m in layers].index(nn.BatchNorm2d)].num_batches_tracked == 2


def test_the_batch_norms_of_mmengine_runs():
    """SyncBatchNorm in one process, and the ``_BatchNormXd`` mmengine's runner turns it
    into outside distributed runs, take the function."""
    from mmengine.model import revert_sync_batchnorm
    for reverted in (False, True):
        torch.manual_seed(0)
        layers = _layers('gelu-bn-conv')
        layers[1] = nn.SyncBatchNorm(6).double()
        if reverted:
            layers = revert_sync_batchnorm(layers)
            assert type(layers[1]) is not nn.SyncBatchNorm
        plain = copy.deepcopy(layers)
        x = torch.randn(2, 6, 3, 5, dtype=torch.float64)
        saved = []
        for a, b in zip(_step(layers, x, chain=True, saved=saved),
                        _step(plain, x, chain=False)):
            torch.testing.assert_close(a, b)
        assert [t.shape for t in saved if t.numel() >= x.numel()] == [x.shape]


@pytest.mark.parametrize('size, conv', [(4, PointwiseConv2d), (40, PointwiseConv2d),
                                        (40, nn.Conv2d)])
def test_the_convolution_of_every_path(size, conv):
    """The small 1x1 products run as GEMMs, the large ones as oneDNN convolutions; both
    gradients equal the module's, with and without a bias."""
    for bias in (True, False):
        torch.manual_seed(0)
        layers = _layers('gelu-bn-conv', channels=64, out=72, conv=conv, conv_bias=bias)
        plain = copy.deepcopy(layers)
        x = torch.randn(2, 64, size, size, dtype=torch.float64)
        assert pointwise._takes_gemm(x, layers[2].weight, backward=True) == (
            size == 4 and conv is PointwiseConv2d)
        for a, b in zip(_step(layers, x, chain=True, saved=[]), _step(plain, x, chain=False)):
            torch.testing.assert_close(a, b)


def test_cpu_statistics_equal_torch_in_float32():
    torch.manual_seed(0)
    x = torch.randn(2, 24, 9, 11) * 3 + 5
    w, b = torch.rand(24), torch.rand(24)
    stats = [torch.zeros(24), torch.ones(24)]
    ref_stats = [s.clone() for s in stats]
    out = bn_chain._batch_norm_train(x, w, b, *stats, 0.1, 1e-5)
    ref = torch.ops.aten.native_batch_norm(x, w, b, *ref_stats, True, 0.1, 1e-5)
    for a, c in zip((*out, *stats), (*ref, *ref_stats)):
        torch.testing.assert_close(a, c, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('case', ['eval', 'no_grad', 'autocast', 'tanh', 'group_norm',
                                  'pooled_bn', 'batch_of_one', 'strided_conv'])
def test_other_cases_run_the_modules(case):
    layers = _layers('gelu-bn-conv').float()
    x = torch.randn(2, 6, 4, 4, requires_grad=True)
    if case == 'eval':
        layers.eval()
    elif case == 'tanh':
        layers[0] = nn.GELU(approximate='tanh')
    elif case == 'group_norm':
        layers[1] = nn.GroupNorm(1, 6)
    elif case == 'pooled_bn':
        layers[1] = PooledBatchNorm2d(6)
    elif case == 'batch_of_one':
        x = torch.randn(1, 6, 1, 1, requires_grad=True)
        layers[1] = PooledBatchNorm2d(6)
    elif case == 'strided_conv':
        layers[2] = nn.Conv2d(6, 5, 1, stride=2)
    calls = []
    for layer in layers:
        layer.register_forward_hook(lambda *args: calls.append(1))
    with torch.set_grad_enabled(case != 'no_grad'), torch.autocast(
            'cpu', dtype=torch.bfloat16, enabled=case == 'autocast'):
        batch_norm_chain(x, layers)
    assert len(calls) == 3


@pytest.mark.parametrize('drop_rate', [0., 0.1])
def test_transxnet_training_equals_the_plain_modules(drop_rate, monkeypatch):
    """A TransXNet training step gives the outputs, gradients and running statistics of its
    plain modules."""
    torch.manual_seed(0)
    model = TransXNet('t', drop_rate=drop_rate).double()
    plain = copy.deepcopy(model)
    x = torch.randn(2, 3, 64, 64, dtype=torch.float64)

    def step(m):
        torch.manual_seed(1)
        outs = m(x)
        sum((o * torch.randn_like(o)).sum() for o in outs).backward()
        return [o.detach() for o in outs], {n: p.grad for n, p in m.named_parameters()}, \
            dict(m.named_buffers())

    calls, apply = [], bn_chain._BatchNormChainFunction.apply
    monkeypatch.setattr(bn_chain._BatchNormChainFunction, 'apply',
                        lambda *args: calls.append(1) or apply(*args))
    fast = step(model)
    # Per block: the STE's three chains and the MS-FFN's three (two with dropout, which
    # sits between its second chain and the 1x1 conv).
    assert len(calls) == (5 if drop_rate else 6) * sum(model.depths)
    monkeypatch.setattr(bn_chain, '_runs_as_function', lambda *args: False)
    for a, b in zip(fast, step(plain)):
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            a, b = list(a.values()), list(b.values())
        for p, q in zip(a, b):
            torch.testing.assert_close(p, q, rtol=1e-9, atol=1e-9)
