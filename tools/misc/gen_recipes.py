"""Write docs/recipes.md: the resolved training and test recipe of every config that carries a
paper number (docs/paper_results.yml), one row each, read from the configs after inheritance.

    python tools/misc/gen_recipes.py            # rewrite docs/recipes.md
    python tools/misc/gen_recipes.py --check    # exit 1 if it is out of date

tests/test_docs/test_recipes.py pins the fields that the official sources fix.
"""
import os.path as osp
from typing import Dict, List, Optional

from mmengine.config import Config

from mmhybrid.utils.docgen import generate_main
from mmhybrid.utils.model_zoo import leaf_configs, load_facts

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RECIPES = osp.join(ROOT, 'docs', 'recipes.md')
PAPER = osp.join(ROOT, 'docs', 'paper_results.yml')
COLUMNS = ('source', 'optimizer', 'no weight decay', 'lr decay', 'precision', 'batch',
           'schedule', 'norm', 'drop path', 'test', 'TTA', 'init')


def _source(path: str) -> str:
    """The config's first comment block."""
    lines = []
    with open(path) as f:
        for line in f:
            if not line.startswith('#'):
                break
            lines.append(line[1:].strip())
    return ' '.join(lines)


def _number(value: float) -> str:
    return f'{value:g}'


def _no_decay(wrapper: dict) -> str:
    paramwise = wrapper.get('paramwise_cfg') or {}
    parts = []
    if wrapper.get('constructor', '').endswith('LayerDecayOptimWrapperConstructor'):
        parts.append('norms, biases, 1-d')
        names = paramwise.get('no_decay_names')
        parts += list(names) if names is not None else ['position biases, scales (default)']
    else:
        for key, name in (('norm_decay_mult', 'norms'), ('bias_decay_mult', 'biases'),
                          ('flat_decay_mult', '1-d')):
            if paramwise.get(key) == 0:
                parts.append(name)
    parts += [k for k, v in (paramwise.get('custom_keys') or {}).items()
              if v.get('decay_mult') == 0]
    return ', '.join(parts) or '-'


def _lr_decay(wrapper: dict) -> str:
    paramwise = wrapper.get('paramwise_cfg') or {}
    parts = []
    if 'decay_rate' in paramwise:
        parts.append(f'{paramwise.get("decay_type", "layer_wise")} '
                     f'{_number(paramwise["decay_rate"])}')
    parts += [f'{k} x{_number(v["lr_mult"])}'
              for k, v in (paramwise.get('custom_keys') or {}).items() if 'lr_mult' in v]
    return ', '.join(parts) or '-'


def _schedule(cfg: Config) -> str:
    loop = cfg.train_cfg
    length = (f'{loop["max_epochs"]} epochs' if 'max_epochs' in loop else
              f'{loop["max_iters"] // 1000}k iters')
    steps = []
    for s in cfg.param_scheduler if isinstance(cfg.param_scheduler, list) else [
            cfg.param_scheduler]:
        unit = 'ep' if s.get('by_epoch', True) else 'it'
        span = f'{s.get("begin", 0)}-{s.get("end", "end")} {unit}'
        kind = s['type'].replace('LR', '').replace('Annealing', '')
        if kind == 'Linear':
            steps.append(f'linear warm-up from {_number(s.get("start_factor", 1 / 3))}x '
                         f'({span})')
        elif kind == 'Poly':
            steps.append(f'poly {_number(s.get("power", 1))} to '
                         f'{_number(s.get("eta_min", 0))} ({span})')
        elif kind == 'MultiStep':
            steps.append(f'steps at {s["milestones"]} ({span})')
        elif kind == 'Cosine':
            steps.append(f'cosine to {_number(s.get("eta_min", 0))} ({span})')
        else:
            steps.append(f'{kind} ({span})')
    return f'{length}: ' + ', then '.join(steps)


def _norm_types(node: object) -> set:
    if isinstance(node, dict):
        found = {node['norm_cfg']['type']} if isinstance(node.get('norm_cfg'), dict) else set()
        return found.union(*(_norm_types(v) for v in node.values()))
    if isinstance(node, (list, tuple)):
        return set().union(*(_norm_types(v) for v in node))
    return set()


def _norm(cfg: Config) -> str:
    """The backbone's configured norm (``as built``: the backbone's own norms) and the norms
    configured in necks and heads."""
    model = cfg.model.to_dict()
    backbone = model.pop('backbone', {})
    own = backbone.get('norm_cfg', {}).get('type', 'as built')
    heads = sorted(_norm_types(model))
    return f'backbone {own}' + (f'; heads {"/".join(heads)}' if heads else '')


