"""docs/model_zoo.md has exactly one row per config, with the measured parameters."""
import os.path as osp
import re

import pytest

from tests.conftest import REPO, load_tool


@pytest.fixture(scope='module')
def zoo():
    return load_tool('misc/gen_model_zoo.py')


def _rows():
    with open(osp.join(REPO, 'docs', 'model_zoo.md')) as f:
        return {m.group(1): line.split('|') for line in f
                if (m := re.match(r'\| `([^`]+)` \|', line))}


def test_one_row_per_config(zoo):
    rows, configs = set(_rows()), set(zoo.leaf_configs())
    assert not configs - rows, f'configs without a row (run tools/misc/gen_model_zoo.py): ' \
        f'{sorted(configs - rows)}'
    assert not rows - configs, f'rows without a config: {sorted(rows - configs)}'


def test_every_config_follows_the_naming_scheme(zoo):
    for name in zoo.leaf_configs():
        zoo.describe(name)
    with pytest.raises(ValueError, match='unknown framework'):
        zoo.describe('yolo_transxnet_t_1x')


@pytest.mark.parametrize('name', ['cls_transxnet_t_in1k', 'retinanet_transxnet_s_1x'])
def test_params_column_is_measured(zoo, name):
    assert _rows()[name][-3].strip() == zoo.measured_params(name)
    assert zoo.measured_params('cls_transxnet_t_in1k') == '12.83M'
