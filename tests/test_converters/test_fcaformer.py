import pytest
import torch

from mmhybrid.converters.fcaformer import convert_fcaformer
from mmhybrid.models import FcaFormer
from tests.conftest import load_golden


@pytest.fixture(scope='module')
def entries():
    g = load_golden('fcaformer_l2.pt')
    return g['entries_cls'], g['entries_dense']


def _zeros(entries, prefix=''):
    return {prefix + e['key']: torch.zeros(e['shape']) for e in entries}


def test_classification_checkpoint_maps_every_key(entries):
    converted = convert_fcaformer(_zeros(entries[0]))
    assert converted['head.fc.weight'].shape == (1000, 480)
    model = FcaFormer('l2', out_indices=(3, ), out_type='avg_featmap')
    assert {k[9:] for k in converted if k.startswith('backbone.')} == set(model.state_dict())


def test_dense_checkpoint_under_backbone_prefix(entries):
    state = _zeros(entries[1], 'backbone.')
    state['decode_head.conv_seg.weight'] = torch.zeros(150, 512, 1, 1)
    converted = convert_fcaformer(state)
    assert 'decode_head.conv_seg.weight' in converted
    assert {k[9:] for k in converted if k.startswith('backbone.')} == \
        set(FcaFormer('l2').state_dict())


def test_unknown_official_keys_are_reported(entries):
    state = _zeros(entries[0])
    state['layer_2.extra.weight'] = torch.zeros(1)
    with pytest.raises(KeyError, match='layer_2.extra.weight'):
        convert_fcaformer(state)


def test_pretrained_init_cfg_loads_an_official_checkpoint(entries, tmp_path):
    state = {k: torch.randn(v.shape) if v.is_floating_point() else v
             for k, v in _zeros(entries[0]).items()}
    path = str(tmp_path / 'checkpoint-best.pth')
    torch.save(dict(model=state, model_ema=state), path)
    model = FcaFormer('l2', init_cfg=dict(type='Pretrained', checkpoint=path))
    model.init_weights()
    assert torch.equal(model.stages[2][4].qkv.weight, state['layer_2.blocks.4.qkv.weight'])
    assert torch.equal(model.downsample_layers[1].conv2.conv.weight,
                       state['layer_1.downsample.conv2.c.weight'])


def test_tool_converts_a_convnext_style_checkpoint(entries, tmp_path):
    import os.path as osp

    from tests.conftest import REPO, run_python
    tool = osp.join(REPO, 'tools/model_converters/fcaformer2mmhybrid.py')
    src, dst = str(tmp_path / 'checkpoint-best.pth'), str(tmp_path / 'out.pth')
    state = _zeros(entries[0])
    torch.save(dict(model=state, model_ema=state, epoch=3), src)
    out = run_python([tool, src, dst, '--ema', '--strict'], cwd=str(tmp_path)).stdout
    assert 'FcaFormer-L2 (classification)' in out
    assert 'backbone.norm_head.weight' in torch.load(dst)['state_dict']
    state.pop('layer_3.blocks.1.qkv.weight')
    torch.save(dict(model=state), src)
    proc = run_python([tool, src, dst, '--strict'], cwd=str(tmp_path), check=False)
    assert proc.returncode != 0 and 'stages.3.1.qkv.weight' in proc.stdout
