"""Training curves and time per iteration from the JSON logs mmengine writes.

    # losses, lr and metrics over the steps of one or more runs, into a PNG
    python tools/analysis/analyze_logs.py plot_curve \\
        work_dirs/maskrcnn_transxnet_t_1x/*/vis_data/scalars.json \\
        --keys loss loss_cls coco/bbox_mAP --legend transxnet-t --out curves.png
    # mean time per iteration
    python tools/analysis/analyze_logs.py cal_train_time work_dirs/*/*/vis_data/scalars.json

Without ``--keys`` the plot shows ``loss``, ``lr`` and every metric of the validation
records. Training keys are plotted over iterations; metrics over the step mmengine logs them
at (the epoch in epoch-based runs, the iteration in iteration-based ones).
"""
import argparse
import os.path as osp

from mmhybrid.analysis.logs import load_scalars, seconds_per_iter, series


def plot_curve(args: argparse.Namespace) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    logs = [load_scalars(path) for path in args.logs]
    legends = args.legend or [osp.basename(osp.dirname(osp.dirname(osp.abspath(p))))
                              for p in args.logs]
    if len(legends) != len(logs):
        raise SystemExit(f'--legend needs one name per log ({len(logs)}), got {len(legends)}')
    keys = args.keys or ['loss', 'lr', *sorted({k for _, val in logs for r in val for k in r
                                                if k not in ('step', 'epoch', 'iter')})]
    found = [k for k in keys if any(series(train + val, k)[0] for train, val in logs)]
    if not found:
        raise SystemExit(f'none of {keys} is in the logs')
    fig, axes = plt.subplots(len(found), 1, figsize=(8, 3 * len(found)), squeeze=False)
    for ax, key in zip(axes[:, 0], found):
        for (train, val), name in zip(logs, legends):
            records = train if any(key in r for r in train) else val
            steps, values = series(records, key)
            ax.plot(steps, values, marker='o' if records is val else None, label=name)
            by_epoch = records is val and any('epoch' in r for r in train)
            ax.set_xlabel('epoch' if by_epoch else 'iteration')
        ax.set_ylabel(key)
        ax.legend()
    if args.title:
        fig.suptitle(args.title)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f'plotted {", ".join(found)} of {len(logs)} log(s) to {osp.abspath(args.out)}')


def cal_train_time(args: argparse.Namespace) -> None:
    for path in args.logs:
        train, _ = load_scalars(path)
        mean, slowest = seconds_per_iter(train)
        print(f'{path}: {mean:.4f} s/iter on average, slowest record {slowest:.4f} s')


def main() -> None:
    parser = argparse.ArgumentParser(description='Analyse mmengine JSON logs')
    commands = parser.add_subparsers(dest='command', required=True)
    plot = commands.add_parser('plot_curve', help='plot curves into an image')
    plot.add_argument('logs', nargs='+', help='vis_data/scalars.json files')
    plot.add_argument('--keys', nargs='+', help='what to plot (default: loss, lr, metrics)')
    plot.add_argument('--legend', nargs='+', help='one name per log')
    plot.add_argument('--title', help='figure title')
    plot.add_argument('--out', default='curves.png', help='image to write')
    plot.set_defaults(run=plot_curve)
    timing = commands.add_parser('cal_train_time', help='mean seconds per iteration')
    timing.add_argument('logs', nargs='+', help='vis_data/scalars.json files')
    timing.set_defaults(run=cal_train_time)
    args = parser.parse_args()
    args.run(args)


if __name__ == '__main__':
    main()
