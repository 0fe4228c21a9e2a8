"""Params and FLOPs of any mmhybrid config (classifier, detector, segmentor) on a synthetic
input; no dataset is needed.

    python tools/analysis/get_flops.py CONFIG [--shape H W] [--convention ...]
    python tools/analysis/get_flops.py --all [--every] [--force]
        # count the configs not yet in docs/model_complexity.yml, rewrite docs/model_zoo.md

FLOPs are multiply-adds. The papers count differently, so several conventions are printed:
  mmengine    mmengine's jit counter as is (it skips scaled_dot_product_attention)
  fvcore      the same plus the attention matmuls (FcaFormer, HybridFormer papers)
  mmcv-hooks  mmcv 1.x's module-hook counter: no functional convs or matmuls (TransXNet README)
  paper       the backbone family's own convention (MixFormer: the PaddleClas flops() helpers
              for classifiers, see mmhybrid.analysis.mixformer_readme_flops)
Default inputs are the papers': 224x224 (cls), 800x1280 (det), 512x2048 (ADE20K seg),
1024x2048 (Cityscapes seg).
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
from typing import Dict

import yaml
from mmengine.config import Config, DictAction

from mmhybrid.analysis.model_info import CONVENTIONS, complexity, load_config
from mmhybrid.utils.model_zoo import leaf_configs, load_facts

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
COMPLEXITY = osp.join(ROOT, 'docs', 'model_complexity.yml')
PAPER = osp.join(ROOT, 'docs', 'paper_results.yml')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', nargs='?', help='config file')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input height and width (default: the task\'s paper size)')
    parser.add_argument('--convention', nargs='+', default=[*CONVENTIONS, 'paper'],
                        choices=[*CONVENTIONS, 'paper'], help='FLOP conventions to print')
    parser.add_argument('--all', action='store_true',
                        help='measure the configs with a paper params/FLOPs figure in '
                        'docs/paper_results.yml (in the paper\'s convention) and regenerate '
                        'docs/model_zoo.md')
    parser.add_argument('--every', action='store_true',
                        help='with --all: every config, not only those with a paper figure')
    parser.add_argument('--memory-gb', type=float, default=16.,
                        help='with --all: address-space cap of each counting process')
    parser.add_argument('--force', action='store_true',
                        help='with --all: recount configs already in the table')
    parser.add_argument('--json', action='store_true', help='print the result as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, as in tools/train.py')
    args = parser.parse_args()
    if bool(args.config) == args.all:
        parser.error('give one CONFIG or --all')
    return args


def report(path: str, result: Dict[str, object], paper: Dict[str, str]) -> str:
    h, w = result['shape']
    lines = [f'config: {path}', f'task: {result["task"]}, input: 1x3x{h}x{w}',
             f'params: {result["params"] / 1e6:.2f} M']
    for name in [*CONVENTIONS, 'paper']:
        if name in result:
            label = f'paper ({result["paper_convention"]})' if name == 'paper' else name
            lines.append(f'FLOPs {label:<28}: {result[name] / 1e9:.3f} G')
    reported = ' / '.join(paper[k] for k in ('params', 'flops') if k in paper)
    if reported:
        lines.append(f'paper reports (params / FLOPs): {reported} ({paper.get("source", "")})')
    return '\n'.join(lines)


def _giga(flops: float) -> str:
    """3 significant digits below 1000 G, whole G above."""
    giga = flops / 1e9
    return f'{giga:.3g}G' if giga < 1000 else f'{giga:.0f}G'


def _measure_in_subprocess(name: str, memory_gb: float) -> dict:
    """The paper-convention count of one config in a child process whose address space is
    capped, so that a model too large for this machine fails alone instead of being OOM-killed
    together with the whole run."""
    def cap() -> None:
        limit = int(memory_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.run(
        [sys.executable, __file__, osp.join(ROOT, 'configs', f'{name}.py'), '--convention',
         'paper', '--json'], preexec_fn=cap, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith('{')]
    if proc.returncode or not lines:
        if 'allocate memory' in proc.stdout or 'MemoryError' in proc.stdout:
            return dict(error=f'out of memory at {memory_gb:g} GB')
        tail = proc.stdout.strip().splitlines()[-1:] or ['no output']
        return dict(error=f'exit {proc.returncode}: {tail[0][:120]}')
    return json.loads(lines[-1])


def run_all(every: bool, memory_gb: float, force: bool) -> None:
    names = leaf_configs(ROOT)
    paper = load_facts(PAPER, names)
    if not every:
        names = [n for n in names if {'params', 'flops'} & set(paper.get(n, {}))]
    table: Dict[str, dict] = load_facts(COMPLEXITY)
    # Configs that differ only in schedule build the same model: count each model once.
    by_model: Dict[str, dict] = {}
    for i, name in enumerate(names):
        cfg = Config.fromfile(osp.join(ROOT, 'configs', f'{name}.py'))
        key = repr(cfg.model.to_dict())
        if not force and 'convention' in table.get(name, {}):
            by_model.setdefault(key, table[name])
        if key not in by_model:
            result = _measure_in_subprocess(name, memory_gb)
            if 'error' in result:
                by_model[key] = dict(flops=f'not counted ({result["error"]})')
            else:
                by_model[key] = dict(
                    params=f'{result["params"] / 1e6:.2f}M',
                    flops=_giga(result['paper']),
                    convention=result['paper_convention'],
                    shape=f'{result["shape"][0]}x{result["shape"][1]}')
        table[name] = by_model[key]
        print(f'[{i + 1}/{len(names)}] {name}: {table[name]}', flush=True)
        with open(COMPLEXITY, 'w') as f:
            f.write('# Written by tools/analysis/get_flops.py --all: params and FLOPs (in the '
                    "paper's\n# convention) of each config's model on a synthetic input.\n")
            yaml.safe_dump(dict(sorted(table.items())), f, sort_keys=False)
    subprocess.run([sys.executable, osp.join(ROOT, 'tools', 'misc', 'gen_model_zoo.py')],
                   check=True)


def main() -> None:
    args = parse_args()
    if args.all:
        run_all(args.every, args.memory_gb, args.force)
        return
    result = complexity(load_config(args.config, args.cfg_options), args.shape,
                        args.convention)
    paper = load_facts(PAPER)
    name = osp.splitext(osp.basename(args.config))[0]
    if args.json:
        print(json.dumps(result))
        return
    print(report(args.config, result, paper.get(name, {})))


if __name__ == '__main__':
    main()
