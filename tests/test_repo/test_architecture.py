"""The import rules of docs/architecture.md: layers import downwards only, no cycles."""
import ast
import os
import os.path as osp
from typing import Dict, Set

from tests.conftest import REPO

PACKAGE = osp.join(REPO, 'mmhybrid')

# Layer of each module prefix (the longest matching prefix wins); docs/architecture.md.
LAYERS = {
    'mmhybrid.registry': 0, 'mmhybrid.version': 0,
    'mmhybrid.utils': 1,
    'mmhybrid.models.layers': 2, 'mmhybrid.models.utils': 2,
    'mmhybrid.models': 3, 'mmhybrid.datasets': 3, 'mmhybrid.engine': 3,
    'mmhybrid.converters': 4, 'mmhybrid.analysis': 4, 'mmhybrid.testing': 4,
    'mmhybrid.compat': 5, 'mmhybrid': 5,
}


def _module_name(path: str) -> str:
    rel = osp.relpath(path, REPO)[:-3].replace(os.sep, '.')
    return rel[:-len('.__init__')] if rel.endswith('.__init__') else rel


def _modules() -> Dict[str, str]:
    out = {}
    for root, _, files in os.walk(PACKAGE):
        for f in files:
            if f.endswith('.py'):
                out[_module_name(osp.join(root, f))] = osp.join(root, f)
    return out


def _imports(name: str, path: str, known: Set[str]) -> Set[str]:
    """mmhybrid modules imported anywhere in the file (function-level imports too)."""
    package = name if path.endswith('__init__.py') else name.rsplit('.', 1)[0]
    found = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = package.split('.')
                parts = parts[:len(parts) - node.level + 1]
                base = '.'.join(parts + ([base] if base else []))
            targets = [f'{base}.{a.name}' for a in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition('.')[0]
            if target.startswith('mmhybrid') and target != name:
                found.add(target)
    return found


def _graph() -> Dict[str, Set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _layer(name: str) -> int:
    prefix = max((p for p in LAYERS if name == p or name.startswith(p + '.')), key=len)
    return LAYERS[prefix]


def _is_parent_package(importer: str, imported: str) -> bool:
    return importer.startswith(imported + '.')


def test_layers_import_downwards():
    wrong = [f'{a} (layer {_layer(a)}) imports {b} (layer {_layer(b)})'
             for a, targets in _graph().items() for b in targets
             if _layer(b) > _layer(a) and not _is_parent_package(a, b)]
    assert not wrong, '\n'.join(wrong)


def test_backbone_families_do_not_import_each_other():
    graph = _graph()
    prefix = 'mmhybrid.models.backbones.'
    wrong = [(a, b) for a, targets in graph.items() for b in targets
             if a.startswith(prefix) and b.startswith(prefix) and b != prefix + 'base']
    assert not wrong


def test_no_import_cycle():
    graph = _graph()
    # A package's __init__ importing its own children is how packages work, not a cycle.
    edges = {a: {b for b in bs if not _is_parent_package(a, b)} for a, bs in graph.items()}
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 'open':
                raise AssertionError('import cycle: ' + ' -> '.join(
                    stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 'done'

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_the_checker_sees_function_level_imports(tmp_path):
    path = tmp_path / 'm.py'
    path.write_text('def f():\n    from mmhybrid.converters.cli import convert_main\n')
    assert _imports('mmhybrid.models.x', str(path), set(_modules())) == {'mmhybrid.converters.cli'}
