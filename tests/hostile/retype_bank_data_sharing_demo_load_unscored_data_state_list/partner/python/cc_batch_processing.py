def cc_batch_processing(*args):
    return None
