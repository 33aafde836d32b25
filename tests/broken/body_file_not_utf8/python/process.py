def run(session, source):
    return 'ÿþ'
