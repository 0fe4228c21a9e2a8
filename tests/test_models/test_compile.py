"""torch.compile: every backbone traces as one graph and computes what eager mode computes."""
import copy

import pytest
import torch

from tests.conftest import STAGED


@pytest.mark.parametrize('name', sorted(STAGED))
def test_backbone_compiles_fullgraph(name):
    """fullgraph=True fails on any graph break (data-dependent Python, caches keyed on data
    pointers, unsupported calls); the 'eager' backend keeps the test at tracing cost."""
    torch.manual_seed(0)
    model = STAGED[name]().eval()
    x = torch.randn(1, 3, 64, 96)
    compiled = torch.compile(model, backend='eager', fullgraph=True)
    with torch.no_grad():
        for ours, theirs in zip(compiled(x), model(x)):
            torch.testing.assert_close(ours, theirs)


@pytest.mark.timeout(300)
def test_compiled_training_step_equals_eager():
    """Forward and backward through AOTAutograd (the custom depthwise backward included);
    one block a stage, as tracing time grows with the blocks."""
    from mmhybrid.models import MixFormer
    torch.manual_seed(0)
    model = MixFormer(dict(embed_dims=24, depths=[1, 1, 1, 1], num_heads=[3, 6, 12, 24]),
                      drop_path_rate=0.)
    twin = copy.deepcopy(model)
    compiled = torch.compile(twin, backend='aot_eager', fullgraph=True)
    x = torch.randn(2, 3, 64, 96)
    outs = model(x)
    sum(o.mean() for o in outs).backward()
    compiled_outs = compiled(x)
    sum(o.mean() for o in compiled_outs).backward()
    for a, b in zip(outs, compiled_outs):
        torch.testing.assert_close(a, b)
    scale = max(p.grad.abs().max() for p in model.parameters() if p.grad is not None)
    for (key, p), q in zip(model.named_parameters(), twin.parameters()):
        if p.grad is not None:
            torch.testing.assert_close(q.grad, p.grad, atol=1e-6 * scale, rtol=1e-5, msg=key)
