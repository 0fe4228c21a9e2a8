"""Convert a PaddleClas MixFormer checkpoint (``.pdparams``, or a Paddle-layout state dict saved
with torch) to mmhybrid's keys.

    python tools/model_converters/mixformer2mmhybrid.py MixFormer_B1.pdparams mixformer_b1.pth

``.pdparams`` files are read with an unpickler that only rebuilds numpy arrays. No official
MixFormer weights were ever published; this is for Paddle-trained checkpoints of your own.
"""
from mmhybrid.converters.cli import convert_main
from mmhybrid.converters.mixformer import build_mixformer_for, convert_mixformer, load_pdparams

if __name__ == '__main__':
    convert_main(__doc__, convert_mixformer, build_mixformer_for, load_other=load_pdparams)
