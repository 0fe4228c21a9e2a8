import os.path as osp
import pickle

import numpy as np
import pytest
import torch

from mmhybrid.converters.mixformer import convert_mixformer, load_pdparams
from mmhybrid.models import MixFormer
from mmhybrid.testing.seeded import seeded_state
from tests.conftest import REPO, load_golden, run_python


@pytest.fixture(scope='module')
def paddle_state():
    g = load_golden('mixformer_b0.pt')
    seeded = seeded_state(g['entries_cls'], g['seed'], in_dim_first=True)
    return {k: v.numpy() for k, v in seeded.items()}


def test_paddle_rules(paddle_state):
    converted = convert_mixformer(paddle_state)
    key = 'layers.0.blocks.0.attn.qkv.weight'
    assert torch.equal(converted['backbone.stages.0.0.attn.qkv.weight'],
                       torch.from_numpy(paddle_state[key]).t())
    table = 'layers.0.blocks.0.attn.relative_position_bias_table'
    assert torch.equal(converted['backbone.stages.0.0.attn.relative_position_bias_table'],
                       torch.from_numpy(paddle_state[table]))
    assert 'backbone.downsample_layers.2.reduction.weight' in converted
    assert 'backbone.patch_embed.stem.1.running_var' in converted
    assert converted['head.fc.weight'].shape == (1000, 1280)
    model = MixFormer('b0', out_type='avg_featmap')
    expected = {k for k in model.state_dict() if not k.endswith('num_batches_tracked')}
    assert {k[9:] for k in converted if k.startswith('backbone.')} == expected


def test_pdparams_loads_without_running_code(paddle_state, tmp_path):
    path = tmp_path / 'MixFormer_B0.pdparams'
    with open(path, 'wb') as f:
        pickle.dump(dict(paddle_state, **{'StructuredToParameterName@@': {'a': 'b'}}), f,
                    protocol=2)
    loaded = load_pdparams(str(path))
    assert set(loaded) == set(paddle_state)
    assert np.array_equal(loaded['norm.weight'], paddle_state['norm.weight'])

    class Evil:
        def __reduce__(self):
            return (print, ('pwned', ))

    with open(path, 'wb') as f:
        pickle.dump({'x': Evil()}, f)
    with pytest.raises(pickle.UnpicklingError, match='builtins.print is not allowed'):
        load_pdparams(str(path))


def test_tool_converts_pdparams(paddle_state, tmp_path):
    src, dst = tmp_path / 'MixFormer_B0.pdparams', tmp_path / 'out.pth'
    with open(src, 'wb') as f:
        pickle.dump(paddle_state, f, protocol=2)
    out = run_python([osp.join(REPO, 'tools/model_converters/mixformer2mmhybrid.py'), str(src),
                      str(dst), '--strict'], cwd=str(tmp_path)).stdout
    assert 'MixFormer-B0 (classification)' in out
    assert 'backbone.stages.3.5.mlp.fc2.weight' in torch.load(dst)['state_dict']
