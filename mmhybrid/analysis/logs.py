"""Read the JSON scalar logs mmengine writes (``<work_dir>/<timestamp>/vis_data/scalars.json``)."""
import json
from typing import Dict, List, Tuple

Record = Dict[str, float]


def load_scalars(path: str) -> Tuple[List[Record], List[Record]]:
    """A log's training records (those with ``lr``) and validation records (the others)."""
    train, val = [], []
    with open(path) as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                (train if 'lr' in record else val).append(record)
    if not train and not val:
        raise ValueError(f'{path} holds no records: is it a scalars.json of mmengine?')
    return train, val


def series(records: List[Record], key: str) -> Tuple[List[float], List[float]]:
    """(steps, values) of ``key`` in ``records``."""
    points = [(r['step'], r[key]) for r in records if key in r]
    return [p[0] for p in points], [p[1] for p in points]


def seconds_per_iter(train: List[Record]) -> Tuple[float, float]:
    """Mean seconds per training iteration, without the first (warm-up) record, and the
    slowest record's seconds."""
    times = [r['time'] for r in train if 'time' in r]
    if not times:
        raise ValueError('no "time" in the training records')
    steady = times[1:] or times
    return sum(steady) / len(steady), max(times)
