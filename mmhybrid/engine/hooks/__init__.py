from .average_buffers import AverageBuffersHook
from .checkpoint import AtomicCheckpointHook, AtomicLocalBackend
from .compile import CompileModulesHook
from .exact_resume import ExactResumeHook

__all__ = ['AtomicCheckpointHook', 'AtomicLocalBackend', 'AverageBuffersHook', 'CompileModulesHook',
           'ExactResumeHook']
