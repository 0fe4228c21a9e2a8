"""The model zoo, the metafiles and model-index.yml are generated from the facts in one
direction (tools/misc/gen_model_zoo.py), are up to date, and the facts are checked."""
import os.path as osp
import re

import pytest
import yaml

from mmhybrid.utils.model_zoo import describe, format_metrics, leaf_configs, load_facts
from tests.conftest import REPO, load_tool


@pytest.fixture(scope='module')
def zoo():
    return load_tool('misc/gen_model_zoo.py')


def test_generated_files_are_up_to_date(zoo):
    files = zoo.render()
    assert {osp.relpath(p, REPO) for p in files} >= {'docs/model_zoo.md', 'model-index.yml'}
    stale = [osp.relpath(p, REPO) for p, text in files.items()
             if not osp.exists(p) or open(p).read() != text]
    assert not stale, f'run python tools/misc/gen_model_zoo.py: {stale}'


def test_one_row_per_config(zoo):
    rows = zoo.rows()
    assert [r['name'] for r in rows] == leaf_configs(REPO)
    index = yaml.safe_load(open(osp.join(REPO, 'model-index.yml')))
    listed = [m['Name'] for path in index['Import']
              for m in yaml.safe_load(open(osp.join(REPO, path)))['Models']]
    assert sorted(listed) == leaf_configs(REPO)


def test_every_config_follows_the_naming_scheme():
    for name in leaf_configs(REPO):
        describe(name)
    with pytest.raises(ValueError, match='unknown framework'):
        describe('yolo_transxnet_t_1x')


@pytest.mark.parametrize('name', ['cls_transxnet_t_in1k', 'retinanet_transxnet_s_1x'])
def test_measured_params_are_measured(zoo, name):
    assert load_facts(zoo.PARAMS)[name] == zoo.measured_params(name)
    assert zoo.measured_params('cls_transxnet_t_in1k') == '12.83M'


def test_paper_metrics_are_numbers_with_metafile_names(tmp_path):
    paper = load_facts(osp.join(REPO, 'docs', 'paper_results.yml'), leaf_configs(REPO))
    assert paper['maskrcnn_transxnet_t_1x']['metrics'] == {'box AP': 44.5, 'mask AP': 40.7}
    assert paper['maskrcnn_hlg_t_1x']['source'] == 'HLG paper (IJCV 2024), Mask R-CNN table'
    assert format_metrics({'box AP': 44.5, 'mask AP': 40.7}) == 'AP^b 44.5 / AP^m 40.7'
    assert format_metrics({'mIoU': 42.0, 'mIoU (multi-scale)': 43.5}) == \
        'mIoU 42.0 / mIoU (ms) 43.5'
    bad = tmp_path / 'bad.yml'
    bad.write_text('cls_transxnet_t_in1k: {metrics: {top-1: 81.6}, source: x}\n')
    with pytest.raises(ValueError, match='metric top-1'):
        load_facts(str(bad), leaf_configs(REPO))
    bad.write_text('cls_nothing_x_in1k: {metrics: {mIoU: 1.0}, source: x}\n')
    with pytest.raises(KeyError, match='do not exist'):
        load_facts(str(bad), leaf_configs(REPO))


@pytest.mark.parametrize('family', ['transxnet', 'fcaformer', 'mixformer', 'hybridformer', 'hlg',
                                    'vit'])
def test_family_readmes_have_results_commands_and_citation(zoo, family):
    """configs/_metafiles/<family>/README.md, which the metafile's collection points to."""
    meta = yaml.safe_load(open(osp.join(REPO, 'configs', '_metafiles', family, 'metafile.yml')))
    readme = osp.join(REPO, 'configs', '_metafiles', family, meta['Collections'][0]['README'])
    text = open(readme).read()
    for section in ('## Results', '## Usage', '## Citation', '```bibtex\n@'):
        assert section in text, (family, section)
    for command in ('tools/train.py', 'tools/dist_train.sh', 'tools/test.py', '--tta',
                    'tools/analysis/get_flops.py', 'benchmarks/benchmark.py'):
        assert command in text, (family, command)
    configs = {m.group(1) for m in re.finditer(r'configs/([\w.-]+\.py)', text)}
    links = {m.group(1) for m in re.finditer(r'\]\(\.\./\.\./([\w.-]+\.py)\)', text)}
    assert configs and links
    for name in configs | links:
        assert osp.exists(osp.join(REPO, 'configs', name)), (family, name)
