"""The official HLG layouts (classifier of the released checkpoints, dense backbone) convert;
init_cfg Pretrained and the command-line tool take official files."""
import os.path as osp

import torch

from mmhybrid.converters import convert_hlg
from mmhybrid.models import HLG
from tests.conftest import REPO, run_python
from tests.test_models.test_backbones.test_hlg import official_entries, seeded_official_state


def test_dense_layout_under_backbone_prefix():
    """The segmentation code's backbone: no classifier head, ``norm_out_{0-2}``."""
    state = {f'backbone.{k}': torch.zeros(s) for k, s in official_entries('s')
             if not k.startswith('head.')}
    for i, width in enumerate([96, 192, 384]):
        state[f'backbone.norm_out_{i}.weight'] = torch.zeros(width)
        state[f'backbone.norm_out_{i}.bias'] = torch.zeros(width)
    state['decode_head.conv_seg.weight'] = torch.zeros(150, 512, 1, 1)
    converted = convert_hlg(state)
    assert 'decode_head.conv_seg.weight' in converted
    assert {k[9:] for k in converted if k.startswith('backbone.')} == set(HLG('s').state_dict())


def test_pretrained_init_cfg_loads_a_released_checkpoint(tmp_path):
    state = seeded_official_state(official_entries('t'))
    path = str(tmp_path / 'hlg_tiny.pth')
    torch.save(dict(model=state, epoch=299), path)
    model = HLG('t', init_cfg=dict(type='Pretrained', checkpoint=path))
    model.init_weights()
    assert torch.equal(model.stages[2][3].pos_global.pos3[2].weight,
                       state['block3.3.pos_global.pos3.2.weight'])
    assert torch.equal(model.patch_embed[1][1].running_var, state['s0_conv.1.1.running_var'])
    assert torch.equal(model.norm3.weight, state['norm.weight'])


def test_tool_converts_and_reports(tmp_path):
    tool = osp.join(REPO, 'tools/model_converters/hlg2mmhybrid.py')
    src, dst = str(tmp_path / 'hlg_medium.pth'), str(tmp_path / 'out.pth')
    state = {k: torch.zeros(s) for k, s in official_entries('m')}
    torch.save(dict(model=state), src)
    out = run_python([tool, src, dst, '--strict'], cwd=str(tmp_path)).stdout
    assert 'HLG-M (classifier)' in out
    assert 'dropped 42 official keys' in out  # stage 4's unused smoothing convs
    converted = torch.load(dst)['state_dict']
    assert converted['backbone.stages.2.13.mlp.fc1.weight'].shape == (1536, 384, 1, 1)
    state.pop('block3.5.aux_q.weight')
    torch.save(dict(model=state), src)
    proc = run_python([tool, src, dst, '--strict'], cwd=str(tmp_path), check=False)
    assert proc.returncode != 0 and 'stages.2.5.aux_q.weight' in proc.stdout
