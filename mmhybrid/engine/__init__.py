from .hooks import AtomicCheckpointHook, AverageBuffersHook, CompileModulesHook, ExactResumeHook
from .optimizers import AutocastOptimWrapper, LayerDecayOptimWrapperConstructor

__all__ = [
    'AtomicCheckpointHook', 'AverageBuffersHook', 'CompileModulesHook', 'ExactResumeHook',
    'AutocastOptimWrapper', 'LayerDecayOptimWrapperConstructor'
]
