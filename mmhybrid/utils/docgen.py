"""The command line of the generated-docs tools (tools/misc/gen_*.py)."""
import argparse
import os
import os.path as osp
import sys
from typing import Callable, Dict, Optional


def generate_main(description: str, render: Callable[[], Dict[str, str]], tool: str,
                  measure: Optional[Callable[[], None]] = None) -> None:
    """Write the files ``render()`` returns (path -> text), or with ``--check`` exit 1 when any
    differs from what is on disk.

    Args:
        description: The tool's help text.
        render: Builds every file the tool owns.
        tool: How to run the tool, for the out-of-date message.
        measure: Re-measures the facts ``render`` reads (``--measure``, before rendering).
    """
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='exit 1 if out of date')
    if measure is not None:
        parser.add_argument('--measure', action='store_true',
                            help='re-measure the facts first (slow)')
    args = parser.parse_args()
    if getattr(args, 'measure', False):
        measure()
    files = render()
    stale = [path for path, text in files.items()
             if not osp.exists(path) or open(path).read() != text]
    if args.check:
        if stale:
            sys.exit(f'out of date: {stale}; run {tool}')
        print('up to date: ' + ', '.join(files))
        return
    for path, text in files.items():
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
    print('wrote ' + ', '.join(files))
