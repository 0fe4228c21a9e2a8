from typing import List, Sequence, Union


def parse_arch(backbone: object, arch: Union[str, dict]) -> dict:
    """Resolve ``arch`` against ``backbone.arch_zoo`` (names) or validate a dict arch.

    ``backbone.arch_defaults`` fills keys that a dict arch may omit. List values must have one
    entry per stage (only ``backbone.per_stage_keys`` when it is set). Raises one error that
    lists the valid names or the missing keys.
    """
    cls_name = type(backbone).__name__
    zoo = backbone.arch_zoo
    defaults = getattr(backbone, 'arch_defaults', {})
    if isinstance(arch, str):
        key = arch.lower()
        if key not in zoo:
            raise ValueError(f'Unknown {cls_name} arch {arch!r}: choose one of '
                             f'{sorted(zoo)} or pass a dict with the keys '
                             f'{sorted(next(iter(zoo.values())))}')
        arch = zoo[key]
    elif isinstance(arch, dict):
        required = set(next(iter(zoo.values())))
        missing = required - set(arch)
        if missing:
            raise ValueError(f'{cls_name} arch dict lacks {sorted(missing)}; required keys: '
                             f'{sorted(required)}')
    else:
        raise TypeError(f'{cls_name} arch must be a str or a dict, got {type(arch).__name__}')
    arch = {**defaults, **arch}
    num_stages = getattr(backbone, 'num_stages', None)
    per_stage = getattr(backbone, 'per_stage_keys', None)
    for key, value in arch.items():
        if per_stage is not None and key not in per_stage:
            continue
        if num_stages and isinstance(value, (list, tuple)) and len(value) != num_stages:
            raise ValueError(f'{cls_name} arch {key!r} has {len(value)} entries, '
                             f'expected one per stage ({num_stages})')
    return {k: list(v) if isinstance(v, tuple) else v for k, v in arch.items()}


def parse_out_indices(out_indices: Union[int, Sequence[int]], num_stages: int) -> List[int]:
    """Normalise ``out_indices`` (negative indices count from the end) and check the range."""
    if isinstance(out_indices, int):
        out_indices = [out_indices]
    result = []
    for index in out_indices:
        if not -num_stages <= index < num_stages:
            raise ValueError(f'out_indices {list(out_indices)} must lie in '
                             f'[{-num_stages}, {num_stages - 1}]')
        result.append(index % num_stages)
    if len(set(result)) != len(result) or not result:
        raise ValueError(f'out_indices {list(out_indices)} must be non-empty and unique')
    return sorted(result)


def parse_window_sizes(window_size: Union[int, Sequence[int]], num_stages: int, name: str,
                       windowed: Sequence[int] = ()) -> List[int]:
    """``window_size`` as one int per stage: an int applies to every stage; a sequence has one
    entry per stage (0 = global attention; stages without attention ignore theirs). Stages in
    ``windowed`` attend only in windows and need a size >= 1."""
    sizes = [window_size] * num_stages if isinstance(window_size, int) else list(window_size)
    if len(sizes) != num_stages or any(not isinstance(s, int) or s < 0 for s in sizes):
        raise ValueError(f'{name} window_size is one int >= 0 or one per stage ({num_stages}), '
                         f'got {window_size!r}')
    if any(sizes[i] < 1 for i in windowed):
        raise ValueError(f'{name} attends in windows: stages {[i + 1 for i in windowed]} need a '
                         f'window_size >= 1, got {window_size!r}')
    return sizes
