# Training that survives a kill (README, "Reliability"): checkpoints written atomically (the
# previous one deleted only after), and exact resume: every iteration's model randomness is
# seeded from (seed, rank, iteration), and the train sampler (mmhybrid.SeededDefaultSampler /
# SeededInfiniteSampler, set beside it) seeds each sample's augmentation. The bases that
# inherit mmdet's / mmseg's / mmpretrain's default runtime set
# default_hooks = {{_base_.reliability_hooks}} (a name of its own: two bases may not both set
# default_hooks).
reliability_hooks = dict(
    checkpoint=dict(type='mmhybrid.AtomicCheckpointHook'),
    exact_resume=dict(type='mmhybrid.ExactResumeHook'))