def _test(cfg: Config) -> str:
    pipeline = cfg.test_dataloader.dataset.get('pipeline', [])
    resize = ', '.join(f'{t["type"]} {t.get("scale", t.get("size_divisor"))}'
                       for t in pipeline if t['type'].startswith('Resize'))
    mode = cfg.model.get('test_cfg', {}).get('mode')
    if mode == 'slide':
        test = f'slide {cfg.model.test_cfg.crop_size} / {cfg.model.test_cfg.stride}'
    elif mode == 'whole':
        test = 'whole'
    else:
        test = 'single pass'
    return f'{test}; {resize}'


def _tta(cfg: Config) -> str:
    if 'tta_pipeline' not in cfg:
        return '-'
    steps = next(t for t in cfg.tta_pipeline if t['type'] == 'TestTimeAug')['transforms']
    resizes = steps[0]
    first = resizes[0]
    if first['type'].endswith('SETRMultiScaleResize'):
        desc = (f'SETR: ratios {[r["ratio"] for r in resizes]} of {first["scale"]}, '
                f'short side >= {first["min_short"]}')
    elif 'scale' in first:
        desc = f'scales {[r["scale"] for r in resizes]}'
    else:
        desc = f'{[r["type"] for r in resizes]}'
    extra = [t['type'] for step in steps[1:] for t in step
             if t['type'] not in ('RandomFlip', 'LoadAnnotations')
             and not t['type'].startswith('Pack')]
    flips = sum(t['type'] == 'RandomFlip' for step in steps for t in step)
    return desc + (f' + {", ".join(extra)}' if extra else '') + (' + flip' if flips else '')


def _init(cfg: Config) -> str:
    init = cfg.model.get('backbone', {}).get('init_cfg') or {}
    return init.get('checkpoint', 'scratch') if init.get('type') == 'Pretrained' else 'scratch'


def recipe(name: str) -> Dict[str, str]:
    """The resolved recipe of ``configs/<name>.py`` as the columns of docs/recipes.md."""
    path = osp.join(ROOT, 'configs', f'{name}.py')
    cfg = Config.fromfile(path)
    wrapper = cfg.optim_wrapper
    optimizer = wrapper.optimizer
    precision = 'AMP' if wrapper.get('type') == 'AmpOptimWrapper' else 'fp32'
    if wrapper.get('clip_grad'):
        precision += f', clip {_number(wrapper.clip_grad.max_norm)}'
    per_gpu = cfg.train_dataloader.batch_size
    total = cfg.get('auto_scale_lr', {}).get('base_batch_size') or per_gpu * 8
    checkpoint = cfg.default_hooks.get('checkpoint', {})
    schedule = _schedule(cfg)
    if checkpoint.get('save_best'):
        schedule += f'; keep best ({checkpoint["save_best"]})'
    return dict(
        source=_source(path),
        optimizer=f'{optimizer.type} {_number(optimizer.lr)}, wd '
                  f'{_number(optimizer.get("weight_decay", 0))}',
        **{'no weight decay': _no_decay(wrapper), 'lr decay': _lr_decay(wrapper)},
        precision=precision,
        batch=f'{total // per_gpu} x {per_gpu}',
        schedule=schedule,
        norm=_norm(cfg),
        **{'drop path': _number(cfg.model.get('backbone', {}).get('drop_path_rate', 0))},
        test=_test(cfg),
        TTA=_tta(cfg),
        init=_init(cfg))


def configs_with_results() -> List[str]:
    return sorted(load_facts(PAPER, leaf_configs(ROOT)))


def render(recipes: Optional[Dict[str, Dict[str, str]]] = None) -> str:
    """docs/recipes.md; ``recipes`` (name -> :func:`recipe`) saves resolving them again."""
    recipes = recipes or {name: recipe(name) for name in configs_with_results()}
    lines = [
        '# Recipes', '',
        'Generated by `python tools/misc/gen_recipes.py` from the configs (after inheritance);',
        'do not edit by hand. One row per config that carries a paper number',
        '(`docs/paper_results.yml`). "source" is the config\'s first comment: the official file',
        'it follows, or what it chose where no source exists. Batch is GPUs x images per GPU;',
        'AMP falls back to fp32 without a GPU; "TTA" is what `tools/test.py --tta` runs.', '',
        '| config | ' + ' | '.join(COLUMNS) + ' |',
        '|' + '---|' * (len(COLUMNS) + 1),
    ]
    for name, r in sorted(recipes.items()):
        lines.append(f'| `{name}` | ' + ' | '.join(r[c].replace('|', '/') for c in COLUMNS) +
                     ' |')
    return '\n'.join(lines) + '\n'


if __name__ == '__main__':
    generate_main(__doc__, lambda: {RECIPES: render()}, 'python tools/misc/gen_recipes.py')
